// Root never acts inside another user's repository (git's safe.directory idea, applied to writes):
// when the process is root and the folder it was pointed at (or the repository root above it)
// belongs to another user, the process becomes that user (their uid, the folder's gid and the
// user's groups) before it reads or writes anything there. A folder swapped for a link during the
// run can then only send a write where the owner could write anyway. --as-root keeps root.
// `verify` keeps root: it talks to the Docker socket, which the owner may not be allowed to open,
// and it writes nothing into the repository (it reads it and copies it into a private temp folder).
import { lstatSync, statSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { printableLine } from '../core/safety/text.js';

/** The nearest folder from `dir` upwards that holds `.git` (lstat only: nothing is read), or null. */
function gitRootOf(dir: string): string | null {
  for (let d = dir, i = 0; i < 64; i++) {
    try {
      lstatSync(join(d, '.git'));
      return d;
    } catch {
      /* not here */
    }
    const up = dirname(d);
    if (up === d) return null;
    d = up;
  }
  return null;
}

const statOrNull = (p: string): Stats | null => {
  try {
    return statSync(p);
  } catch {
    return null;
  }
};

/** Who owns the repository at `dir`: the folder itself, else the git root above it; null when root (or unknown). */
export function repoOwner(dir: string): { uid: number; gid: number; of: string } | null {
  for (const p of [dir, gitRootOf(dir)]) {
    if (p === null) continue;
    const st = statOrNull(p);
    if (st && st.uid !== 0) return { uid: st.uid, gid: st.gid, of: p };
  }
  return null;
}

/** The user to become: set when the process is root, the repository at `dir` belongs to another user, and no --as-root. */
export function ownerToBecome(dir: string, asRoot: boolean): { uid: number; gid: number; of: string } | null {
  if (asRoot || process.geteuid?.() !== 0) return null;
  return repoOwner(dir);
}

/**
 * Becomes `owner` for good (groups, gid, uid: root cannot come back) and says so in one line on
 * stderr. The caller has loaded the tool's own files first: the owner may not be able to read them.
 */
export function becomeOwner(owner: { uid: number; gid: number; of: string }): void {
  // The owner's own groups when the system knows them, else the folder's group alone.
  try {
    // In Node since 0.9 on POSIX, missing from @types/node.
    (process as unknown as { initgroups(user: number, extraGroup: number): void }).initgroups(owner.uid, owner.gid);
  } catch {
    process.setgroups!([owner.gid]);
  }
  process.setgid!(owner.gid);
  process.setuid!(owner.uid);
  // Settings are looked for in the owner's home, not in root's, which the owner cannot read
  // (Yeoman's ~/.yo-rc-global.json, the docker CLI that migrate runs); a uid without a passwd
  // entry gets none, as Debian's system users do.
  let home = '/nonexistent';
  try {
    home = userInfo().homedir || home;
  } catch {
    /* no passwd entry */
  }
  process.env.HOME = home;
  process.stderr.write(`running as ${owner.uid}:${owner.gid}, the owner of ${printableLine(owner.of)} (--as-root keeps root)\n`);
}
