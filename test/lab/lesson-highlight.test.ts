// Lesson code blocks are highlighted on the server (grader/lab/code-highlight.ts): the compiled lesson renderer runs
// in a real Node process on a course lesson and on hostile Markdown, and the HTML it returns is inspected.
// Highlighted blocks carry highlight.js's spans and nothing else; diagrams (no language) stay exactly as written;
// code cannot close its block or inject markup through the highlighter.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers';

function render(markdown: string): string {
  const script = `require(${JSON.stringify(path.join(repoRoot, 'dist/grader/lab/lesson-html.js'))}).markdownToHtml(require('node:fs').readFileSync(0, 'utf8')).then((h) => process.stdout.write(h))`;
  return execFileSync(process.execPath, ['-e', script], { input: markdown, encoding: 'utf8', cwd: repoRoot });
}

/** The tags of the HTML, in order (names and attributes), to see that highlighting added nothing but spans. */
const tags = (html: string) => [...html.matchAll(/<\/?([a-z]+)([^>]*)>/g)].map((m) => m[1]!);

describe('lesson code highlighting', () => {
  test('a ts block gets highlight.js spans: keywords, strings, numbers, comments keep their text', () => {
    const html = render("```ts\nconst size: number = name.length + 32; // RFC 7541 §4.1\nconst s = 'x';\n```\n");
    expect(html).toContain('<code class="hljs">');
    expect(html).toContain('<span class="hljs-keyword">const</span>');
    expect(html).toContain('<span class="hljs-number">32</span>');
    expect(html).toContain('<span class="hljs-comment">// RFC 7541 §4.1</span>');
    expect(html).toContain('<span class="hljs-string">&#x27;x&#x27;</span>');
    // The text is the code, character for character, once the spans are taken away.
    const text = html
      .replace(/<[^>]+>/g, '')
      .replace(/&#39;/g, "'")
      .replace(/&#x27;/g, "'");
    expect(text).toContain("const size: number = name.length + 32; // RFC 7541 §4.1\nconst s = 'x';");
  });

  test('a diagram (no language) is kept as written, with no highlighting', () => {
    const diagram =
      '+-----------------------------------------------+\n|                 Length (24)                   |\n+---------------+---------------+---------------+';
    const html = render(`\`\`\`\n${diagram}\n\`\`\`\n`);
    expect(html).toBe(`<pre class="code" tabindex="0"><code>${diagram}</code></pre>\n`);
  });

  test('code that looks like markup stays text inside its block: only <pre>, <code> and <span> come out', () => {
    const html = render('```js\nconst s = "</code></pre><script>alert(1)</script><img src=x onerror=alert(2)>";\n```\n');
    expect(new Set(tags(html))).toEqual(new Set(['pre', 'code', 'span']));
    expect(html).toContain('&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;');
  });

  test("the course's own lessons: every ts/js block is highlighted, every untagged block is not", () => {
    const readme = readFileSync(path.join(repoRoot, 'exercises/01-hpack-table/README.md'), 'utf8');
    const html = render(readme);
    const blocks = [...html.matchAll(/<pre class="code"[^>]*?(?: data-lang="([\w-]+)")?><code( class="hljs")?>/g)];
    expect(blocks.length).toBeGreaterThan(0);
    for (const [, lang, hljs] of blocks) expect(Boolean(hljs)).toBe(lang === 'ts' || lang === 'js');
    expect(blocks.some(([, lang]) => lang === 'ts')).toBe(true);
  });
});
