// Requirement tags in test titles (issue 23): a test declares the lesson requirements it checks as a tag in its
// title, `evicts the oldest entry first {R1.3}` or `{R1.3,R1.4}`; a describe block's tag is inherited by its
// tests. This is the one place tags are parsed: the collector strips them from every name a learner or a gradebook
// sees and records the ids on the test result, the trusted environment uses them to focus verify's mutant runs.

/** One tag: braces around one or more requirement ids separated by commas. */
const TAG = /\s*\{\s*(R\d+\.\d+(?:\s*,\s*R\d+\.\d+)*)\s*\}/g;

/** A requirement id: R<exercise number>.<n>. */
export const REQUIREMENT_ID = /^R([1-9]\d*)\.([1-9]\d*)$/;

export interface TaggedTitle {
  /** The title without its tags (what every report shows). */
  name: string;
  /** The ids its tags name, in order, each once. */
  requirements: string[];
}

export function parseTags(title: string): TaggedTitle {
  const requirements: string[] = [];
  const name = title
    .replace(TAG, (_, ids: string) => {
      for (const id of ids.split(',').map((s) => s.trim())) if (!requirements.includes(id)) requirements.push(id);
      return '';
    })
    .trim();
  return { name, requirements };
}

/** The ids a test checks: its own tags and those of every describe block around it. */
export function requirementsOf(group: string[], title: string): string[] {
  const ids: string[] = [];
  for (const t of [...group, title]) for (const id of parseTags(t).requirements) if (!ids.includes(id)) ids.push(id);
  return ids;
}

/** A test's names with the tags taken out: the title, the describe titles and the full name joined with " › ". */
export function untaggedNames(group: string[], title: string): { fullName: string; group: string[]; title: string; requirements: string[] } {
  const cleanGroup = group.map((g) => parseTags(g).name);
  const cleanTitle = parseTags(title).name;
  return { fullName: [...cleanGroup, cleanTitle].join(' › '), group: cleanGroup, title: cleanTitle, requirements: requirementsOf(group, title) };
}
