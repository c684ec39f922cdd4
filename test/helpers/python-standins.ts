// The python-wheels stand-ins, since neither manylinux images nor PyPI are reachable here:
// - a manylinux base made from Debian (TEST_IMAGES.python + gcc, python3-dev, patchelf; CPython 3.11
//   at /opt/python/cp311-cp311) with an `auditwheel` TEST STAND-IN;
// - a clean `python:3.11-slim` stand-in (Debian's python3 as `python`, pip allowed) for the installs;
// - Debian's setuptools and wheel wheels, for a local index that pip's isolated builds download from.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETUP_HINT, TEST_IMAGES } from './engine.js';
import { ok, runAsync } from './run-async.js';

// auditwheel TEST STAND-IN: strict where the real one is (a wheel that is no zip, has no compiled
// module or is not linux_x86_64 fails); repairing is only a rename (nothing to vendor on Debian).
const AUDITWHEEL_STANDIN = `#!/usr/bin/python3
"""auditwheel TEST STAND-IN (create-pio-docker tests): checks and renames, vendors nothing."""
import os, shutil, sys, zipfile
args = sys.argv[1:]
if len(args) != 4 or args[0] != "repair" or args[2] != "-w":
    sys.exit("auditwheel stand-in: usage: auditwheel repair WHEEL -w DIR")
wheel, out = args[1], args[3]
name = os.path.basename(wheel)
if not name.endswith("-linux_x86_64.whl"):
    sys.exit(f"auditwheel stand-in: {name} is not a linux_x86_64 wheel")
with zipfile.ZipFile(wheel) as z:
    if not any(n.endswith(".so") for n in z.namelist()):
        sys.exit(f"auditwheel stand-in: {name} has no compiled module")
os.makedirs(out, exist_ok=True)
shutil.copy(wheel, os.path.join(out, name.replace("-linux_x86_64.whl", "-manylinux_2_28_x86_64.whl")))
`;

const MANYLINUX_DOCKERFILE = `FROM ${TEST_IMAGES.python}
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev python3-dev patchelf && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /opt/python/cp311-cp311/bin && ln -s /usr/bin/python3.11 /opt/python/cp311-cp311/bin/python
COPY auditwheel /usr/local/bin/auditwheel
`;

const SLIM_DOCKERFILE = `FROM ${TEST_IMAGES.python}
RUN rm -f /usr/lib/python3*/EXTERNALLY-MANAGED && ln -s /usr/bin/python3 /usr/local/bin/python
`;

/** Builds the manylinux stand-in as `manylinux` and the clean image as `SLIM_REPO:3.11-slim`; `work` holds their contexts. */
export async function buildPythonStandins(work: string, tags: { manylinux: string; slimRepo: string }): Promise<void> {
  const base = join(work, 'manylinux-standin');
  mkdirSync(base);
  writeFileSync(join(base, 'Dockerfile'), MANYLINUX_DOCKERFILE);
  writeFileSync(join(base, 'auditwheel'), AUDITWHEEL_STANDIN, { mode: 0o755 });
  ok(await runAsync('docker', ['build', '-q', '-t', tags.manylinux, base]), 'manylinux stand-in');
  const slim = join(work, 'slim-standin');
  mkdirSync(slim);
  writeFileSync(join(slim, 'Dockerfile'), SLIM_DOCKERFILE);
  ok(await runAsync('docker', ['build', '-q', '-t', `${tags.slimRepo}:3.11-slim`, slim]), 'python:3.11-slim stand-in');
}

/** Debian's setuptools and wheel wheels (python3-setuptools-whl, python3-wheel-whl): pip's build dependencies. */
export function debianBuildWheels(): string[] {
  const dir = '/usr/share/python-wheels';
  const found = existsSync(dir) ? readdirSync(dir).filter((f) => /^(setuptools|wheel)-.*\.whl$/.test(f)) : [];
  if (found.length !== 2) throw new Error(`setuptools and wheel wheels missing in ${dir} (${SETUP_HINT})`);
  return found.map((f) => join(dir, f));
}
