// Temp files a killed run left (SIGKILL, a power cut: the only ways to stop a write half-way) are
// removed by the next run that writes. Only what this tool itself names `.NAME.cpd-PID-XXXXXXXX.tmp`
// for a file NAME it computes, in that file's folder, as a regular file owned by the current user,
// and only when no process PID is alive (a run still under way keeps its own). Never a backup
// (`.old`): that is the user's file as it was before the killed run.
import { readdirSync, unlinkSync } from 'node:fs';
import { at, type DirHandles, lstatAt } from './dir-handles.js';

const STALE = /^\.(.+)\.cpd-(\d+)-[0-9a-f]{8}\.tmp$/;

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes stale temp files beside `paths` (relative, `/`-separated); returns the ones removed. */
export function removeStaleTemps(h: DirHandles, paths: readonly string[]): string[] {
  const byFolder = new Map<string, Set<string>>();
  for (const p of paths) {
    const i = p.lastIndexOf('/');
    const folder = i < 0 ? '' : p.slice(0, i);
    if (!byFolder.has(folder)) byFolder.set(folder, new Set());
    byFolder.get(folder)!.add(p.slice(i + 1));
  }
  const euid = process.geteuid?.();
  const removed: string[] = [];
  for (const [folder, names] of byFolder) {
    try {
      const dir = h.folder(folder === '' ? [] : folder.split('/'));
      if (dir.kind !== 'dir') continue;
      for (const entry of readdirSync(at(dir.fd, '.'))) {
        const m = STALE.exec(entry);
        if (!m || !names.has(m[1]) || alive(Number(m[2]))) continue;
        const st = lstatAt(dir.fd, entry);
        if (!st?.isFile() || st.uid !== euid) continue;
        try {
          unlinkSync(at(dir.fd, entry));
          removed.push(folder === '' ? entry : `${folder}/${entry}`);
        } catch {
          /* gone already, or not ours to remove */
        }
      }
    } catch {
      /* an unreadable folder: nothing to clean there */
    }
  }
  return removed.sort();
}
