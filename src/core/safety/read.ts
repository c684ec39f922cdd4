// The one bounded reader for input files from a user's repo (the preset readers, platformio.ini and
// its includes, the state file, a file already at a generated path, verify's inputs): it never hangs
// and never exhausts memory.
// - type: only regular files. The path is stat()ed first, so a FIFO or device is never even opened
//   (opening some devices has side effects); the file is then opened once and checked again through
//   its descriptor, so a swap between the check and the read cannot slip a FIFO or device in.
//   `noFollow` also refuses a symlink swapped in at the path itself.
// - size: at most `maxBytes`, checked against the size the kernel reports before reading anything
//   (a 700 MB sparse file costs one stat), and again while reading (/proc reports 0).
// - time: O_NONBLOCK keeps open() of a FIFO from waiting for a writer; the parsers fed from here scan
//   linearly (no backtracking regex), so the time is bounded by the size.
// Bytes are kept: readInputText decodes UTF-8 with every byte that is not UTF-8 kept as a lone
// surrogate (U+DC80..U+DCFF, Python's "surrogateescape"), and encodeText turns it back into the very
// same bytes, so a merge of a Latin-1 line writes that line back unchanged.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, lstatSync, type Stats } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { errnoText } from './errno.js';
import { printableLine } from './text.js';
import { CpdError, EXIT } from '../errors.js';

/** Larger than any real platformio.ini, go.mod, compose file or generated file by far. */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;

/**
 * Why a file was not read: an errno from stat/open (`ENOENT`, `EACCES`, `ELOOP` for a symlink with
 * noFollow, ...: the file cannot be opened), `EISDIR` (a directory), `ENOTREG` (a FIFO, device or
 * socket) or `EFBIG` (too large).
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

export interface ReadOptions {
  /** Larger files are refused (InputFileError EFBIG). */
  maxBytes?: number;
  /** Refuse a symlink at the path itself (O_NOFOLLOW): for callers that checked it is none. */
  noFollow?: boolean;
}

/** `1.5 MiB`, `700 MiB`, `312 bytes`: sizes in one-line errors. */
export function sizeText(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const [v, unit] = n < 1024 * 1024 ? [n / 1024, 'KiB'] : n < 1024 ** 3 ? [n / 1024 / 1024, 'MiB'] : [n / 1024 ** 3, 'GiB'];
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${unit}`;
}

/** The one wording of a file too large to read (`size` null: it grew past the limit while read). */
export function tooLarge(label: string, path: string, size: number | null, maxBytes = MAX_INPUT_BYTES): InputFileError {
  const name = printableLine(label);
  return new InputFileError(`${name}: ${size === null ? '' : `${sizeText(size)}, `}more than the ${sizeText(maxBytes)} this tool reads`, path, 'EFBIG');
}

/**
 * Everything an open file holds, read until its end and never past `maxBytes` (a file that grows
 * while it is read, or that reports size 0 as /proc files do, is still bounded).
 */
export function readOpenFile(fd: number, label: string, path: string, maxBytes = MAX_INPUT_BYTES): Buffer {
  const chunks: Buffer[] = [];
  let n = 0;
  for (;;) {
    const buf = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - n));
    const got = readSync(fd, buf, 0, buf.length, null);
    if (got === 0) break;
    chunks.push(buf.subarray(0, got));
    n += got;
    if (n > maxBytes) throw tooLarge(label, path, null, maxBytes);
  }
  return Buffer.concat(chunks, n);
}

/**
 * The bytes of `path`, which must be a regular file of at most `maxBytes`.
 * `label` names the file in errors (a path relative to the project, usually).
 */
export function readInputBytes(path: string, label = path, opts: ReadOptions = {}): Buffer {
  const maxBytes = opts.maxBytes ?? MAX_INPUT_BYTES;
  const name = printableLine(label);
  const check = (st: Stats) => {
    if (st.isDirectory()) throw new InputFileError(`${name}: is a directory, not a file`, path, 'EISDIR');
    if (st.isSymbolicLink()) throw new InputFileError(`${name}: is a symlink; not read through one`, path, 'ELOOP');
    if (!st.isFile()) throw new InputFileError(`${name}: not a regular file (${kind(st)}); refusing to read it`, path, 'ENOTREG');
    if (st.size > maxBytes) throw tooLarge(label, path, st.size, maxBytes);
  };
  const failed = (e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' && opts.noFollow) return new InputFileError(`${name}: is a symlink; not read through one`, path, 'ELOOP');
    return new InputFileError(`${name}: cannot be read (${errnoText(code) ?? code ?? (e as Error).message})`, path, code ?? 'EIO');
  };
  try {
    check(opts.noFollow ? lstatSync(path) : statSync(path));
  } catch (e) {
    throw e instanceof InputFileError ? e : failed(e);
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0) | (opts.noFollow ? constants.O_NOFOLLOW : 0));
  } catch (e) {
    throw failed(e);
  }
  try {
    check(fstatSync(fd));
    return readOpenFile(fd, label, path, maxBytes);
  } catch (e) {
    throw e instanceof InputFileError ? e : failed(e);
  } finally {
    closeSync(fd);
  }
}

/**
 * The UTF-8 text of `path` (bytes that are not UTF-8 become U+FFFD): for inputs that are only
 * parsed, never written back. `maxBytes` as in readInputBytes.
 */
export function readInputFile(path: string, label = path, maxBytes = MAX_INPUT_BYTES): string {
  return readInputBytes(path, label, { maxBytes }).toString('utf8');
}

/** The text of `path` with every byte kept (see decodeText): for files a merge may write back. */
export function readInputText(path: string, label = path, opts: ReadOptions = {}): string {
  return decodeText(readInputBytes(path, label, opts));
}

/**
 * UTF-8 to a string, each byte of an invalid sequence kept as U+DC00 + byte (a lone surrogate, which
 * valid UTF-8 never yields). Valid UTF-8 (nearly every file) takes the fast path.
 */
export function decodeText(buf: Buffer): string {
  if (isUtf8(buf)) return buf.toString('utf8');
  let out = '';
  let start = 0; // start of the current run of valid bytes
  let i = 0;
  const flush = (end: number) => {
    if (end > start) out += buf.toString('utf8', start, end);
  };
  while (i < buf.length) {
    const n = validSequence(buf, i);
    if (n > 0) {
      i += n;
      continue;
    }
    flush(i);
    out += String.fromCharCode(0xdc00 + buf[i]);
    i += 1;
    start = i;
  }
  flush(i);
  return out;
}

/** Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates), or 0. */
function validSequence(b: Buffer, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

const ESCAPED = /[\udc80-\udcff]/;

/** The bytes of a string from decodeText: kept bytes go back as they were, the rest as UTF-8. */
export function encodeText(s: string): Buffer {
  if (!ESCAPED.test(s)) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A low surrogate after a high one is half of a real character, not a kept byte.
    if (c >= 0xdc80 && c <= 0xdcff && !(i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff)) {
      if (i > start) parts.push(Buffer.from(s.slice(start, i), 'utf8'));
      parts.push(Buffer.from([c - 0xdc00]));
      start = i + 1;
    }
  }
  if (start < s.length) parts.push(Buffer.from(s.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

/** Whether a string from decodeText holds bytes that are not UTF-8. */
export const hasRawBytes = (s: string) => ESCAPED.test(s);

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
 * own errors (verify, the build context) around the reader.
 */
export function unreadable(e: InputFileError, label: string, maxBytes = MAX_INPUT_BYTES): string {
  const name = printableLine(label);
  if (e.code === 'EISDIR') return `${name} is a directory, not a file`;
  if (e.code === 'ENOTREG') return `${name} is not a regular file`;
  if (e.code === 'EFBIG') return `${name} is larger than ${sizeText(maxBytes)}`;
  return `cannot read ${name}: ${errnoText(e.code) ?? e.code}`;
}
