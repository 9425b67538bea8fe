// A mistyped command gets "did you mean", as a mistyped exercise id does; an unrelated word gets the help alone.
import { closestNames } from '../../grader/did-you-mean';
import { course, repoRoot } from '../helpers';

test('`course chek` suggests check, exits 2 and still prints the help', () => {
  const r = course(repoRoot, ['chek']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('unknown command "chek". Did you mean "check"?');
  expect(r.stderr).toContain('Learner commands:');
});

test('a word close to nothing gets no suggestion', () => {
  const r = course(repoRoot, ['xylophone']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('unknown command "xylophone".\n');
  expect(r.stderr).not.toContain('Did you mean');
});

test('closestNames: swaps, prefixes and distance limits', () => {
  const names = ['check', 'watch', 'status', 'solution', 'next'];
  expect(closestNames(names, 'chekc')[0]).toBe('check');
  expect(closestNames(names, 'stat')[0]).toBe('status');
  expect(closestNames(names, 'sol')).toEqual(['solution']);
  expect(closestNames(names, 'zzzzzz')).toEqual([]);
});
