// The 3-way decision for one generated file: base = what we generated last time, ours = the
// file on disk, theirs = the new rendering. Pure: no file system.
import { basename } from 'node:path';
import { merge3 } from './diff3.js';
import { mergeCompose } from './merge-compose.js';

export type FileStatus =
  | 'created'
  | 'updated'
  | 'merged'
  | 'kept (yours)'
  | 'CONFLICT'
  | 'deleted by you, left deleted'
  | 'unchanged'
  | 'removed (no longer generated)'
  | 'kept (yours; no longer generated)'
  // Exists, differs, and was never generated here (or no base can be trusted): not written.
  | 'IN THE WAY'
  | 'kept (yours, as you chose)'
  | 'overwritten'
  | 'SYMLINK, not written'
  | 'symlink replaced (--force)'
  | 'BLOCKED';

/** Statuses that stop the run before anything is written. */
export const BLOCKING: ReadonlySet<FileStatus> = new Set(['IN THE WAY', 'SYMLINK, not written', 'BLOCKED']);

export interface FilePlan {
  path: string;
  status: FileStatus;
  /** On disk now; null when absent (or not a readable regular file). */
  ours: string | null;
  /** What the file holds after the run; null when absent. */
  result: string | null;
  executable: boolean;
  /** For conflicts in compose files: the keys both sides changed. */
  conflictPaths: string[];
  /** Why the file is in the way or blocked. */
  why?: string;
  /** A kept file (yours): what it lacks that the other generated files rely on (src/pipeline/kept.ts). */
  lacks?: string;
}

const isCompose = (path: string) => /^compose[^/]*\.ya?ml$/.test(basename(path));

/**
 * Every line ends in CRLF (a checkout with git's autocrlf, an editor on Windows): the file is merged
 * with LF endings, as generated, and written back with CRLF. A file with mixed endings is merged as
 * it is (its CRs are part of its lines).
 */
export const isCrlf = (text: string) => text.includes('\r\n') && !/(^|[^\r])\n/.test(text);
const toLf = (text: string) => text.replaceAll('\r\n', '\n');
const toCrlf = (text: string) => text.replaceAll('\n', '\r\n');

/**
 * The 3-way decision for one regular file (or absent). `theirs` null: no longer generated.
 * `base` null: never generated here, or no base can be trusted. A CRLF file (isCrlf) is decided
 * on its LF form and keeps its CRLF endings: only the lines that change are touched.
 */
export function planFile(path: string, base: string | null, ours: string | null, theirs: string | null, executable: boolean): FilePlan {
  if (ours !== null && isCrlf(ours) && !(base ?? '').includes('\r') && !(theirs ?? '').includes('\r')) {
    const lf = toLf(ours);
    const p = planLf(path, base, lf, theirs, executable);
    return { ...p, ours, result: p.result === null ? null : p.result === lf ? ours : toCrlf(p.result) };
  }
  return planLf(path, base, ours, theirs, executable);
}

function planLf(path: string, base: string | null, ours: string | null, theirs: string | null, executable: boolean): FilePlan {
  const plan = (status: FileStatus, result: string | null, conflictPaths: string[] = []): FilePlan => ({ path, status, ours, result, executable, conflictPaths });
  if (theirs === null) {
    if (ours === null) return plan('unchanged', null);
    if (ours === base) return plan('removed (no longer generated)', null);
    return plan('kept (yours; no longer generated)', ours);
  }
  if (ours === null) return base === null ? plan('created', theirs) : plan('deleted by you, left deleted', null);
  if (ours === theirs) return plan('unchanged', ours);
  if (base === null) return plan('IN THE WAY', ours);
  if (ours === base) return plan('updated', theirs);
  if (theirs === base) return plan('kept (yours)', ours);
  const m = isCompose(path) ? mergeCompose(base, ours, theirs) : { ...merge3(base, ours, theirs), conflictPaths: [] };
  return m.conflicts ? plan('CONFLICT', m.text, m.conflictPaths) : plan('merged', m.text);
}
