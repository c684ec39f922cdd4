// Reading input files from a user's repo without hanging or exhausting memory: only regular files
// (a FIFO would block, /dev/zero would never end), and only up to a size that no real config
// reaches. The path is stat()ed first, so a FIFO or device is never even opened (opening some
// devices has side effects); the file is then opened once and checked again through its
// descriptor, so a swap between the check and the read cannot slip a FIFO or device in.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { errnoText } from './errno.js';
import { printableLine } from './text.js';
import { CpdError, EXIT } from '../errors.js';

/** Larger than any real platformio.ini or compose file by far. */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;

/**
 * Why a file was not read: an errno from stat/open (`ENOENT`, `EACCES`, ...: the file cannot be
 * opened), `EISDIR` (a directory), `ENOTREG` (a FIFO, device or socket) or `EFBIG` (too large).
 */
export type InputFileCode = string;

export class InputFileError extends CpdError {
  readonly exitCode = EXIT.input;
  constructor(
    message: string,
    readonly path: string,
    readonly code: InputFileCode = 'EIO',
  ) {
    super(message);
    this.name = 'InputFileError';
  }

  /** true when the file could not be opened at all (missing, unreadable, a directory), as open() in Python would fail. */
  get cannotOpen(): boolean {
    return this.code !== 'ENOTREG' && this.code !== 'EFBIG';
  }
}

/**
 * The UTF-8 text of `path`, which must be a regular file of at most `maxBytes`.
 * `label` names the file in errors (a path relative to the project, usually).
 * O_NONBLOCK keeps open() of a FIFO from waiting for a writer; the fstat check then rejects it.
 * Files whose size the kernel reports as 0 (/proc) are read up to `maxBytes` and no further.
 */
export function readInputFile(path: string, label = path, maxBytes = MAX_INPUT_BYTES): string {
  const name = printableLine(label);
  const check = (st: Stats) => {
    if (st.isDirectory()) throw new InputFileError(`${name}: is a directory, not a file`, path, 'EISDIR');
    if (!st.isFile()) throw new InputFileError(`${name}: not a regular file (${kind(st)}); refusing to read it`, path, 'ENOTREG');
    if (st.size > maxBytes) throw new InputFileError(`${name}: ${st.size} bytes, more than the ${maxBytes} this tool reads`, path, 'EFBIG');
  };
  const failed = (e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    return new InputFileError(`${name}: cannot be read (${code ?? (e as Error).message})`, path, code ?? 'EIO');
  };
  try {
    check(statSync(path));
  } catch (e) {
    throw e instanceof InputFileError ? e : failed(e);
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
  } catch (e) {
    throw failed(e);
  }
  try {
    check(fstatSync(fd));
    const chunks: Buffer[] = [];
    let n = 0;
    for (;;) {
      const buf = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - n));
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      chunks.push(buf.subarray(0, got));
      n += got;
      if (n > maxBytes) throw new InputFileError(`${name}: more than the ${maxBytes} bytes this tool reads`, path, 'EFBIG');
    }
    return Buffer.concat(chunks, n).toString('utf8');
  } catch (e) {
    throw e instanceof InputFileError ? e : failed(e);
  } finally {
    closeSync(fd);
  }
}

function kind(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/**
 * A short sentence for a file that was not read: "LABEL is a directory", "LABEL is not a regular
 * file", "LABEL is larger than N MiB", or "cannot read LABEL: REASON". For callers that word their
 * own errors (verify, the build context) around readInputFile.
 */
export function unreadable(e: InputFileError, label: string, maxBytes = MAX_INPUT_BYTES): string {
  const name = printableLine(label);
  if (e.code === 'EISDIR') return `${name} is a directory, not a file`;
  if (e.code === 'ENOTREG') return `${name} is not a regular file`;
  if (e.code === 'EFBIG') return `${name} is larger than ${maxBytes / 1024 / 1024} MiB`;
  return `cannot read ${name}: ${errnoText(e.code) ?? e.code}`;
}
