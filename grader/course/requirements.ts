// Requirements as data (issue 23): `exercises/NN-id/requirements.yaml` lists every sentence of the lesson that says
// what the code must or must not do, each with a stable id (R<exercise number>.<n>). This file loads and validates
// it (zod; errors name the file and line, like course.yaml's), and checks each sentence against the lesson: the
// text must occur in the README under the heading named by `section`, compared after collapsing whitespace and
// removing Markdown emphasis and backticks. docs/AUTHORING.md describes the format.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isSeq, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { CourseFileError } from './errors';
import { REQUIREMENT_ID } from './requirement-tags';
import type { ExerciseSpec } from './schema';

export const REQUIREMENTS_FILE = 'requirements.yaml';

const RequirementEntry = z
  .object({
    id: z.string().regex(REQUIREMENT_ID, 'an id like R1.3: R, the exercise number, a dot, a number'),
    section: z.string().min(1).describe('the README heading (## or ###) the sentence sits under, text exactly'),
    text: z.string().min(1).describe('the sentence, verbatim from the lesson'),
    untestable: z.string().min(1).optional().describe('why no test can observe it (advice, not behaviour)'),
    retired: z.boolean().optional().describe('no longer a requirement; its id is never reused'),
    gap: z
      .string()
      .min(1)
      .optional()
      .describe('a known hole in its coverage (no test or no mutant yet) and why: counted, and an error once it is no longer true'),
  })
  .strict();

export const RequirementsFile = z.array(RequirementEntry);

export interface Requirement extends z.infer<typeof RequirementEntry> {
  /** Where it is declared: "requirements.yaml:12". */
  where: string;
}

/** A requirement a test can be held to: neither untestable nor retired. */
export function isTestable(r: Pick<Requirement, 'untestable' | 'retired'>): boolean {
  return !r.untestable && !r.retired;
}

export function requirementsPath(exercise: Pick<ExerciseSpec, 'dir'>): string {
  return path.join(exercise.dir, REQUIREMENTS_FILE);
}

/**
 * The exercise's requirements, or undefined when it has no requirements.yaml. Throws a CourseFileError naming the
 * file and line of the first problem (invalid YAML, a field of the wrong shape, an id given twice).
 */
export function loadRequirements(courseRoot: string, exercise: Pick<ExerciseSpec, 'dir'>): Requirement[] | undefined {
  const rel = requirementsPath(exercise);
  const file = path.join(courseRoot, rel);
  if (!existsSync(file)) return undefined;
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines, prettyErrors: false });
  const at = (offset: number | undefined) => (offset === undefined ? rel : `${rel}:${lines.linePos(offset).line}`);
  if (doc.errors.length) throw new CourseFileError(`invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, at(doc.errors[0]!.pos[0]));
  const parsed = RequirementsFile.safeParse(doc.toJS() ?? []);
  const itemOffset = (index: number, field?: PropertyKey): number | undefined => {
    const node = (field === undefined ? doc.getIn([index], true) : (doc.getIn([index, field], true) ?? doc.getIn([index], true))) as
      { range?: [number, number, number] } | undefined;
    return node?.range?.[0];
  };
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [index, field] = issue.path;
    const where = typeof index === 'number' ? at(itemOffset(index, field)) : rel;
    const name = typeof index === 'number' ? `entry ${index + 1}${field === undefined ? '' : `, field "${String(field)}"`}` : 'the file';
    throw new CourseFileError(`${name}: ${issue.message}${typeof index !== 'number' ? ' (a list of requirements is expected)' : ''}`, where);
  }
  const seq = doc.contents;
  const requirements = parsed.data.map((r, i) => ({ ...r, where: at(isSeq(seq) ? itemOffset(i) : undefined) }));
  const seen = new Map<string, string>();
  for (const r of requirements) {
    const first = seen.get(r.id);
    if (first) throw new CourseFileError(`${r.id} is declared twice (first at ${first}); an id names one sentence`, r.where);
    seen.set(r.id, r.where);
  }
  return requirements;
}

/** Lesson text as requirements compare it: Markdown emphasis and backticks removed, whitespace collapsed. */
export function normaliseLessonText(text: string): string {
  return text.replace(/[*_`]/g, '').replace(/\s+/g, ' ').trim();
}

/** The lesson split at its #, ## and ### headings (the # title holds the introduction): heading text (normalised) → the text under it (normalised). */
export function lessonSections(markdown: string): Map<string, string> {
  const sections = new Map<string, string>();
  let heading = '';
  let body: string[] = [];
  let fenced = false;
  const flush = () => sections.set(heading, `${sections.get(heading) ?? ''} ${normaliseLessonText(body.join('\n'))}`.trim());
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const match = fenced ? null : /^#{1,3}\s+(.*?)\s*#*\s*$/.exec(line);
    if (match) {
      flush();
      heading = normaliseLessonText(match[1]!);
      body = [];
    } else body.push(line);
  }
  flush();
  return sections;
}

/**
 * What is wrong between the requirements and their lesson, one sentence each: an id whose number is not the
 * exercise's, a section the lesson does not have, a text not found under its section (and where it is, if elsewhere).
 */
export function lessonProblems(requirements: Requirement[], lessonMarkdown: string, exerciseNumber: number): string[] {
  const problems: string[] = [];
  const sections = lessonSections(lessonMarkdown);
  for (const r of requirements) {
    const number = Number(REQUIREMENT_ID.exec(r.id)?.[1]);
    if (number !== exerciseNumber) problems.push(`${r.id} (${r.where}): ids of exercise ${exerciseNumber} start with R${exerciseNumber}.`);
    if (r.retired) continue;
    const text = normaliseLessonText(r.text);
    const section = sections.get(normaliseLessonText(r.section));
    if (section === undefined) {
      problems.push(`${r.id} (${r.where}): the lesson has no heading "${r.section}"`);
      continue;
    }
    if (section.includes(text)) continue;
    const elsewhere = [...sections].find(([, body]) => body.includes(text))?.[0];
    problems.push(
      elsewhere !== undefined
        ? `${r.id} (${r.where}): its text is under "${elsewhere || '(before the first heading)'}", not "${r.section}"`
        : `${r.id} (${r.where}): its text is not in the lesson (verbatim, after removing *, _ and backticks): "${r.text.slice(0, 80)}"`,
    );
  }
  return problems;
}
