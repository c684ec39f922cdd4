// Runs the real CLI in a pseudo-terminal (util-linux `script`), as a person at a terminal would,
// answering prompts by what appears on the screen.
import { spawn } from 'node:child_process';
import { BIN } from './cli.js';

export interface PtyStep {
  /** Wait until the output (so far) matches this... */
  when: RegExp;
  /** ...then type this (e.g. '\x03' for Ctrl-C, '\r' for Enter). */
  send: string;
}

export interface PtyResult {
  code: number;
  output: string;
  /** Steps whose text never appeared. */
  unmet: string[];
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function runInPty(args: string[], cwd: string, steps: PtyStep[] = [], timeoutMs = 20000): Promise<PtyResult> {
  const cmd = [process.execPath, BIN, ...args].map(shellQuote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'xterm', COLUMNS: '120', LINES: '40' } });
    let output = '';
    const pending = [...steps];
    let seenUpTo = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const onData = (d: Buffer) => {
      output += d.toString('utf8');
      while (pending.length && pending[0].when.test(output.slice(seenUpTo))) {
        seenUpTo = output.length;
        child.stdin.write(pending.shift()!.send);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code: code ?? (signal ? -1 : 0), output, unmet: pending.map((p) => String(p.when)) });
    });
  });
}
