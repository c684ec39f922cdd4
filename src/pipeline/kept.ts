// A file the user kept instead of the generated one may lack what the other generated files rely
// on: a Dockerfile without the stages compose and the scripts build (`target stage builder could
// not be found` at the first build), a compose file without the services the docs run. Said at
// once, in the run's summary, not at the first build.

const stages = (dockerfile: string) => new Set([...dockerfile.matchAll(/^\s*FROM\s+\S+(?:\s+--\S+)*\s+AS\s+([A-Za-z0-9_.-]+)\s*$/gim)].map((m) => m[1].toLowerCase()));

/** Top-level keys of a YAML mapping's `services:` block, read by indentation (no parser: a kept file may not even be YAML). */
function services(compose: string): Set<string> {
  const out = new Set<string>();
  let inside = false;
  let indent = -1;
  for (const line of compose.split('\n')) {
    if (/^services:\s*(#.*)?$/.test(line)) {
      inside = true;
      continue;
    }
    if (!inside || /^\s*(#.*)?$/.test(line)) continue;
    if (/^\S/.test(line)) break;
    const m = line.match(/^(\s+)(["']?)([A-Za-z0-9_.-]+)\2\s*:/);
    if (!m) continue;
    if (indent < 0) indent = m[1].length;
    if (m[1].length === indent) out.add(m[3]);
  }
  return out;
}

/** What a kept file lacks that the generated one has, or null. Pure. */
export function keptLacks(path: string, kept: string, generated: string): string | null {
  if (/(^|\/)Dockerfile$/.test(path)) {
    const have = stages(kept);
    const missing = [...stages(generated)].filter((s) => !have.has(s));
    return missing.length ? `the stages ${missing.join(', ')} (FROM ... AS NAME) that the compose files, scripts and workflow build: a build fails with "target stage ${missing[0]} could not be found"` : null;
  }
  if (/^compose[^/]*\.ya?ml$/.test(path)) {
    const have = services(kept);
    const missing = [...services(generated)].filter((s) => !have.has(s));
    return missing.length ? `the services ${missing.join(', ')} that docs/DOCKER.md and the scripts run` : null;
  }
  return null;
}
