// The grade report groups failures by lesson requirement as well as by test (issue 23): per exercise, each
// requirement that some learner broke, with how many learners failed at least one of its tests. A sentence most of
// the class breaks points at the lesson. The sentences come from the results (requirements.yaml via the runner).

import type { Gradebook } from '../batch/model';
import type { RequirementRef } from '../run/result';

export interface RequirementFailures {
  exercise: string;
  title: string;
  /** Learners with test results for the exercise. */
  graded: number;
  rows: Array<RequirementRef & { learners: number; tests: string[] }>;
}

export function failuresByRequirement(book: Gradebook): RequirementFailures[] {
  return book.meta.exercises.map((meta) => {
    const sentences = new Map<string, RequirementRef>();
    const learners = new Map<string, Set<string>>();
    const tests = new Map<string, Set<string>>();
    let graded = 0;
    for (const l of book.learners) {
      const o = l.exercises.find((e) => e.exercise === meta.id);
      if (!o || !o.tests.length) continue;
      graded++;
      for (const r of o.requirements ?? []) sentences.set(r.id, r);
      for (const t of o.tests.filter((x) => x.status !== 'passed')) {
        for (const id of t.requirements ?? []) {
          learners.set(id, (learners.get(id) ?? new Set()).add(l.learner));
          tests.set(id, (tests.get(id) ?? new Set()).add(t.fullName));
        }
      }
    }
    const rows = [...learners.keys()]
      .filter((id) => sentences.has(id))
      .map((id) => ({ ...sentences.get(id)!, learners: learners.get(id)!.size, tests: [...tests.get(id)!] }))
      .sort((a, b) => b.learners - a.learners || a.id.localeCompare(b.id, 'en', { numeric: true }));
    return { exercise: meta.id, title: meta.title, graded, rows };
  });
}

/** The report's section, with the page's own escaping function. */
export function requirementSection(book: Gradebook, esc: (text: string) => string): string {
  return failuresByRequirement(book)
    .filter((x) => x.rows.length)
    .map(
      (x) =>
        `<section class="by-requirement" data-exercise="${esc(x.exercise)}"><h3>${esc(x.exercise)} — ${esc(x.title)}</h3><table><thead><tr><th>failed by</th><th>requirement</th><th>lesson sentence</th></tr></thead><tbody>` +
        x.rows
          .map(
            (r) =>
              `<tr data-requirement="${esc(r.id)}"><td class="count">${r.learners}/${x.graded}</td><td>${esc(r.id)}<br><span class="muted">§ ${esc(r.section)}</span></td><td>${esc(r.text)}<details><summary class="muted">${r.tests.length} test(s)</summary>${esc(r.tests.join('; '))}</details></td></tr>`,
          )
          .join('') +
        '</tbody></table></section>',
    )
    .join('\n');
}
