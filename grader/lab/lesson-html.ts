// A lesson (the exercise's README.md) rendered to HTML for the lab page with marked: headings, lists, tables and
// the protocol diagrams in code blocks kept as written, code in a named language highlighted (code-highlight.ts). Lessons are the course's own text, but a course can be
// forked and edited, so the output is made safe anyway: raw HTML in the Markdown is shown as text, and links and
// images keep only http(s), mailto, in-page and relative targets (no javascript: or data: URLs).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ExerciseSpec } from '../course/schema';
import { htmlText } from '../report/escape';
import { highlightCode } from './code-highlight';

/** A link target kept as it is: http(s) and mailto, or no scheme at all (relative, in-page). */
function safeUrl(href: string): string | undefined {
  const trimmed = href.trim();
  const scheme = /^([a-z][\w+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  return scheme === undefined || ['http', 'https', 'mailto'].includes(scheme) ? trimmed : undefined;
}

/** Lessons are long and code blocks are the diagrams: no cut (escape.ts caps report texts, not course text). */
const WHOLE = Number.MAX_SAFE_INTEGER;

export async function markdownToHtml(markdown: string): Promise<string> {
  const { Marked } = await import('marked');
  const marked = new Marked({
    gfm: true,
    renderer: {
      html: ({ text }) => htmlText(text, WHOLE),
      link({ href, title, tokens }) {
        const inner = this.parser.parseInline(tokens);
        const url = safeUrl(href);
        if (!url) return inner;
        const external = /^https?:/i.test(url) ? ' rel="noopener noreferrer" target="_blank"' : '';
        return `<a href="${htmlText(url)}"${title ? ` title="${htmlText(title)}"` : ''}${external}>${inner}</a>`;
      },
      image({ href, text }) {
        const url = safeUrl(href);
        return url ? `<img src="${htmlText(url)}" alt="${htmlText(text)}">` : htmlText(text);
      },
      code({ text, lang }) {
        const language = lang?.match(/^[\w-]+/)?.[0];
        // Focusable: a wide diagram scrolls sideways by keyboard too. Highlighted when it names a known language.
        const highlighted = highlightCode(text, language);
        const body = highlighted ?? htmlText(text, WHOLE);
        return `<pre class="code" tabindex="0"${language ? ` data-lang="${htmlText(language)}"` : ''}><code${highlighted ? ' class="hljs"' : ''}>${body}</code></pre>\n`;
      },
      // Wide tables scroll inside their own box instead of widening the page.
      table(token) {
        const head = token.header.map((cell) => `<th>${this.parser.parseInline(cell.tokens)}</th>`).join('');
        const rows = token.rows.map((row) => `<tr>${row.map((cell) => `<td>${this.parser.parseInline(cell.tokens)}</td>`).join('')}</tr>`).join('\n');
        return `<div class="table-box" tabindex="0"><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>\n`;
      },
    },
  });
  return marked.parse(markdown, { async: false });
}

/** The lesson of an exercise as HTML (a short notice when the course has no README for it). */
export async function lessonHtml(root: string, exercise: ExerciseSpec): Promise<string> {
  let markdown: string;
  try {
    markdown = readFileSync(path.join(root, exercise.dir, 'README.md'), 'utf8');
  } catch {
    return `<p>The lesson of ${htmlText(exercise.id)} is missing (${htmlText(path.join(exercise.dir, 'README.md'))}).</p>`;
  }
  return markdownToHtml(markdown);
}
