// Lesson code blocks highlighted on the server (highlight.js, pinned), so the page needs no script of its own for
// it and the Content-Security-Policy stays as strict: highlight.js escapes the code and adds only
// `<span class="hljs-…">`; lab.css colours those classes (with weight and style, not colour alone). Only blocks that
// name a language are highlighted: the untagged blocks are the protocol diagrams, kept exactly as written.

import { createRequire } from 'node:module';

/** The part of highlight.js used here. (Its own types reference the DOM library, which the grader's Node code must
 * not see, so the package is loaded through require with this shape.) */
interface Highlighter {
  registerLanguage(name: string, language: unknown): void;
  getLanguage(name: string): unknown;
  highlight(code: string, options: { language: string; ignoreIllegals: boolean }): { value: string };
}

const load = createRequire(__filename);
const hljs = load('highlight.js/lib/core') as Highlighter;
for (const name of ['bash', 'http', 'javascript', 'json', 'typescript', 'yaml']) hljs.registerLanguage(name, load(`highlight.js/lib/languages/${name}`));

/** The code as highlighted HTML (escaped, spans only), or undefined for a language it does not know. */
export function highlightCode(code: string, language: string | undefined): string | undefined {
  if (!language || !hljs.getLanguage(language)) return undefined;
  return hljs.highlight(code, { language, ignoreIllegals: true }).value;
}
