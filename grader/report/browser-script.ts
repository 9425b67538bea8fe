// The bundled script of report.html (grader/report/browser/report.ts, bundled by bin/build.js), read once. The
// compiled grader finds it beside itself (dist/grader/report/browser/report.js); the grader's sources run directly
// (ts-jest) find the same file in dist/, so a build must have run.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const CANDIDATES = [path.join(__dirname, 'browser', 'report.js'), path.join(__dirname, '..', '..', 'dist', 'grader', 'report', 'browser', 'report.js')];

let cached: string | undefined;

/** The page script, safe to inline in a <script> element (it never holds `</script`). */
export function reportScript(): string {
  if (cached === undefined) {
    const file = CANDIDATES.find((f) => existsSync(f));
    if (!file) throw new Error(`report.html's script is not built (${CANDIDATES[0]}): run \`npm run build\``);
    const text = readFileSync(file, 'utf8');
    if (/<\/script/i.test(text)) throw new Error(`${file} holds "</script": it cannot be inlined in report.html`);
    cached = text;
  }
  return cached;
}
