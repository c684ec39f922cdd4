// One wording for the file system errors a user can meet (full disk, read-only mount, a folder
// where a file goes, ...), for every message that names one.

const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EEXIST: 'already exists',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a file is where a folder is needed',
  EISDIR: 'a folder is where a file is needed',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
};

/** The sentence for an errno code (`ENOSPC`), or null for one not in the table. */
export function errnoText(code: string | undefined): string | null {
  return (code && ERRNO_TEXT[code]) || null;
}

/** The sentence for a failed file operation: its errno's, else the first line of its message. */
export function fsReason(e: unknown): string {
  return errnoText((e as NodeJS.ErrnoException).code) ?? String((e as Error).message).split('\n')[0];
}
