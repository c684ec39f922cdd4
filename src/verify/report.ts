// Check results: collected as verify runs, printed as a table, written as JSON.
export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
}

export class Report {
  readonly checks: Check[] = [];
  readonly warnings: string[] = [];
  constructor(private readonly log: (line: string) => void) {}

  add(name: string, status: CheckStatus, detail: string): void {
    this.checks.push({ name, status, detail });
    this.log(`${status.toUpperCase().padEnd(4)} ${name}${detail ? `: ${detail}` : ''}`);
  }

  warn(message: string): void {
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
