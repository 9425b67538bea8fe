// The grade report groups failures by lesson requirement (issue 23): per exercise, each requirement some learner
// broke, with how many learners failed one of its tests, most broken first, and the tests behind it.
import type { Gradebook } from '../../grader/batch/model';
import { failuresByRequirement, requirementSection } from '../../grader/report/by-requirement';

const sentence = (id: string) => ({ id, section: 'Entry size and eviction', text: `sentence of ${id}` });
const test_ = (fullName: string, status: string, requirements: string[]) => ({ fullName, status, requirements });
const learner = (name: string, tests: ReturnType<typeof test_>[]) => ({
  learner: name,
  exercises: [{ exercise: 'hpack-table', tests, requirements: [sentence('R1.7'), sentence('R1.9'), sentence('R1.2')] }],
});

test('failures are counted per requirement and learner, most broken first', () => {
  const book = {
    meta: { exercises: [{ id: 'hpack-table', title: 'HPACK' }] },
    learners: [
      learner('ann', [test_('a', 'failed', ['R1.7']), test_('b', 'failed', ['R1.7', 'R1.9']), test_('c', 'passed', ['R1.2'])]),
      learner('bob', [test_('a', 'failed', ['R1.7']), test_('b', 'passed', ['R1.7', 'R1.9']), test_('c', 'passed', ['R1.2'])]),
      learner('cy', [test_('a', 'passed', ['R1.7']), test_('b', 'passed', ['R1.7', 'R1.9']), test_('c', 'passed', ['R1.2'])]),
    ],
  } as unknown as Gradebook;
  const [x] = failuresByRequirement(book);
  expect(x!.graded).toBe(3);
  expect(x!.rows.map((r) => [r.id, r.learners, r.tests])).toEqual([
    ['R1.7', 2, ['a', 'b']],
    ['R1.9', 1, ['b']],
  ]);
  const html = requirementSection(book, (t) => t.replace(/</g, '&lt;'));
  expect(html).toContain('<tr data-requirement="R1.7"><td class="count">2/3</td>');
  expect(html).toContain('§ Entry size and eviction');
});
