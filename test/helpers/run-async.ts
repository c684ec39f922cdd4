// A child process that does not block this process's event loop: a local index or proxy served
// from the test itself (test/helpers/pip-index.ts, go-proxy.ts) answers while the command runs.
import { spawn } from 'node:child_process';
import * as assert from 'uvu/assert';

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runAsync(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => resolve({ status: null, stdout, stderr: `${stderr}${e.message}` }));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Asserts exit 0, with the output in the message. */
export const ok = (r: Ran, what: string) => assert.is(r.status, 0, `${what}:\n${r.stdout}\n${r.stderr}`);
