// Check results: collected as verify runs, printed as a table, written as JSON.
export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
}

export class Report {
  // In table order; `null` is a place kept by `expect` for a check still running.
  private readonly entries: (Check | { pending: string })[] = [];
  readonly warnings: string[] = [];
  /** `hide` redacts every detail and warning before it is logged or kept (secrets never reach the table or JSON). */
  constructor(
    private readonly log: (line: string) => void,
    private readonly hide: (text: string) => string = (t) => t,
  ) {}

  /** The checks reported so far, in table order. */
  get checks(): Check[] {
    return this.entries.filter((e): e is Check => !('pending' in e));
  }

  /**
   * Keeps a place in the table for checks that run concurrently: each lands where it was expected,
   * whenever it ends (its line is logged at once). An expected check never reported is left out.
   */
  expect(names: string[]): void {
    for (const name of names) this.entries.push({ pending: name });
  }

  add(name: string, status: CheckStatus, detail: string): void {
    detail = this.hide(detail);
    const slot = this.entries.findIndex((e) => 'pending' in e && e.pending === name);
    if (slot >= 0) this.entries[slot] = { name, status, detail };
    else this.entries.push({ name, status, detail });
    this.log(`${status.toUpperCase().padEnd(4)} ${name}${detail ? `: ${detail}` : ''}`);
  }

  /** Whether `name` has been reported. */
  has(name: string): boolean {
    return this.checks.some((c) => c.name === name);
  }

  warn(message: string): void {
    message = this.hide(message);
    this.warnings.push(message);
    this.log(`warning: ${message}`);
  }

  get failed(): boolean {
    return this.checks.some((c) => c.status === 'fail');
  }

  table(): string {
    const width = Math.max(5, ...this.checks.map((c) => c.name.length));
    const lines = this.checks.map((c) => `${c.name.padEnd(width)}  ${c.status.padEnd(4)}  ${c.status === 'pass' ? '' : c.detail}`.trimEnd());
    const count = (s: CheckStatus) => this.checks.filter((c) => c.status === s).length;
    return [`${'check'.padEnd(width)}  result`, ...lines, '', `${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`].join('\n');
  }

  json(extra: Record<string, unknown>): string {
    return JSON.stringify({ ...extra, ok: !this.failed, warnings: this.warnings, checks: this.checks }, null, 2) + '\n';
  }
}
