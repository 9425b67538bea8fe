// CSV cells that are safe to open in a spreadsheet. Learner ids come from file names and roster names from
// whoever typed them: a cell starting with = + - @ (or a tab or carriage return, which some spreadsheets skip
// before looking for those) is a formula to Excel, LibreOffice and Google Sheets ("CSV injection", OWASP). Such a
// text cell gets a leading single quote, which spreadsheets show as a plain text marker. Every text cell is also
// neutralised (escape.ts: control characters, bidi overrides and newlines made visible, cut to a length), so a
// note quoting an archive entry name cannot carry a terminal escape into the file. Numbers are written as numbers
// (a negative number is not text and stays as it is).

import { csvText } from './escape';

/** Text that a spreadsheet will not read as a formula (and that holds no control character). */
export function neutraliseCell(text: string): string {
  return csvText(text);
}

/** One CSV field (RFC 4180 quoting), neutralised when it is text. `undefined` and `null` are empty cells. */
export function csvField(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : csvText(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV document from rows of fields; lines end with CRLF when asked (some importers want it), else LF. */
export function csvDocument(rows: Array<Array<string | number | undefined | null>>, eol: '\n' | '\r\n' = '\n'): string {
  return rows.map((row) => row.map(csvField).join(',')).join(eol) + eol;
}
