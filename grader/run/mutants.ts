// Mutants: known-wrong implementations an exercise's suite must catch. Each is a small unified diff against the
// reference solution (`harness/mutants/<id>/<name>.patch`), so the bug is the only thing in the file and a change
// to the solution carries over to every mutant. Free text before the first `---` line says what is wrong.
// A folder `harness/mutants/<id>/<name>/` holding whole files is accepted too. The header also declares the lesson
// requirements the mutant breaks, on a line of its own: `Requirements: R1.3, R1.4` (issue 23; `course verify`
// checks that a test of one of them fails).

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyPatch, parsePatch } from 'diff';
import type { ExerciseSpec } from '../course/schema';

export interface Mutant {
  name: string;
  /** What is wrong with it (the patch's header text), when known. */
  description?: string;
  /** A folder holding the mutant's graded files, ready to grade. */
  implRoot?: string;
  /** Why it could not be made (a patch that no longer applies to the solution). */
  error?: string;
  /** The requirement ids its header's `Requirements:` line declares; undefined when it has no such line. */
  requirements?: string[];
}

function describePatch(text: string): string | undefined {
  const header = text.split('\n---')[0]!.trim();
  return header || undefined;
}

/** The ids of a header's `Requirements: R1.3, R1.4` line (the text before the first `---`); undefined without one. */
export function declaredRequirements(patchText: string): string[] | undefined {
  const header = patchText.startsWith('---') ? '' : patchText.split('\n---')[0]!;
  const line = /^Requirements:[ \t]*(.*)$/m.exec(header);
  if (!line) return undefined;
  return line[1]!
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Applies a mutant's patch to the solution; throws with the file and reason when a hunk does not apply. */
export function applyMutantPatch(solutionFiles: Map<string, string>, patchText: string): Map<string, string> {
  const out = new Map(solutionFiles);
  for (const filePatch of parsePatch(patchText)) {
    const name = path.basename((filePatch.newFileName ?? filePatch.oldFileName ?? '').replace(/^b\//, ''));
    const source = out.get(name);
    if (source === undefined) throw new Error(`the patch changes ${name}, which the solution does not have`);
    const patched = applyPatch(source, filePatch);
    if (patched === false) throw new Error(`the patch no longer applies to the solution's ${name} (regenerate it)`);
    out.set(name, patched);
  }
  return out;
}

/** Lists the exercise's mutants, writing patched copies under `workDir` so they can be graded like any folder. */
export function prepareMutants(courseRoot: string, exercise: ExerciseSpec, workDir: string): Mutant[] {
  if (!exercise.mutants) return [];
  const dir = path.join(courseRoot, exercise.mutants);
  if (!existsSync(dir)) return [];
  const solution = new Map(exercise.files.map((f) => [f, readFileSync(path.join(courseRoot, exercise.solution, f), 'utf8')]));
  const mutants: Mutant[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) {
      mutants.push({ name: entry, implRoot: full });
      continue;
    }
    if (!entry.endsWith('.patch')) continue;
    const name = entry.slice(0, -'.patch'.length);
    const text = readFileSync(full, 'utf8');
    try {
      const files = applyMutantPatch(solution, text);
      const hash = createHash('sha256')
        .update(text)
        .update([...solution.values()].join('\0'))
        .digest('hex')
        .slice(0, 16);
      const target = path.join(workDir, 'mutants', exercise.id, `${name}-${hash}`);
      if (!existsSync(target)) {
        const tmp = `${target}.${process.pid}.tmp`;
        rmSync(tmp, { recursive: true, force: true });
        mkdirSync(tmp, { recursive: true });
        for (const [file, content] of files) writeFileSync(path.join(tmp, file), content);
        try {
          renameSync(tmp, target);
        } catch {
          rmSync(tmp, { recursive: true, force: true }); // made by a concurrent run
        }
      }
      mutants.push({ name, description: describePatch(text), implRoot: target, requirements: declaredRequirements(text) });
    } catch (err) {
      mutants.push({ name, description: describePatch(text), error: (err as Error).message, requirements: declaredRequirements(text) });
    }
  }
  return mutants;
}
