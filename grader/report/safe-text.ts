// Text that came from the code under test (error messages, thrown values, what it printed) or from a submission's
// file names is hostile: it may carry terminal escape sequences (clear the screen, set the title, move the cursor
// and print a fake "43/43 passed"), carriage returns that overwrite a line, or bidirectional overrides that make
// text read differently from what it is. Such characters are shown as visible escapes instead. The names here are
// kept for their callers; the one implementation is escape.ts (`neutralise`), which every output format uses.

import { neutralise, neutraliseLine } from './escape';

/** The text with every control character that could act on a terminal replaced by a visible `\uXXXX`. */
export function visibleControls(text: string): string {
  return neutralise(text);
}

/** Like visibleControls, for a one-line value (a name): newlines and tabs are made visible too. */
export function visibleOneLine(text: string): string {
  return neutraliseLine(text);
}
