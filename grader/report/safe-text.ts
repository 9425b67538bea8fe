// Text that came from the code under test (error messages, thrown values, what it printed) or from a submission's
// file names is hostile: it may carry terminal escape sequences (clear the screen, set the title, move the cursor
// and print a fake "43/43 passed"), carriage returns that overwrite a line, or bidirectional overrides that make
// text read differently from what it is. Such characters are shown as visible escapes instead.

// C0 controls except tab and newline, DEL, C1 controls (0x9b is a one-byte CSI), and the bidi/isolate controls.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The text with every control character that could act on a terminal replaced by a visible `\uXXXX`. */
export function visibleControls(text: string): string {
  return text.replace(CONTROLS, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Like visibleControls, for a one-line value (a name): newlines and tabs are made visible too. */
export function visibleOneLine(text: string): string {
  return visibleControls(text).replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}
