// `migrate` on the shapes of real split setups that used to block a whole repository (issue 22): a
// template deep in the tree beside a plain split setup, overrides with compose v2's `!reset` /
// `!override`, a base named like no compose file (`lib/shop.base.yml`) with overlays that only patch
// its service, extensions that need each other (and one compose cannot load), an `include:` project.
// Each runs with compose v2 as the judge and with the fallback (CPD_MIGRATE_COMPOSE=none). Also the
// trust points of issue 19 for migrate: compose's error text never echoes a secret, progress on
// stderr for long runs, bounded reads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, snapshot, type CliResult } from './helpers/cli.js';
import { bothWays, cleanup, composeConfig as config, copyFixture as copyShared, HAS_V2, read, type Mode } from './helpers/migrate-fixtures.js';

const SOME_SKIPPED = 3;
const copyFixture = (name: string) => copyShared(name, 'cpd-migrate-shapes-');

/** The commands table of the proposal: [old, found in, new, verdict] per row. */
function rows(stdout: string): string[][] {
  const out: string[][] = [];
  let inTable = false;
  for (const line of stdout.split('\n')) {
    if (/^ {2}old command\s{2,}found in/.test(line)) inTable = true;
    else if (inTable && /^ {2}docker compose/.test(line)) out.push(line.trim().split(/\s{2,}/));
    else inTable = false;
  }
  return out;
}

/** With compose v2 every row compares equal; with the fallback none was run. */
function allEqual(r: CliResult, mode: Mode): void {
  const table = rows(r.stdout);
  assert.ok(table.length > 0, r.stdout);
  for (const row of table) assert.is(row[3], mode.name === 'compose v2' ? 'equal' : 'not run (fallback)', row.join(' | '));
}

bothWays('a template deep in the tree is skipped with its reason; the split setup beside it migrates (exit 3)', (mode) => {
  const dir = copyFixture('template-beside-split');
  try {
    const template = 'templates/{{cookiecutter.slug}}/deploy/docker-compose.yml';
    const before = read(dir, template);
    const r = runCli(['migrate', dir, '--yes'], dir, mode.env);
    assert.is(r.code, SOME_SKIPPED, r.stderr);
    assert.match(r.stdout, mode.method);
    allEqual(r, mode);
    assert.match(r.stderr, `skipped: cannot migrate ${template}: template syntax`);
    assert.match(r.stderr, 'set(s) or file(s) skipped (see above); the others were migrated.');
    assert.match(r.stdout, 'wrote compose.yaml');
    assert.is(read(dir, template), before, 'the template is left as it is');
    assert.not.ok(existsSync(join(dir, `${template}.bak`)));
    const guide = read(dir, 'docs/MIGRATION.md');
    assert.match(guide, '## Left as they were');
    assert.match(guide, `- ${template}: template syntax`);
    if (HAS_V2) assert.is(config(dir, '--profile', 'dev').services['web-dev'].environment.NGINX_DEBUG, '1');
  } finally {
    cleanup(dir);
  }
});

bothWays('overrides with !reset and !override: carried through the merge with compose v2 as the judge; the fallback refuses them', (mode) => {
  const dir = copyFixture('reset-override');
  try {
    const before = snapshot(dir);
    const r = runCli(['migrate', dir, '--yes'], dir, mode.env);
    if (mode.name === 'fallback') {
      assert.is(r.code, 1, r.stdout);
      assert.match(r.stderr, /overrides\/compose\.local\.yaml, overrides\/compose\.test\.yaml use compose v2's merge tags \(!override, !reset\), which only compose v2 can check/);
      assert.equal(snapshot(dir), before);
      return;
    }
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, mode.method);
    allEqual(r, mode);
    assert.match(r.stdout, /docker compose -f docker-compose\.yml -f overrides\/compose\.local\.yaml up -d +inferred +docker compose -f compose\.yaml --profile dev up -d +equal/);
    const out = read(dir, 'compose.yaml');
    assert.not.match(out, /!reset|!override/, 'the tags did their work in the merge');
    const local = config(dir, '--profile', 'dev').services;
    assert.equal(local['api-dev'].environment, { LOG_LEVEL: 'debug' }, '!override replaced the environment');
    assert.equal(local['api-dev'].command, ['serve', '--reload']);
    assert.is(local['cache-dev'].ports, undefined, '!reset removed the ports');
    const t = config(dir, '--profile', 'test').services;
    assert.is(t['api-test'].ports, undefined);
    assert.equal(t['api-test'].environment, { LOG_LEVEL: 'info', WORKERS: '1' });
  } finally {
    cleanup(dir);
  }
  // a whole service overridden (replaced, not merged) or reset (gone)
  const fresh = copyFixture('reset-override');
  try {
    writeFileSync(join(fresh, 'alt.yml'), 'services:\n  api: !override\n    image: example/api:3.0\n  cache: !reset {}\n');
    const whole = runCli(['migrate', fresh, '--dry-run'], fresh, mode.env);
    assert.is(whole.code, 0, whole.stderr);
    allEqual(whole, mode);
    assert.match(whole.stdout, /api-alt \(was api\) +app service +alt +alt\.yml\n/);
    assert.match(whole.stdout, /^ {2}cache +app service +default, test +docker-compose\.yml$/m, 'no cache in profile alt');
  } finally {
    cleanup(fresh);
  }
});

bothWays('a base found by its content (lib/shop.base.yml) with overlays that only patch its service: one profile per overlay', (mode) => {
  const dir = copyFixture('content-base');
  try {
    const dry = runCli(['migrate', dir, '--dry-run'], dir, mode.env);
    assert.is(dry.code, 0, dry.stderr);
    assert.not.match(dry.stdout, 'Nothing to migrate');
    assert.match(dry.stdout, mode.method);
    allEqual(dry, mode);
    const table = rows(dry.stdout).map((row) => `${row[0]} -> ${row[2]}`);
    assert.equal(table, [
      'docker compose -f lib/shop.base.yml up -d -> docker compose -f lib/compose.yaml --profile default up -d',
      'docker compose -f lib/shop.base.yml -f lib/shop.debug.yml up -d -> docker compose -f lib/compose.yaml --profile debug up -d',
      'docker compose -f lib/shop.base.yml -f lib/shop.mailer.yml up -d -> docker compose -f lib/compose.yaml --profile mailer up -d',
      'docker compose -f lib/shop.base.yml -f lib/shop.sources.yml up -d -> docker compose -f lib/compose.yaml --profile sources up -d',
    ]);
    const r = runCli(['migrate', dir, '--yes'], dir, mode.env);
    assert.is(r.code, 0, r.stderr);
    assert.ok(existsSync(join(dir, 'lib/shop.debug.yml.bak')));
    if (HAS_V2) {
      const debug = config(join(dir, 'lib'), '--profile', 'debug');
      assert.equal(Object.keys(debug.services).sort(), ['db', 'shop-debug']);
      assert.is(debug.services['shop-debug'].environment.SHOP_DEBUG, 'true');
      assert.is(debug.volumes!['db-data'].name, 'lib_db-data', 'same project name, same volume');
    }
  } finally {
    cleanup(dir);
  }
});

bothWays('extensions that need each other are combined; an inferred command compose v2 cannot load is left out and said so', (mode) => {
  const dir = copyFixture('extension-deps');
  try {
    const r = runCli(['migrate', dir, '--yes'], dir, mode.env);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, mode.method);
    assert.match(r.stdout, /docker compose -f docker-compose\.yml -f extensions\/metrics\.yml -f extensions\/dashboards\.yml up -d +inferred/);
    assert.not.match(r.stdout, /-f docker-compose\.yml -f extensions\/dashboards\.yml/, 'dashboards never runs without the metrics it reads');
    if (mode.name === 'compose v2') {
      allEqual(r, mode);
      assert.match(r.stdout, 'note: the inferred command -f docker-compose.yml -f extensions/tracing.yml was left out: compose v2 cannot load it (service "app" depends on undefined service "otel-collector"');
      assert.match(r.stdout, 'extensions/tracing.yml: no command compose v2 can load combines it with the others; left as it is');
      assert.ok(existsSync(join(dir, 'extensions/tracing.yml')), 'the file no command can load stays where it was');
      assert.match(read(dir, 'docs/MIGRATION.md'), 'was left out: compose v2 cannot load it');
      assert.equal(Object.keys(config(dir, '--profile', 'dashboards').services).sort(), ['app', 'grafana', 'prometheus']);
    }
  } finally {
    cleanup(dir);
  }
});

bothWays('an include: project: the new file keeps include:, the overlay becomes a profile; the fallback refuses it', (mode) => {
  const dir = copyFixture('include-project');
  try {
    const before = snapshot(dir);
    const r = runCli(['migrate', dir, '--yes'], dir, mode.env);
    if (mode.name === 'fallback') {
      assert.is(r.code, 1, r.stdout);
      assert.match(r.stderr, 'include: is resolved by compose v2, which is needed to check it');
      assert.equal(snapshot(dir), before);
      return;
    }
    assert.is(r.code, 0, r.stderr);
    allEqual(r, mode);
    assert.match(r.stdout, 'db/compose.db.yml: included by docker-compose.yml; left as it is');
    const out = read(dir, 'compose.yaml');
    assert.match(out, 'include:\n  - db/compose.db.yml\n');
    assert.not.match(out, /^ {2}db:/m, 'the included service is not copied');
    assert.is(read(dir, 'db/compose.db.yml'), before.get('db/compose.db.yml')!.content);
    const dev = config(dir, '--profile', 'dev');
    assert.equal(Object.keys(dev.services).sort(), ['app-dev', 'db']);
    assert.is(dev.services.db.environment.POSTGRES_DB, 'app');
  } finally {
    cleanup(dir);
  }
});

test('include: outside the project, in a loop, or fanning out past the limit: the including file is skipped with the reason, in time', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ 'docker-compose.yml': 'include:\n  - ../outside.yml\nservices:\n  a:\n    image: x\n' }, /docker-compose\.yml: include: \.\.\/outside\.yml is outside the project folder/],
    [{ 'docker-compose.yml': 'include:\n  - b.yml\nservices:\n  a:\n    image: x\n', 'b.yml': 'include:\n  - docker-compose.yml\nservices:\n  b:\n    image: x\n' }, /b\.yml: include: loop through docker-compose\.yml/],
    [
      {
        'docker-compose.yml': `include:\n${Array.from({ length: 30 }, (_, i) => `  - p${i}.yml\n`).join('')}services:\n  a:\n    image: x\n`,
        ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`p${i}.yml`, `include:\n${Array.from({ length: 30 }, (_, j) => `  - q${j}.yml\n`).join('')}`])),
        ...Object.fromEntries(Array.from({ length: 30 }, (_, j) => [`q${j}.yml`, `services:\n  q${j}:\n    image: x\n`])),
      },
      /\.yml: include: brings in more than 200 files/,
    ],
  ];
  for (const [files, message] of cases) {
    const dir = join(mkdtempSync(join(tmpdir(), 'cpd-migrate-shapes-')), 'inc');
    try {
      for (const [p, text] of Object.entries(files)) {
        mkdirSync(join(dir, p, '..'), { recursive: true });
        writeFileSync(join(dir, p), text);
      }
      const t = Date.now();
      const r = runCli(['migrate', dir, '--dry-run'], dir);
      assert.ok(Date.now() - t < 20_000);
      assert.is(r.code, 2, r.stdout);
      assert.match(r.stderr, message);
      assert.not.match(r.stderr, /unexpected error|\n\s+at /);
    } finally {
      cleanup(dir);
    }
  }
});

// --- issue 19: secrets, progress, bounded reads --------------------------------------------------

const SECRET = 'hunter2-S3cr3t';

bothWays('an env_file with a broken quoted secret: compose\'s error text is redacted in stdout, stderr and MIGRATION.md', (mode) => {
  const dir = copyFixture('env-secret');
  try {
    const dry = runCli(['migrate', dir, '--dry-run'], dir, mode.env);
    const r = runCli(['migrate', dir, '--yes'], dir, mode.env);
    assert.is(r.code, 0, r.stderr);
    for (const text of [dry.stdout, dry.stderr, r.stdout, r.stderr, read(dir, 'docs/MIGRATION.md')]) assert.not.ok(text.includes(SECRET), text);
    if (mode.name === 'compose v2') {
      // compose v2 did fail on it, and said where: only the value is hidden
      assert.match(dry.stdout, 'compose v2 cannot load the old files: old: line 4: unterminated quoted value "***');
      assert.match(read(dir, 'docs/MIGRATION.md'), 'unterminated quoted value "***');
    }
  } finally {
    cleanup(dir);
  }
});

bothWays('an env_file outside the repository: its values are not echoed either', (mode) => {
  const dir = copyFixture('env-secret');
  try {
    writeFileSync(join(dir, '..', 'outside.env'), `TOKEN_PART='${SECRET}\n`);
    writeFileSync(join(dir, 'app.env'), 'APP_NAME=demo\n');
    writeFileSync(join(dir, 'docker-compose.yml'), read(dir, 'docker-compose.yml').replace('env_file: app.env', 'env_file: [app.env, ../outside.env]'));
    const r = runCli(['migrate', dir, '--dry-run'], dir, mode.env);
    assert.is(r.code, 0, r.stderr);
    assert.not.ok(r.stdout.includes(SECRET) || r.stderr.includes(SECRET), r.stdout);
    if (mode.name === 'compose v2') assert.match(r.stdout, 'unterminated quoted value');
  } finally {
    cleanup(dir);
  }
});

test('progress: a line on stderr every CPD_PROGRESS_MS while sets are checked; stdout is the same as without', () => {
  if (!HAS_V2) {
    console.log('  (skipped: no compose v2 here)');
    return;
  }
  const dir = copyFixture('reset-override');
  try {
    const quiet = runCli(['migrate', dir, '--dry-run'], dir);
    assert.is(quiet.stderr, '', 'a short run prints no progress');
    const r = runCli(['migrate', dir, '--dry-run'], dir, { CPD_PROGRESS_MS: '20' });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, /^migrate: checked 0 of 1 sets, \d+ s so far \(at \.\)$/m);
    assert.is(r.stdout, quiet.stdout);
  } finally {
    cleanup(dir);
  }
});

test('bounded reads: a 700 MB sparse .env is refused at once, in one line', () => {
  const dir = copyFixture('env-secret');
  try {
    execFileSync('truncate', ['-s', '700M', join(dir, '.env')]);
    const t = Date.now();
    const r = runCli(['migrate', dir, '--dry-run'], dir);
    assert.ok(Date.now() - t < 20_000, `took ${Date.now() - t} ms`);
    assert.is(r.code, 2, r.stdout);
    assert.match(r.stderr, /^error: cannot migrate \.env: 700 MiB, more than the 4 MiB this tool reads$/m);
    assert.not.match(r.stderr, /unexpected error|\n\s+at /);
  } finally {
    cleanup(dir);
  }
});

test('bounded reads: a 700 MB sparse file where docs/MIGRATION.md goes is not read; nothing written', () => {
  const dir = copyFixture('template-beside-split');
  try {
    mkdirSync(join(dir, 'docs'));
    execFileSync('truncate', ['-s', '700M', join(dir, 'docs/MIGRATION.md')]);
    const t = Date.now();
    const r = runCli(['migrate', dir, '--yes'], dir, { CPD_MIGRATE_COMPOSE: 'none' });
    assert.ok(Date.now() - t < 20_000, `took ${Date.now() - t} ms`);
    assert.is(r.code, 1, r.stdout);
    assert.match(r.stderr, /^error: docs\/MIGRATION\.md is larger than 4 MiB; migrate does not replace or move it$/m);
    assert.match(r.stderr, 'Nothing was changed.');
    assert.not.ok(existsSync(join(dir, 'compose.yaml')));
  } finally {
    cleanup(dir);
  }
});

test.run();
