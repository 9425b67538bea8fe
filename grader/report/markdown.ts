// A lesson (Markdown) rendered for a terminal with marked + marked-terminal: headings, lists, code blocks and
// tables kept within a width. Paragraphs are reflowed to the width; tables wider than it get their widest
// columns narrowed and their cells wrapped; code blocks (the protocol diagrams) are shown as written.

import { stripVTControlCharacters } from 'node:util';

export interface MarkdownOptions {
  /** Columns to fit in (default 80). */
  width?: number;
  /** Colours and styles (escape sequences); false gives plain text. */
  colour?: boolean;
}

interface TableToken {
  header: Array<{ text: string }>;
  rows: Array<Array<{ text: string }>>;
}

/** Column widths (cli-table3's, padding included) that fit `width`, narrowing the widest columns first. */
export function fitColumns(natural: number[], width: number): number[] | undefined {
  const borders = natural.length + 1;
  const cols = natural.map((w) => w + 2);
  if (cols.reduce((a, b) => a + b, 0) + borders <= width) return undefined;
  const minimum = 8;
  for (;;) {
    const total = cols.reduce((a, b) => a + b, 0) + borders;
    if (total <= width) return cols;
    const widest = cols.indexOf(Math.max(...cols));
    if (cols[widest]! <= minimum) return cols;
    cols[widest] = Math.max(minimum, cols[widest]! - (total - width > 8 ? 4 : 1));
  }
}

/** The columns a line takes in a terminal (escape sequences take none). */
export function visibleWidth(line: string): number {
  return [...stripVTControlCharacters(line)].length;
}

/** Breaks text at spaces so no line is wider than `width` columns (a longer word stays whole). */
export function wrapText(text: string, width: number): string {
  return text
    .split('\n')
    .map((paragraph) => {
      const lines: string[] = [];
      let line = '';
      for (const word of paragraph.split(/ +/)) {
        if (line && visibleWidth(line) + 1 + visibleWidth(word) > width) {
          lines.push(line);
          line = word;
        } else line = line ? `${line} ${word}` : word;
      }
      lines.push(line);
      return lines.join('\n');
    })
    .join('\n');
}

/**
 * Fits code lines to `width` columns without losing anything: a trailing `// comment` that does not fit moves to
 * its own line above the code; what is still too wide breaks at a space (or at the width) and goes on in the
 * next line, indented, after a "↳".
 */
export function fitCode(code: string, width: number): string {
  const out: string[] = [];
  for (const line of code.split('\n')) {
    if ([...line].length <= width) {
      out.push(line);
      continue;
    }
    const lead = /^\s*/.exec(line)![0];
    const comment = /^(.*?\S)\s{2,}(\/\/.*)$/.exec(line);
    const parts = comment ? [`${lead}${comment[2]}`, comment[1]!] : [line];
    for (const part of parts) {
      let rest = [...part];
      let first = true;
      while (rest.length) {
        const prefix = first ? '' : `${lead}  ↳ `;
        const room = width - [...prefix].length;
        let cut = rest.length;
        if (cut > room) {
          // Prefer a column gap (two spaces) of a diagram, then any space, then the width itself.
          const head = rest.slice(0, room + 1).join('');
          const gap = head.lastIndexOf('  ');
          const space = head.lastIndexOf(' ');
          cut = gap > room / 3 ? [...head.slice(0, gap)].length : space > room / 2 ? [...head.slice(0, space)].length : room;
        }
        out.push(prefix + rest.slice(0, cut).join('').trimEnd());
        rest = rest.slice(cut);
        while (rest[0] === ' ') rest = rest.slice(1);
        first = false;
      }
    }
  }
  return out.join('\n');
}

/** Renders Markdown for a terminal of `width` columns. */
export async function renderMarkdown(markdown: string, options: MarkdownOptions = {}): Promise<string> {
  const width = options.width ?? 80;
  const [{ Marked }, { markedTerminal }, { Chalk }] = await Promise.all([import('marked'), import('marked-terminal'), import('chalk')]);
  const chalk = new Chalk({ level: options.colour ? 2 : 0 });
  const tableOptions: Record<string, unknown> = {};
  const extension = markedTerminal(
    {
      width,
      reflowText: true,
      tab: 2,
      emoji: false,
      // Without colours the styles must not add escape codes either (marked-terminal's defaults use the global chalk).
      code: chalk.yellow,
      blockquote: chalk.gray.italic,
      html: chalk.gray,
      heading: chalk.green.bold,
      firstHeading: chalk.magenta.underline.bold,
      hr: chalk.reset,
      listitem: chalk.reset,
      table: chalk.reset,
      paragraph: chalk.reset,
      strong: chalk.bold,
      em: chalk.italic,
      codespan: chalk.yellow,
      del: chalk.dim.gray.strikethrough,
      link: chalk.blue,
      href: chalk.blue.underline,
      tableOptions,
    },
    { ignoreIllegals: true },
  ) as { renderer: Record<string, (...args: unknown[]) => string> };
  const table = extension.renderer.table!;
  extension.renderer.table = function (this: unknown, ...args: unknown[]) {
    const token = args[0] as TableToken;
    const columns = token.header.map((_, i) => Math.max(...[token.header[i]!, ...token.rows.map((r) => r[i]!)].map((cell) => (cell?.text ?? '').length)));
    const colWidths = fitColumns(columns, width);
    for (const key of Object.keys(tableOptions)) delete tableOptions[key];
    Object.assign(tableOptions, colWidths ? { colWidths, wordWrap: true, wrapOnWordBoundary: true } : {});
    if (!options.colour) tableOptions.style = { head: [], border: [] };
    return table.apply(this, args);
  };
  // marked-terminal leaves the inline Markdown of a tight list item (`code`, **bold**) as it is and does not
  // reflow list items: render the inline tokens, and wrap to the width left beside the bullets.
  // (Six columns a level: two of indent and up to "10. " of a numbered bullet.)
  let listDepth = 0;
  const list = extension.renderer.list!;
  extension.renderer.list = function (this: unknown, ...args: unknown[]) {
    listDepth++;
    try {
      return list.apply(this, args);
    } finally {
      listDepth--;
    }
  };
  const text = extension.renderer.text!;
  extension.renderer.text = function (this: { parser: { parseInline(tokens: unknown[]): string } }, ...args: unknown[]) {
    const token = args[0] as { tokens?: unknown[] } | string;
    if (typeof token === 'object' && token.tokens?.length && listDepth > 0) {
      return wrapText(this.parser.parseInline(token.tokens).replace(/\s*\n\s*/g, ' '), width - 6 * listDepth);
    }
    return text.apply(this, args);
  };
  const paragraph = extension.renderer.paragraph!;
  extension.renderer.paragraph = function (this: { parser: { parseInline(tokens: unknown[]): string } }, ...args: unknown[]) {
    const token = args[0] as { tokens?: unknown[] } | string;
    // A paragraph in a (loose) list: marked-terminal would reflow it to the full width, then indent it.
    if (typeof token === 'object' && token.tokens && listDepth > 0)
      return `${wrapText(this.parser.parseInline(token.tokens).replace(/\s*\n\s*/g, ' '), width - 6 * listDepth)}\n\n`;
    return paragraph.apply(this, args);
  };
  const code = extension.renderer.code!;
  extension.renderer.code = function (this: unknown, ...args: unknown[]) {
    const token = args[0] as { text?: string } | string;
    // Code blocks are indented by 2 columns.
    if (typeof token === 'object' && typeof token.text === 'string') token.text = fitCode(token.text, width - 2);
    else if (typeof token === 'string') args[0] = fitCode(token, width - 2);
    return code.apply(this, args);
  };
  const marked = new Marked();
  marked.use(extension as never);
  const rendered = await marked.parse(markdown);
  const out = options.colour ? rendered : stripVTControlCharacters(rendered);
  return `${out.replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
