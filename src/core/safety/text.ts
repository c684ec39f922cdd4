// Text that reaches a terminal: values read from a user's repo (board names, env names, file
// lines) may hold escape sequences that would move the cursor, retitle the window or hide text.

// C0 controls except tab and newline, DEL, and the C1 range (0x80-0x9f, which some terminals treat
// as CSI and friends).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `s` with every control character but tab and newline shown as a visible escape (`\x1b`). */
export function printable(s: string): string {
  return s.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** For one-line messages: newlines and tabs escaped too. */
export function printableLine(s: string): string {
  return printable(s).replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

/**
 * A value quoted in a one-line message: control characters and newlines escaped, and cut after
 * `max` characters (a 100 KB answer is not echoed back whole).
 */
export function quoted(s: string, max = 60): string {
  return s.length > max ? `"${printableLine(s.slice(0, max))}…" (${s.length} characters)` : `"${printableLine(s)}"`;
}
