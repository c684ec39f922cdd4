// Runs a shell command the way a newcomer types it into a terminal: `bash -c COMMAND` in a
// pseudo-terminal (util-linux `script`), as another user (`setpriv`: a uid that is not 1000, its own
// group, only the groups given, e.g. the docker socket's), with a small clean environment and a HOME
// of its own. When a command leaves the newcomer at a shell prompt (an interactive container shell),
// `exit` is typed, as the docs say. Needs root (setpriv changes the uid).
import { spawn } from 'node:child_process';

export interface Newcomer {
  uid: number;
  gid: number;
  /** Supplementary groups, e.g. the gid of the docker socket's group; empty: none. */
  groups: number[];
  /** HOME, a folder the user owns. */
  home: string;
  /** More environment (e.g. DOCKER_HOST); the rest is HOME, PATH, SHELL, TERM, LANG, USER. */
  env?: Record<string, string>;
}

export interface CommandRun {
  /** Exit code (128 + signal when killed); -1 when it timed out. */
  code: number;
  /** What the terminal showed (pty output: stdout and stderr together), escape sequences removed. */
  output: string;
  ms: number;
  timedOut: boolean;
  /** What was typed (e.g. `exit` at a shell prompt). */
  typed: string[];
}

const QUIET_MS = 1500;

/** Terminal output as plain text: ANSI/OSC sequences dropped, CRLF as LF, a line rewritten with CR shows its last state. */
export function plainText(raw: string): string {
  return raw
    .replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '') // OSC (window title)
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '') // CSI
    .replace(/\x1b[()][A-Za-z0-9]|\x1b[=>78]/g, '')
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map((l) => l.slice(l.lastIndexOf('\r') + 1))
    .join('\n');
}

/** The terminal waits at a shell prompt: the unfinished last line ends with `$ ` or `# `. */
const atPrompt = (raw: string) => /[$#] $/.test(plainText(raw.slice(-400)).split('\n').pop() ?? '');

export function runAsNewcomer(command: string, cwd: string, who: Newcomer, timeoutMs: number): Promise<CommandRun> {
  const ids = [`--reuid=${who.uid}`, `--regid=${who.gid}`, who.groups.length ? `--groups=${who.groups.join(',')}` : '--clear-groups'];
  const env = {
    HOME: who.home,
    PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    SHELL: '/bin/bash', // `script -c` runs $SHELL -c COMMAND
    TERM: 'xterm',
    LANG: 'C.UTF-8',
    USER: 'newcomer',
    LOGNAME: 'newcomer',
    ...who.env,
  };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('setpriv', [...ids, 'script', '-qfec', command, '/dev/null'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let raw = '';
    let lastData = Date.now();
    let typedAt = -1;
    const typed: string[] = [];
    let timedOut = false;
    const onData = (d: Buffer) => {
      raw += d.toString('utf8');
      lastData = Date.now();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const poll = setInterval(() => {
      if (Date.now() - lastData >= QUIET_MS && raw.length !== typedAt && atPrompt(raw)) {
        typedAt = raw.length;
        typed.push('exit');
        child.stdin.write('exit\r');
      }
    }, 250);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      const exit = timedOut ? -1 : code ?? 128 + (signal ? (({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }) as Record<string, number>)[signal] ?? 0 : 0);
      resolve({ code: exit, output: plainText(raw), ms: Date.now() - started, timedOut, typed });
    });
  });
}
