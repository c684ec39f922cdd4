// One base for the failures a user can act on. Each kind says its exit status; the CLI (report() in
// src/cli.ts) is the one place that turns one into an exit status and prints its one line.

/** Exit statuses: 1 a failure (nothing was changed), 2 the input's fault, 130 cancelled by the user. */
export const EXIT = { failed: 1, input: 2, cancelled: 130 } as const;

export abstract class CpdError extends Error {
  /** The exit status the CLI ends with when this reaches it. */
  abstract readonly exitCode: number;
  /** A line the CLI prints after the message (what to do next); none by default. */
  readonly hint?: string;
  /** Printed as it is rather than as `error: ...` (a cancellation is not an error). */
  readonly asIs?: boolean;
}
