// Requirements as data (issue 23), the pure parts: tags in test titles, and the lesson check of requirements.yaml.
import { parseTags, untaggedNames } from '../../grader/course/requirement-tags';
import { lessonProblems, normaliseLessonText, type Requirement } from '../../grader/course/requirements';

test('tags leave the displayed names; a describe block lends its tag to its tests; each id once', () => {
  expect(parseTags('evicts the oldest entry first (RFC 7541 §4.4) {R1.3, R1.4}')).toEqual({
    name: 'evicts the oldest entry first (RFC 7541 §4.4)',
    requirements: ['R1.3', 'R1.4'],
  });
  expect(untaggedNames(['header table {R1.2}', 'eviction'], 'evicts {R1.9,R1.2}')).toEqual({
    fullName: 'header table › eviction › evicts',
    group: ['header table', 'eviction'],
    title: 'evicts',
    requirements: ['R1.2', 'R1.9'],
  });
  // Not a tag: braces around something else stay in the name, and the test names no requirement.
  expect(parseTags('an object {a: 1} is returned')).toEqual({ name: 'an object {a: 1} is returned', requirements: [] });
});

test('a requirement quotes its lesson under its heading, after removing emphasis and backticks', () => {
  const lesson = '# T\n\nIntro must hold.\n\n## The table\n\nThe *size* of an entry is\n`name + value + 32`.\n\n## Other\n\nElsewhere.\n';
  const req = (id: string, section: string, text: string): Requirement => ({ id, section, text, where: `requirements.yaml:${id}` });
  expect(normaliseLessonText('The *size* of `x`\n  is  _big_')).toBe('The size of x is big');
  expect(
    lessonProblems(
      [
        req('R2.1', 'The table', 'The size of an entry is name + value + 32.'),
        req('R2.2', 'T', 'Intro must hold.'),
        req('R2.3', 'Other', 'The size of an entry is'),
      ],
      lesson,
      2,
    ),
  ).toEqual(['R2.3 (requirements.yaml:R2.3): its text is under "The table", not "Other"']);
  expect(lessonProblems([req('R3.1', 'Nowhere', 'x'), req('R2.9', 'Other', 'Not there.')], lesson, 2)).toEqual([
    'R3.1 (requirements.yaml:R3.1): ids of exercise 2 start with R2.',
    'R3.1 (requirements.yaml:R3.1): the lesson has no heading "Nowhere"',
    'R2.9 (requirements.yaml:R2.9): its text is not in the lesson (verbatim, after removing *, _ and backticks): "Not there."',
  ]);
});
