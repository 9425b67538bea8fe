// `course merge`: joins the outputs of `course grade --shard i/n` runs. Every output must come from the same
// course (same exercises, same suite hashes) and the same submissions list; together they must hold exactly one
// result per submission: a missing or duplicated learner is an error, never a silent gap. A learner's results file
// is found by the collision-free key of the exact id (learner-key.ts) and must name that very id inside.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { finalize, type BatchMeta, type Gradebook, type LearnerResult } from './model';
import { withMessageFrom } from '../run/instructor-only-message';
import { learnerKeys, LearnerKeyCollision } from './learner-key';
import { mergeCode, type SubmittedCode } from '../similarity';

export class MergeError extends Error {}

/** One layer in two gradebooks: by its stable id, or by its name when either was written before layers had ids. */
export function sameLayer(a: { id?: string; name: string }, b: { id?: string; name: string }): boolean {
  return a.id !== undefined && b.id !== undefined ? a.id === b.id : a.name === b.name;
}

export function readGradebook(dir: string): Gradebook {
  const metaFile = path.join(dir, 'gradebook.json');
  if (!existsSync(metaFile)) throw new MergeError(`${dir}: no gradebook.json (is it the --out folder of a finished \`course grade\`?)`);
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as BatchMeta;
  const learners: LearnerResult[] = [];
  const claimed = new Set<string>();
  for (const id of meta.learners) {
    if (claimed.has(id)) throw new MergeError(`${dir}: gradebook.json lists ${JSON.stringify(id)} twice`);
    claimed.add(id);
  }
  let keys: Map<string, string>;
  try {
    keys = learnerKeys(meta.learners);
  } catch (err) {
    if (err instanceof LearnerKeyCollision) throw new MergeError(`${dir}: ${err.message}`);
    throw err;
  }
  for (const id of meta.learners) {
    const name = `results/${keys.get(id)!}.json`;
    const file = path.join(dir, name);
    if (!existsSync(file)) throw new MergeError(`${dir}: ${name} (the results of ${JSON.stringify(id)}) is missing`);
    const data = JSON.parse(readFileSync(file, 'utf8')) as LearnerResult & { course?: string; gradedAt?: string };
    if (data.learner !== id) throw new MergeError(`${dir}: ${name} holds the results of ${JSON.stringify(data.learner)}, not of ${JSON.stringify(id)}`);
    delete data.course;
    delete data.gradedAt;
    // (A gradebook of an earlier version: where a message came from was in its words.)
    learners.push({ ...data, exercises: data.exercises.map(withMessageFrom) });
  }
  const codeFile = path.join(dir, 'submitted-code.json');
  const code = existsSync(codeFile) ? (JSON.parse(readFileSync(codeFile, 'utf8')) as SubmittedCode) : undefined;
  return { meta, learners, ...(code ? { code } : {}) };
}

export function mergeGradebooks(dirs: string[]): Gradebook {
  if (!dirs.length) throw new MergeError('nothing to merge');
  const books = dirs.map((d) => ({ dir: d, book: readGradebook(d) }));
  const first = books[0]!.book.meta;
  const problems: string[] = [];
  for (const { dir, book } of books.slice(1)) {
    const m = book.meta;
    if (m.course !== first.course) problems.push(`${dir}: a different course ("${m.course}")`);
    const a = first.exercises.map((e) => `${e.id}:${e.suiteHash}`).join(',');
    const b = m.exercises.map((e) => `${e.id}:${e.suiteHash}`).join(',');
    if (a !== b) problems.push(`${dir}: graded with different exercises or suites than ${books[0]!.dir}`);
    if (m.allLearners.join('\0') !== first.allLearners.join('\0')) problems.push(`${dir}: saw a different submissions folder than ${books[0]!.dir}`);
  }
  const owner = new Map<string, string[]>();
  for (const { dir, book } of books) for (const l of book.learners) owner.set(l.learner, [...(owner.get(l.learner) ?? []), dir]);
  const duplicated = [...owner].filter(([, where]) => where.length > 1);
  const missing = first.allLearners.filter((id) => !owner.has(id));
  const unknown = [...owner.keys()].filter((id) => !first.allLearners.includes(id));
  for (const [id, where] of duplicated) problems.push(`${JSON.stringify(id)} has ${where.length} results (${where.join(', ')})`);
  if (missing.length) problems.push(`no result for ${missing.length} submission(s): ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''}`);
  if (unknown.length) problems.push(`results for submissions not in the submissions list: ${unknown.join(', ')}`);
  try {
    learnerKeys(owner.keys());
  } catch (err) {
    if (!(err instanceof LearnerKeyCollision)) throw err;
    problems.push(err.message);
  }
  if (problems.length) throw new MergeError(`cannot merge:\n  ${problems.join('\n  ')}`);

  const learners = books.flatMap(({ book }) => book.learners).sort((x, y) => (x.learner < y.learner ? -1 : 1));
  const exercises = first.exercises.map((e) => {
    const metas = books.map(({ book }) => book.meta.exercises.find((x) => x.id === e.id));
    const hidden = metas.map((m) => m?.hiddenMaxScore).filter((h): h is number => h !== undefined);
    return { ...e, maxScore: Math.max(...metas.map((m) => m?.maxScore ?? 0)), ...(hidden.length ? { hiddenMaxScore: Math.max(...hidden) } : {}) };
  });
  for (const e of exercises) if (!e.points) e.maxPoints = e.maxScore;
  // Re-total with the merged max scores (a shard where nobody submitted an exercise did not know its size).
  for (const l of learners) finalize(l, exercises);
  const starts = books.map(({ book }) => book.meta.startedAt).sort();
  const ends = books.map(({ book }) => book.meta.finishedAt).sort();
  const meta: BatchMeta = {
    ...first,
    startedAt: starts[0]!,
    finishedAt: ends[ends.length - 1]!,
    shard: undefined,
    learners: learners.map((l) => l.learner),
    exercises,
    isolation: first.isolation.map((layer) => ({
      ...layer,
      // A layer counts as on only when it was on in every shard (matched by id; by name in older gradebooks).
      on: books.every(({ book }) => book.meta.isolation.find((x) => sameLayer(x, layer))?.on ?? false),
    })),
    jobs: books.reduce((s, { book }) => s + book.meta.jobs, 0),
    runs: {
      graded: books.reduce((s, { book }) => s + book.meta.runs.graded, 0),
      resumed: books.reduce((s, { book }) => s + book.meta.runs.resumed, 0),
      reasons: books.reduce<NonNullable<BatchMeta['runs']['reasons']>>((acc, { book }) => {
        for (const [k, v] of Object.entries(book.meta.runs.reasons ?? {})) acc[k as keyof typeof acc] = (acc[k as keyof typeof acc] ?? 0) + v;
        return acc;
      }, {}),
    },
    mergedFrom: dirs.map((d) => path.resolve(d)),
  };
  // The similarity check compares across shards: every shard's submitted code, joined (when all recorded it).
  const codes = books.map(({ book }) => book.code);
  const code = codes.every((c): c is SubmittedCode => c !== undefined) ? mergeCode(codes) : undefined;
  return { meta, learners, ...(code ? { code } : {}) };
}
