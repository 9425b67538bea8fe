// Fitting one line of the watch screen to the terminal's width: how many columns a text takes (colour codes take
// none, East Asian wide characters and most emoji take two, combining marks none), wrapping at spaces (a word
// longer than the width is cut at the width, never inside a character or a colour code) and cutting to one row.
// The screen's lines are coloured by chalk before they are fitted, so colour codes are kept whole and never
// counted. Untrusted text reaches here neutralised (escape.ts): the only escape sequences are the grader's own.

/** A space the wrapping never breaks at ("tests [██░░] 2/4" stays whole); written as a plain space. */
export const GLUE = '\u00a0';

/** The colour (SGR) sequences chalk writes: they take no column. */
const SGR = /\x1b\[[0-9;]*m/y;

/** A token: a colour code (width 0), a run of spaces, or a run of other characters (a word). */
interface Token {
  text: string;
  width: number;
  kind: 'code' | 'space' | 'word';
}

// The wide ranges of Unicode's East Asian Width (W and F), coarsely: Hangul Jamo, CJK and its punctuation, Hangul
// syllables, compatibility ideographs, fullwidth forms, the emoji blocks and the supplementary ideographic planes.
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];
// (Variation selectors are Mn; the zero-width space and joiners are not.)
const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200b-\u200d]/u;

/** The columns one character (a code point) takes. */
export function charWidth(ch: string): number {
  if (ZERO_WIDTH.test(ch)) return 0;
  const cp = ch.codePointAt(0)!;
  return WIDE.some(([from, to]) => cp >= from && cp <= to) ? 2 : 1;
}

/** The columns a text takes on screen (colour codes excluded). */
export function widthOf(text: string): number {
  return tokens(text).reduce((sum, t) => sum + t.width, 0);
}

function tokens(line: string): Token[] {
  const out: Token[] = [];
  const text = line.replace(/\t/g, '    ');
  let i = 0;
  const push = (kind: Token['kind'], part: string, width: number) => {
    const last = out.at(-1);
    if (last && last.kind === kind && kind !== 'code') {
      last.text += part;
      last.width += width;
    } else out.push({ text: part, width, kind });
  };
  while (i < text.length) {
    SGR.lastIndex = i;
    const code = SGR.exec(text);
    if (code) {
      out.push({ text: code[0], width: 0, kind: 'code' });
      i += code[0].length;
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    push(ch === ' ' ? 'space' : 'word', ch, charWidth(ch));
    i += ch.length;
  }
  return out;
}

/** The leading spaces of a line and a continuation mark ("│ ") among them: where its wrapped rows start. */
function hangOf(line: string, columns: number): string {
  const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
  const hang = /^ *(?:│ +)?/.exec(plain)![0];
  return hang.length <= columns / 2 ? hang : '';
}

/** A word cut at `room` columns (never inside a character); the head is empty when its first character is wider. */
function splitWord(word: string, room: number): [string, string] {
  let width = 0;
  let end = 0;
  for (const ch of word) {
    const w = charWidth(ch);
    if (width + w > room) break;
    width += w;
    end += ch.length;
  }
  return [word.slice(0, end), word.slice(end)];
}

function firstChar(text: string): string {
  return String.fromCodePoint(text.codePointAt(0)!);
}

/**
 * The rows a line takes at `columns`: broken at spaces (not at GLUE), each continuation row starting with the
 * line's own indent and continuation mark, so a wrapped untrusted message never reaches column 0.
 */
export function wrapLine(line: string, columns: number): string[] {
  const width = Math.max(1, columns);
  if (widthOf(line) <= width) return [unglue(line)];
  const hang = hangOf(line, width);
  const rows: string[] = [];
  let row = '';
  let used = 0;
  let rowHasWord = false;
  let pending = '';
  const newRow = () => {
    rows.push(row);
    row = hang;
    used = hang.length;
    rowHasWord = false;
  };
  for (const t of tokens(line)) {
    if (t.kind === 'code') row += t.text;
    else if (t.kind === 'space') pending += t.text;
    else {
      // A word that does not fit goes to the next row, unless no row could hold it: then it is cut from here on.
      if (rowHasWord && used + pending.length + t.width > width && t.width <= width - hang.length) newRow();
      // Spaces are kept between words and as the first row's indent; a continuation row starts at the hang.
      if (rowHasWord || rows.length === 0) {
        row += pending;
        used += pending.length;
      }
      pending = '';
      let word = t.text;
      while (used + widthOf(word) > width) {
        const [head, rest] = splitWord(word, width - used);
        // No room left on this row for even one character: go on on the next (a row of only the hang takes one).
        if (!head && used > hang.length) {
          newRow();
          continue;
        }
        const [cutHead, cutRest] = head ? [head, rest] : [firstChar(word), word.slice(firstChar(word).length)];
        row += cutHead;
        word = cutRest;
        newRow();
      }
      row += word;
      used += widthOf(word);
      rowHasWord = true;
    }
  }
  rows.push(row);
  return rows.map(unglue);
}

/** One row of at most `columns`: the text cut with "…" when longer (its colour codes kept, so no colour leaks). */
export function cutLine(line: string, columns: number): string {
  if (widthOf(line) <= columns) return unglue(line);
  let row = '';
  let used = 0;
  let cut = false;
  for (const t of tokens(line)) {
    if (t.kind === 'code') row += t.text;
    else if (!cut)
      for (const ch of t.text) {
        const w = charWidth(ch);
        if (used + w > columns - 1) {
          row += '…';
          cut = true;
          break;
        }
        row += ch;
        used += w;
      }
  }
  return unglue(row);
}

function unglue(text: string): string {
  return text.replaceAll(GLUE, ' ');
}
