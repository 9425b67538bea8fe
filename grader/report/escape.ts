// The one boundary for text from outside the grader: submission ids (file names), archive entry names, anything the
// code under test printed or threw, git's output, roster cells. Such text is typed `Untrusted` where it enters
// (`untrusted(raw)` is the only way to make one), and every output format has exactly one function here that turns
// it into that format: the terminal, a CSV cell, XML text and attributes, HTML text and attributes, Markdown, a
// JSON string. Each of them first neutralises the text (`neutralise`): invalid UTF-16 (a lone surrogate) becomes
// U+FFFD, NUL, control characters, bidi overrides and line/paragraph separators become visible `\uXXXX` escapes (so
// no OSC/CSI sequence can act on a terminal, no carriage return can overwrite a line, no text reads differently
// from what it is), and a text longer than a cap is cut with a marker (a 1 MB message does not make a 1 MB cell).
// Neutralising twice gives the same text, so text marked at entry and escaped again on output is shown once.

/** Text that came from outside the grader. Made only by `untrusted()`; written only through a function below. */
export type Untrusted = string & { readonly __untrusted: unique symbol };

/** The longest text kept (a failure message with a diff fits); the rest is cut, with a marker. */
export const TEXT_CAP = 16_000;
/** The longest one-line value kept (a name, an id, a cell). */
export const LINE_CAP = 1_000;

// C0 controls except tab and newline, DEL, C1 controls (0x9b is a one-byte CSI), the bidi marks, embeddings,
// overrides and isolates, the line and paragraph separators, and the noncharacters U+FFFE/U+FFFF (not XML).
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]/g;
// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visible(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Cuts `text` to at most `cap` characters, marker included, never inside a surrogate pair or a `\uXXXX`. */
function capped(text: string, cap: number, total: number): string {
  if (text.length <= cap) return text;
  const marker = ` … [cut: ${total} characters in all]`;
  let end = Math.max(0, cap - marker.length);
  if (/[\ud800-\udbff]/.test(text.charAt(end - 1))) end--;
  const escape = text.lastIndexOf('\\u', end);
  if (escape >= 0 && escape > end - 6) end = escape;
  return text.slice(0, end) + marker;
}

/**
 * The text made harmless for any output: lone surrogates → U+FFFD, control/bidi characters → `\uXXXX` (newlines and
 * tabs kept), cut to `cap`. Idempotent.
 */
export function neutralise(raw: string, cap = TEXT_CAP): string {
  const text = String(raw);
  // Escaping only lengthens a text: only its first cap + 1 characters can be kept, so only they are looked at.
  const head = text.length > cap ? text.slice(0, cap + 1) : text;
  return capped(head.replace(LONE_SURROGATE, '\ufffd').replace(CONTROLS, visible), cap, text.length);
}

/** Like `neutralise`, for a value that must stay on one line: newlines and tabs are made visible too. */
export function neutraliseLine(raw: string, cap = LINE_CAP): string {
  return neutralise(
    String(raw)
      .replace(/\r\n|\n/g, '\\n')
      .replace(/\t/g, '\\t'),
    cap,
  );
}

/** Marks text from outside the grader (and neutralises it already, so a stored gradebook holds no raw escape). */
export function untrusted(raw: string): Untrusted {
  return neutralise(raw) as Untrusted;
}

/** `untrusted` for a one-line value: an id, a file name, a roster cell. */
export function untrustedLine(raw: string): Untrusted {
  return neutraliseLine(raw) as Untrusted;
}

/** For texts that may be absent. */
export function untrustedOpt(raw: string | undefined): Untrusted | undefined {
  return raw === undefined ? undefined : untrusted(raw);
}

// ---------------------------------------------------------------------------------------------------------------
// Terminal

/** What every continuation line of a multi-line untrusted text starts with: it can never begin at column 0. */
export const CONTINUATION = '│ ';

/**
 * Untrusted text for a terminal, at an indent: the first line as it is, every further line after `indent` and the
 * continuation mark, so a message cannot print a line that looks like the grader's own ("43 passed, 0 failed").
 */
export function terminalText(text: string, indent = ''): string {
  const [first, ...rest] = neutralise(text).split('\n');
  return [first, ...rest.map((line) => `${indent}${CONTINUATION}${line}`)].join('\n');
}

/** Untrusted text for a terminal, every line (the first too) after `indent` and the continuation mark. */
export function terminalBlock(text: string, indent = ''): string {
  return neutralise(text)
    .split('\n')
    .map((line) => `${indent}${CONTINUATION}${line}`)
    .join('\n');
}

/** Untrusted text on one terminal line (newlines shown as `\n`). */
export function terminalLine(text: string, cap = LINE_CAP): string {
  return neutraliseLine(text, cap);
}

// ---------------------------------------------------------------------------------------------------------------
// CSV

/**
 * A CSV text cell: one line (newlines, tabs and CRs shown as escapes), and never read as a formula: a cell that
 * starts with = + - @, or started with a tab or CR (which some spreadsheets skip before looking), gets a leading '.
 */
export function csvText(text: string): string {
  const line = neutraliseLine(text);
  return /^[=+\-@\t\r]/.test(String(text)) || /^[=+\-@]/.test(line) ? `'${line}` : line;
}

// ---------------------------------------------------------------------------------------------------------------
// XML (JUnit)

/** XML 1.0 character data or an attribute value (double-quoted): neutralised and & < > " ' escaped (so no `]]>`). */
export function xmlText(text: string, cap = TEXT_CAP): string {
  return neutralise(text, cap).replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!);
}

/** An XML attribute value on one line (newlines in attributes are normalised away by parsers: kept visible). */
export function xmlAttr(text: string, cap = LINE_CAP): string {
  return neutraliseLine(text, cap).replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!);
}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

// ---------------------------------------------------------------------------------------------------------------
// HTML

/** HTML text or a quoted attribute value: neutralised, and & < > " ' ` as character references. */
export function htmlText(text: string, cap = TEXT_CAP): string {
  return neutralise(text, cap).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON to embed in a <script type="application/json"> element: every string neutralised, no `<`, `>`, `&`. */
export function htmlEmbeddedJson(value: unknown): string {
  return jsonText(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown

/** Markdown inline text (a heading, a table cell): one line, Markdown and HTML punctuation backslash-escaped. */
export function markdownInline(text: string): string {
  return neutraliseLine(String(text).replace(/\s+/g, ' ')).replace(/[\\`*_{}[\]()#+\-.!|<>&~]/g, (c) => `\\${c}`);
}

/** A fenced Markdown code block holding the text, its fence longer than any backtick run inside. */
export function markdownFence(text: string, info = 'text', cap = TEXT_CAP): string {
  const body = neutralise(text, cap);
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${info}\n${body.replace(/\n+$/, '')}\n${fence}`;
}

/** Markdown inline code: the text in a code span (backticks inside become '). */
export function markdownCode(text: string): string {
  return `\`${neutraliseLine(text).replace(/`/g, "'")}\``;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON

/** A value with every string in it (keys too) neutralised: for JSON another program or a page will show. */
export function jsonSafe<T>(value: T): T {
  return deepNeutralise(value) as T;
}

function deepNeutralise(value: unknown): unknown {
  if (typeof value === 'string') return neutralise(value);
  if (Array.isArray(value)) return value.map(deepNeutralise);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[neutraliseLine(k)] = deepNeutralise(v);
    return out;
  }
  return value;
}

/** JSON text of a value whose strings are neutralised (indented by `space`, as JSON.stringify). */
export function jsonText(value: unknown, space?: number): string {
  return JSON.stringify(jsonSafe(value), null, space);
}
