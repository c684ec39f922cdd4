// What verify reads from the project and the command line, checked before it connects to an
// engine: a bad input ends the run with one `error:` line and exit 2, never with a stack trace.
import { accessSync, closeSync, constants, fchmodSync, fchownSync, lstatSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { fsReason } from '../core/safety/errno.js';
import { InputFileError, readInputFile as readSafely, unreadable } from '../core/safety/read.js';
import { CpdError, EXIT } from '../core/errors.js';


const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

/** Bad input to verify (a flag, a project file): one line, exit 2. */
export class VerifyInputError extends CpdError {
  readonly exitCode = EXIT.input;
  constructor(message: string) {
    super(message);
    this.name = 'VerifyInputError';
  }
}

/** The text of a regular file of at most 4 MiB (a FIFO or device is refused, not read). */
export function readInputFile(path: string, label = path): string {
  try {
    return readSafely(path, label);
  } catch (e) {
    if (e instanceof InputFileError) throw new VerifyInputError(unreadable(e, label));
    throw e;
  }
}

export interface ComposeService {
  image?: string;
  build?: { target?: string };
  profiles?: string[];
}

/** The services of a compose file; anything that is not a mapping counts as no service. */
export function readComposeServices(path: string, label = path): Record<string, ComposeService> {
  const text = readInputFile(path, label);
  let doc: unknown;
  try {
    doc = parse(text, { merge: true });
  } catch (e) {
    throw new VerifyInputError(`${label} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const isMap = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const services = isMap(doc) && isMap(doc.services) ? doc.services : {};
  const out: Record<string, ComposeService> = {};
  for (const [name, s] of Object.entries(services)) {
    if (!isMap(s)) continue;
    const build = isMap(s.build) ? { target: typeof s.build.target === 'string' ? s.build.target : undefined } : undefined;
    out[name] = {
      image: typeof s.image === 'string' ? s.image : undefined,
      build,
      profiles: Array.isArray(s.profiles) ? s.profiles.filter((p): p is string => typeof p === 'string') : undefined,
    };
  }
  return out;
}

// --- the --json report file ----------------------------------------------------------------

/**
 * Checks up front that the report can be written to `path` at the end: its folder exists and is
 * writable, and the path is not a directory or anything but a regular file. Neither creates nor
 * truncates anything. A symlink is followed to where it points. Returns the path to write.
 */
export function checkReportPath(path: string): string {
  const flag = `--json ${path}`;
  if (!path) throw new VerifyInputError('--json needs a file name, or - for stdout');
  let target = resolve(path);
  let st: Stats | undefined;
  try {
    st = lstatSync(target);
  } catch (e) {
    if (code(e) !== 'ENOENT' && code(e) !== 'ENOTDIR') throw new VerifyInputError(`${flag}: ${fsReason(e)}`);
  }
  if (st?.isSymbolicLink()) {
    try {
      target = realpathSync.native(target);
      st = statSync(target);
    } catch (e) {
      throw new VerifyInputError(`${flag}: a symbolic link that does not resolve (${fsReason(e)})`);
    }
  }
  if (st?.isDirectory()) throw new VerifyInputError(`${flag} is a directory; give a file name`);
  if (st && !st.isFile()) throw new VerifyInputError(`${flag} is not a regular file (for stdout use --json -)`);
  const folder = dirname(target);
  let dst: Stats;
  try {
    dst = statSync(folder);
  } catch (e) {
    throw new VerifyInputError(`${flag}: folder ${folder}: ${fsReason(e)}`);
  }
  if (!dst.isDirectory()) throw new VerifyInputError(`${flag}: ${folder} is not a folder`);
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new VerifyInputError(`${flag}: folder ${folder} is not writable (${fsReason(e)})`);
  }
  return target;
}

/**
 * Writes the report atomically: a new temp file in the same folder, renamed over `target`. An
 * existing report keeps its mode (and, as root, its owner).
 */
export function writeReportFile(target: string, text: string, tag: string): void {
  const tmp = join(dirname(target), `.${basename(target)}.${tag}.tmp`);
  let old: Stats | undefined;
  try {
    old = statSync(target);
  } catch {
    /* a new file */
  }
  let created = false;
  try {
    // O_EXCL also refuses a symlink planted at the temp name.
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
    created = true;
    try {
      const buf = Buffer.from(text, 'utf8');
      for (let n = 0; n < buf.length; ) n += writeSync(fd, buf, n, buf.length - n);
      if (old?.isFile()) {
        fchmodSync(fd, old.mode & 0o7777);
        if (process.getuid?.() === 0) fchownSync(fd, old.uid, old.gid);
      }
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    if (created) rmSync(tmp, { force: true });
    throw new VerifyInputError(`could not write the JSON report to ${target}: ${fsReason(e)}`);
  }
}
