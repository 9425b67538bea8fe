// One hostile corpus for every output format (issue: "one boundary for text from outside"). Each entry is text an
// attacker controls somewhere (a file name, an archive entry name, what the code under test throws, a roster cell,
// git's output); every writer's test feeds it the same entries and checks its output with the checks below.

/** The terminal hyperlink of the issue: ESC ] 8 ;; URI ESC \ text ESC ] 8 ;; ESC \ */
export const OSC8 = '\u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\';

/** A message that tries to print the grader's own summary lines at column 0. */
export const FORGED_SUMMARY = 'boom\n43 passed, 0 failed\n✓ PASS everything\nScore: 3/3  ✔ passed';

export const CORPUS: Record<string, string> = {
  controls: 'a\u0000b\u0007c\u0008d\u000be\u000cf\u007fg\u0085h\u009b1mi\rj',
  bidi: 'admin\u202etxt.exe\u202c \u2066iso\u2069 \u200fmark\u061c \u2028line\u2029para',
  osc8: OSC8,
  osc: '\u001b]0;owned title\u0007\u001b]52;c;ZXZpbA==\u0007',
  csi: '\u001b[31mred\u001b[0m\u001b[1A\u001b[2K\u001b[2J\u009b2J',
  formulaEquals: '=HYPERLINK("https://evil.example","x")',
  formulaPlus: "+1+cmd|' /C calc'!A0",
  formulaMinus: '-2+3',
  formulaAt: '@SUM(A1:A9)',
  formulaTab: '\t=1+1',
  formulaCr: '\r=1+1',
  script: '<script>alert(1)</script><img src=x onerror=alert(2)>',
  cdata: ']]><injected/><![CDATA[',
  comment: '--><!-- x -- -->',
  nul: 'nul\u0000byte',
  surrogates: 'lone \ud800 high, lone \udc00 low, reversed \udc00\ud800 end',
  noncharacters: 'x\ufffe\uffffy',
  forged: FORGED_SUMMARY,
  markdown: '```\n# Injected heading\n[link](javascript:alert(1)) | cell | **bold**',
  json: '"},"score":100,"x":"\\',
};

/** Every corpus entry joined (for places that take one text), and the 1 MB string, apart. */
export const CORPUS_TEXT = Object.values(CORPUS).join(' ¦ ');
export const MEGABYTE = `${'A'.repeat(512 * 1024)}\u001b[2J${'B'.repeat(512 * 1024)}`;

/** A name for the file system (no NUL, no "/", under 255 bytes) that still carries the worst of the corpus. */
export const HOSTILE_NAME = `=evil\u001b]8;;evil.example\u001b\\click\u001b]8;;\u001b\\\u202eexe.ts\u001b[2J\n43 passed, 0 failed\r`;

// ---------------------------------------------------------------------------------------------------------------
// Checks

// Raw characters no output may hold: C0 controls but tab, newline (and carriage return, for CRLF documents only),
// DEL, C1, bidi controls, line/paragraph separators, noncharacters.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The first raw control/bidi character or lone surrogate in `text` (with where), or undefined. */
export function rawControl(text: string, allowCr = false): string | undefined {
  const body = allowCr ? text.replace(/\r\n/g, '\n') : text;
  const m = RAW_CONTROL.exec(body) ?? LONE_SURROGATE.exec(body);
  if (!m) return undefined;
  const at = m.index;
  return `U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${at}: ${JSON.stringify(body.slice(Math.max(0, at - 40), at + 40))}`;
}

/**
 * A small XML 1.0 well-formedness check (there is no XML parser among the dependencies): only valid characters,
 * tags balanced and properly nested, attributes quoted with no raw `<` and unique per element, only the five
 * predefined entities or character references, `]]>` nowhere in text, CDATA sections closed.
 * Returns the first problem, or undefined.
 */
export function xmlProblem(xml: string): string | undefined {
  // Surrogates one by one, paired or not (no u flag): a lone one is valid XML text to this check, a pair too.
  // eslint-disable-next-line no-misleading-character-class
  const bad = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\ud800-\udbff\udc00-\udfff]/.exec(xml);
  if (bad) return `invalid character U+${bad[0].charCodeAt(0).toString(16)} at ${bad.index}`;
  if (LONE_SURROGATE.test(xml)) return 'a lone surrogate';
  let i = 0;
  const stack: string[] = [];
  const text = (s: string, where: number): string | undefined => {
    if (s.includes(']]>')) return `"]]>" in text at ${where}`;
    if (s.includes('<')) return `raw "<" at ${where}`;
    for (const m of s.matchAll(/&([^;]*);?/g)) {
      if (!m[0].endsWith(';') || !/^(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+)$/.test(m[1]!))
        return `bad entity ${JSON.stringify(m[0].slice(0, 12))} at ${where + (m.index ?? 0)}`;
    }
    return undefined;
  };
  if (xml.startsWith('<?xml')) i = xml.indexOf('?>') + 2;
  let rootSeen = false;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const chunk = xml.slice(i, lt < 0 ? xml.length : lt);
    const p = text(chunk, i);
    if (p) return p;
    if (!stack.length && chunk.trim()) return `text outside the root element at ${i}`;
    if (lt < 0) break;
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt);
      if (end < 0) return `unclosed CDATA at ${lt}`;
      i = end + 3;
      continue;
    }
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) return `unclosed comment at ${lt}`;
      if (xml.slice(lt + 4, end).includes('--')) return `"--" inside a comment at ${lt}`;
      i = end + 3;
      continue;
    }
    const tag = /^<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(xml.slice(lt, lt + 200_000));
    if (!tag) return `malformed tag at ${lt}: ${JSON.stringify(xml.slice(lt, lt + 60))}`;
    const [whole, close, name, attrs, selfClose] = tag;
    const names = new Set<string>();
    for (const a of attrs!.matchAll(/([A-Za-z_][\w.-]*)\s*=\s*("[^"]*"|'[^']*')/g)) {
      if (names.has(a[1]!)) return `duplicate attribute ${a[1]} at ${lt}`;
      names.add(a[1]!);
      const p2 = text(a[2]!.slice(1, -1), lt);
      if (p2) return `in an attribute: ${p2}`;
    }
    if (close) {
      if (stack.pop() !== name) return `</${name}> does not close the open element at ${lt}`;
    } else if (!selfClose) {
      if (!stack.length && rootSeen) return `a second root element at ${lt}`;
      stack.push(name!);
      rootSeen = true;
    } else if (!stack.length) rootSeen = true;
    i = lt + whole.length;
  }
  if (stack.length) return `unclosed <${stack[stack.length - 1]}>`;
  return rootSeen ? undefined : 'no root element';
}

/** CSV cells (parsed) that a spreadsheet would take for a formula. */
export function formulaCells(cells: string[][]): string[] {
  return cells.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell));
}
