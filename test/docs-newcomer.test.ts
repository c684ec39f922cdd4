// What a newcomer reads in docs/DOCKER.md agrees with what the tool and the other files do:
// the native unit tests' command is the one scripts/local-ci.sh and the workflow run, the
// clean-up `down` names the profiles (compose sees no service otherwise), and the "Commit:" list
// holds every folder of the printed `git add` line (.devcontainer/ included).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { removeProject, runCli, tempProject } from './helpers/cli.js';

const test = suite('docs for a newcomer');
const INI = '[platformio]\ndefault_envs = uno\n\n[env:uno]\nplatform = atmelavr\nboard = uno\n\n[env:native]\nplatform = native\n';

test('native tests: docs, local-ci.sh and the workflow run `build test -e ENV` in the builder', () => {
  const dir = tempProject({ 'platformio.ini': INI });
  try {
    const r = runCli(['--yes', '--ci', 'github'], dir);
    assert.is(r.code, 0, r.stderr);
    const docs = readFileSync(join(dir, 'docs/DOCKER.md'), 'utf8');
    const quick = docs.slice(docs.indexOf('## Quick start'), docs.indexOf('\n## ', docs.indexOf('## Quick start') + 1));
    assert.match(quick, /^docker compose -f compose\.build\.yaml run --rm build test -e native +# /m);
    // The build service's command is the build entrypoint: `test -e ENV` reaches `pio test -e ENV`, as in CI.
    assert.match(readFileSync(join(dir, 'scripts/local-ci.sh'), 'utf8'), /in_builder test -e "\$env"/);
    assert.match(readFileSync(join(dir, '.github/workflows/docker-build.yml'), 'utf8'), /command=\(test -e "\$PIO_ENV"\)/);

    assert.match(docs, /`docker compose -f compose\.build\.yaml --profile '\*' down`/);
    assert.not.match(docs, /compose\.build\.yaml down`/);

    const gitAdd = r.stdout.match(/^ {2}git add (.*)$/m)?.[1].split(' ') ?? [];
    assert.ok(gitAdd.includes('.devcontainer/'), r.stdout);
    const commit = docs.match(/^Commit: ([\s\S]*?)\n\n/m)?.[1] ?? '';
    // A folder is listed as itself or by a file in it (.github/ by its workflow).
    for (const path of gitAdd) assert.ok(commit.includes(path.endsWith('/') ? `\`${path}` : `\`${path}\``), `Commit: lists ${path}: ${commit}`);
  } finally {
    removeProject(dir);
  }
});

test.run();
