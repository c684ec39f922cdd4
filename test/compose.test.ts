// The generated compose files: real `docker-compose config` for every profile, the compose-spec
// schema, dclint, and what the services do (envs, profiles, cache volume, runners, token).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import { parse, parseDocument } from 'yaml';
import { defaultAnswers, validateAnswers, type Answers } from '../src/core/answers.js';
import { STRINGIFY } from '../src/core/compose-model.js';
import { composeRenderers } from '../src/presets/platformio/render/compose.js';
import { renderContext } from '../src/presets/platformio/render/context.js';
import { renderDockerfile } from '../src/presets/platformio/render/dockerfile.js';
import { dockerfileStages, planTargets } from '../src/verify/plan.js';
import { ROOT } from './helpers/cli.js';

const IMAGES = 'compose.images.yaml';
const BUILD = 'compose.build.yaml';
const RUNNERS = 'compose.runners.yaml';

const twoEnvs = [
  { name: 'uno', board: 'uno', platform: 'atmelavr' },
  { name: 'esp32dev', board: 'esp32dev', platform: 'espressif32' },
];
const withSpace = [...twoEnvs, { name: 'esp32 debug', board: 'esp32dev', platform: 'espressif32' }];

const SETS: Record<string, Answers> = {
  default: defaultAnswers('demo-fw', twoEnvs),
  'no runners': { ...defaultAnswers('blinky', [twoEnvs[0]]), runners: { kind: 'none', dev: 0, prod: 0, labels: [] } },
  'prod only, labels, registry, two platforms': {
    ...defaultAnswers('sensor-hub', withSpace),
    user: { name: 'fw', uid: 1001, gid: 1002 },
    runners: { kind: 'github', dev: 0, prod: 3, labels: ['hil', 'esp32'] },
    image: { name: 'fw/build', registry: 'ghcr.io/acme' },
    platforms: ['linux/amd64', 'linux/arm64'],
  },
  'dev only': { ...defaultAnswers('devbox', withSpace), runners: { kind: 'github', dev: 2, prod: 0, labels: ['platformio', 'lab'] } },
  '250 envs': {
    ...defaultAnswers('big', Array.from({ length: 250 }, (_, i) => ({ name: i === 3 ? 'esp32 debug' : `env${i}`, board: 'esp32dev', platform: i === 5 ? 'native' : 'espressif32' }))),
    runners: { kind: 'github', dev: 32, prod: 32, labels: [] },
  },
};

type Svc = Record<string, any>;
type Compose = { services: Record<string, Svc>; volumes?: Record<string, { name?: string }> } & Record<string, any>;

const render = (a: Answers) => composeRenderers.flatMap((r) => r(validateAnswers(structuredClone(a))));
const files = (a: Answers) => new Map(render(a).map((f) => [f.path, f.content]));
/** Effective values, anchors and merge keys resolved. */
const effective = (text: string): Compose => parse(text, { merge: true });
const profilesOf = (c: Compose) => [...new Set(Object.values(c.services).flatMap((s) => s.profiles ?? []))].sort();

function withFiles<T>(a: Answers, fn: (dir: string, texts: Map<string, string>) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'cpd-compose-'));
  const texts = files(a);
  try {
    for (const [path, content] of texts) writeFileSync(join(dir, path), content);
    return fn(dir, texts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function compose(dir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  // Without the caller's RUNNER_* / HOST_* variables, so the defaults in the files are what is checked.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(RUNNER_|HOST_|PIP_INDEX_URL|PIP_TRUSTED_HOST|BASE_IMAGE|PLATFORMIO_VERSION|BUILD_NETWORK|PIO_JOBS)$|^(RUNNER_|HOST_)/.test(k)));
  const r = spawnSync('docker-compose', args, { cwd: dir, encoding: 'utf8', env: { ...clean, ...env } });
  if (r.error) throw r.error;
  return r;
}

for (const [name, a] of Object.entries(SETS)) {
  test(`${name}: docker-compose 1.29 config passes without a profile and for every profile`, () => {
    withFiles(a, (dir, texts) => {
      assert.equal([...texts.keys()], renderContext(a).hasRunners ? [IMAGES, BUILD, RUNNERS] : [IMAGES, BUILD]);
      for (const [file, text] of texts) {
        const profiles = profilesOf(effective(text));
        assert.ok(profiles.length > 0, `${file} has profiles`);
        for (const profile of [null, ...profiles]) {
          const args = ['-f', file, ...(profile ? ['--profile', profile] : []), 'config', '-q'];
          const r = compose(dir, args);
          assert.is(r.status, 0, `docker-compose ${args.join(' ')}:\n${r.stderr}`);
          assert.is(r.stderr, '', `docker-compose ${args.join(' ')} warns:\n${r.stderr}`);
        }
      }
    });
  });
}

test('every file passes the compose-spec JSON schema that dclint ships', () => {
  const dir = dirname(createRequire(import.meta.url).resolve('dclint/package.json'));
  const schema = JSON.parse(readFileSync(join(dir, 'schemas', 'compose.schema.json'), 'utf8'));
  delete schema.$schema;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  for (const [name, a] of Object.entries(SETS)) {
    for (const [file, text] of files(a)) {
      const ok = validate(effective(text));
      assert.ok(ok, `${name}/${file}: ${JSON.stringify(validate.errors, null, 1)}`);
    }
  }
  // The check can fail: a key compose does not know is rejected.
  const bad = effective(files(SETS.default).get(BUILD)!);
  bad.services.uno.privileged_mode = true;
  assert.not.ok(validate(bad));
});

test('only keys docker-compose 1.29 knows: no top-level name/include, no develop, no privileged', () => {
  for (const a of Object.values(SETS)) {
    for (const [file, text] of files(a)) {
      const c = effective(text);
      assert.equal(Object.keys(c).filter((k) => !k.startsWith('x-')).sort(), file === IMAGES ? ['services'] : ['services', 'volumes'], file);
      assert.not.match(text, /privileged|develop:|start_interval|required:/, file);
    }
  }
});

test('images: one service per Dockerfile target, image REPO:TARGET, shared build args, pull_policy build', () => {
  for (const a of Object.values(SETS)) {
    const c = renderContext(a);
    const text = files(a).get(IMAGES)!;
    const { services } = effective(text);
    assert.equal(Object.keys(services), c.targets);
    for (const t of c.targets) {
      const s = services[t];
      assert.is(s.image, c.imageRef(t));
      assert.is(s.pull_policy, 'build', 'dclint no-build-and-image wants a pull_policy next to build + image');
      assert.equal(s.profiles, [t, 'all']);
      assert.is(s.init, true);
      assert.equal({ ...s.build, args: undefined }, { context: '.', dockerfile: 'Dockerfile', network: '${BUILD_NETWORK:-default}', target: t, args: undefined });
      assert.equal(s.build.args, {
        BASE_IMAGE: `\${BASE_IMAGE:-${a.baseImage}}`,
        PLATFORMIO_VERSION: `\${PLATFORMIO_VERSION:-${a.platformioVersion}}`,
        USER_ID: String(a.user.uid),
        GROUP_ID: String(a.user.gid),
        PIP_INDEX_URL: '${PIP_INDEX_URL:-}',
        PIP_TRUSTED_HOST: '${PIP_TRUSTED_HOST:-}',
        ...(t === 'builder' ? { TARGET_BOARD: a.envs[0].name } : {}),
      });
    }
    assert.match(text, /^x-build: &build\n/m);
    assert.is(text.split('<<: *build\n').length - 1, c.targets.length);
    assert.match(text, /args: &build-args\n/);
    assert.match(text, /args:\n {8}<<: \*build-args\n {8}TARGET_BOARD: /);
    // Compose v1 cannot build for other platforms: the file says how instead.
    assert.match(text, new RegExp(`^# .*scripts/build-docker\\.sh --platform ${a.platforms.join(',')}${a.platforms.length > 1 ? ' --push ' : '$'}`, 'm'));
  }
  assert.match(files(SETS['prod only, labels, registry, two platforms']).get(IMAGES)!, /image: ghcr\.io\/acme\/fw\/build:builder\n/);
});

test('images: the targets exist in the generated Dockerfile, and verify plans exactly them', () => {
  for (const a of Object.values(SETS)) {
    const dockerfile = renderDockerfile(validateAnswers(a))[0].content;
    withFiles(a, (dir) => {
      writeFileSync(join(dir, 'Dockerfile'), dockerfile);
      const targets = renderContext(a).targets;
      for (const t of targets) assert.ok(dockerfileStages(dockerfile).includes(t), t);
      assert.equal(planTargets(dir, dockerfile, []).targets, targets);
    });
  }
});

test("verify plans a preset's targets; one the Dockerfile lacks (a renamed stage) is named, not dropped", () => {
  const dockerfile = 'ARG BASE_IMAGE=x\nFROM ${BASE_IMAGE} AS toolchain\nFROM toolchain AS compile\nFROM scratch AS artifacts\n';
  const plan = planTargets('/nonexistent', dockerfile, [], ['builder']);
  assert.equal(plan.targets, []);
  assert.equal(plan.missing, ['builder']);
  const ok = planTargets('/nonexistent', dockerfile.replace('AS toolchain', 'AS builder').replace('FROM toolchain', 'FROM builder'), [], ['builder']);
  assert.equal([ok.targets, ok.missing], [['builder'], []]);
  assert.match(ok.notBuilt.map((n) => n.reason).join('\n'), /not an image the preset's checks use \(they use builder\)/);
});

test('build: one service per env (slug name and profile, exact env name in the command), build -e, all, clean and shell', () => {
  for (const a of Object.values(SETS)) {
    const c = renderContext(a);
    const text = files(a).get(BUILD)!;
    const { services } = effective(text);
    const own = a.envs.length > 20 ? [c.envs[0]] : c.envs;
    assert.equal(Object.keys(services), [...own.map((e) => e.slug), 'build', 'all', 'clean', 'shell']);
    for (const e of own) {
      const s = services[e.slug];
      assert.equal(s.profiles, [e.slug]);
      assert.equal(s.command, ['build', '-e', e.name]);
    }
    for (const s of Object.values(services)) {
      if (s.image !== c.imageRef('dev')) assert.is(s.image, c.imageRef('builder'));
      assert.is(s.working_dir, '/workspace');
      assert.equal(s.volumes, ['.:/workspace', `${c.cacheVolume}:${c.cachePath}`]);
      assert.equal(s.environment, { HOST_UID: '${HOST_UID:-}', HOST_GID: '${HOST_GID:-}', PIO_JOBS: '${PIO_JOBS:-}' });
      assert.is(s.devices, undefined, 'serial devices are off by default');
      assert.is(s.group_add, undefined);
    }
    assert.equal([services.build.command, services.build.profiles], [['build'], ['build']]);
    assert.equal([services.all.command, services.all.profiles], [['all'], ['all']]);
    assert.equal(services.clean.profiles, ['clean']);
    assert.equal(services.clean.command, ['clean']);
    assert.is(services.clean.image, c.imageRef('builder'));
    const shell = services.shell;
    assert.equal([shell.profiles, shell.command, shell.image, shell.stdin_open, shell.tty], [['shell'], ['bash'], c.imageRef('dev'), true, true]);
    assert.equal(shell.volumes, services.clean.volumes);
    const all = Object.keys(services).filter((n) => services[n].profiles.includes('all'));
    assert.equal(all, ['all'], 'profile all is one container, not one per env');
    // Shared settings through an anchored extension field; serial devices are an answer (--serial), named in a comment.
    assert.match(text, /^x-build-env: &build-env\n/m);
    assert.is(text.split('    <<: *build-env\n').length - 1, own.length + 4);
    assert.match(text, / the serial and USB devices \(docs\/DOCKER\.md\)\.\n/);
    assert.not.match(text, /group_add/, 'group_add does nothing after the entrypoint drops privileges');
  }
  const spaced = effective(files(SETS['dev only']).get(BUILD)!).services['esp32-debug'];
  assert.equal(spaced.command, ['build', '-e', 'esp32 debug']);
});

test('hardening: an init everywhere; build services drop every capability but the entrypoint\'s, no new privileges; runners keep theirs', () => {
  for (const [name, a] of Object.entries(SETS)) {
    for (const [file, text] of files(a)) {
      for (const [svc, s] of Object.entries(effective(text).services)) {
        assert.is(s.init, true, `${name} ${file} ${svc}: init`);
        if (file === BUILD) {
          assert.equal(s.security_opt, ['no-new-privileges:true'], `${name} ${svc}`);
          assert.equal(s.cap_drop, ['ALL']);
          // The entrypoint's (re-own the cache, drop to the user) and KILL: the init, root, passes
          // docker stop on to a build of another uid only with it.
          assert.equal(s.cap_add, ['CHOWN', 'DAC_OVERRIDE', 'SETUID', 'SETGID', 'KILL']);
        } else {
          assert.is(s.cap_drop, undefined, `${name} ${file} ${svc}: not limited`);
          assert.is(s.security_opt, undefined);
        }
      }
    }
  }
});

test('HOST_UID/HOST_GID pass through only when set: unset gives an empty value (the entrypoint decides), never 1000', () => {
  withFiles(SETS['prod only, labels, registry, two platforms'], (dir) => {
    for (const profile of ['uno', 'build', 'all', 'shell']) {
      const unset = compose(dir, ['-f', BUILD, '--profile', profile, 'config']);
      assert.is(unset.status, 0, unset.stderr);
      for (const s of Object.values(parse(unset.stdout).services) as Svc[]) {
        assert.is(s.environment.HOST_UID, '', profile);
        assert.is(s.environment.HOST_GID, '', profile);
      }
    }
    const set = parse(compose(dir, ['-f', BUILD, '--profile', 'all', 'config'], { HOST_UID: '1234', HOST_GID: '2345', PIO_JOBS: '3' }).stdout).services.all;
    assert.equal(set.environment, { HOST_UID: '1234', HOST_GID: '2345', PIO_JOBS: '3' });
    // .env works the same way, with nothing exported
    writeFileSync(join(dir, '.env'), 'HOST_UID=4321\n');
    assert.is(parse(compose(dir, ['-f', BUILD, '--profile', 'all', 'config']).stdout).services.all.environment.HOST_UID, '4321');
  });
});

test('images: BASE_IMAGE, PLATFORMIO_VERSION, PIP_* and BUILD_NETWORK from the environment or .env, pinned defaults without', () => {
  const a = SETS.default;
  withFiles(a, (dir) => {
    const builder = (env: NodeJS.ProcessEnv = {}) => {
      const r = compose(dir, ['-f', IMAGES, '--profile', 'builder', 'config'], env);
      assert.is(r.status, 0, r.stderr);
      return parse(r.stdout).services.builder.build;
    };
    let b = builder();
    assert.equal([b.args.BASE_IMAGE, b.args.PLATFORMIO_VERSION, b.args.PIP_INDEX_URL, b.args.PIP_TRUSTED_HOST, b.network], [a.baseImage, a.platformioVersion, '', '', 'default']);
    b = builder({ BASE_IMAGE: 'mirror.example.com/python:3', PLATFORMIO_VERSION: '6.1.17', PIP_INDEX_URL: 'http://m/simple', PIP_TRUSTED_HOST: 'm', BUILD_NETWORK: 'host' });
    assert.equal([b.args.BASE_IMAGE, b.args.PLATFORMIO_VERSION, b.args.PIP_INDEX_URL, b.args.PIP_TRUSTED_HOST, b.network], ['mirror.example.com/python:3', '6.1.17', 'http://m/simple', 'm', 'host']);
    writeFileSync(join(dir, '.env'), 'BASE_IMAGE=from-dotenv:1\nBUILD_NETWORK=none\n');
    b = builder();
    assert.equal([b.args.BASE_IMAGE, b.network], ['from-dotenv:1', 'none']);
  });
});

test('many envs: a small build file (default env, build -e, all), no alias limit for readers, config passes', () => {
  const a = SETS['250 envs'];
  const text = files(a).get(BUILD)!;
  assert.ok(text.split('\n').length < 120, `${text.split('\n').length} lines`);
  assert.match(text, /^# With 250 envs only the default env has its own service; any env builds with -e:$/m);
  // every file parses with yaml's default alias limit, as verify and update read them
  for (const [file, t] of files(a)) {
    assert.not.throws(() => parse(t, { merge: true }), file);
    // yaml's limit (maxAliasCount 100) counts the uses of each anchor
    const uses = new Map<string, number>();
    for (const m of t.matchAll(/\*([\w-]+)/g)) uses.set(m[1], (uses.get(m[1]) ?? 0) + 1);
    for (const [anchor, n] of uses) assert.ok(n < 100, `${file}: *${anchor} used ${n} times`);
  }
});

test('no build with up: the build file tells `run --rm` (the build\'s exit code), for every service it names', () => {
  for (const a of Object.values(SETS)) {
    const text = files(a).get(BUILD)!;
    const names = Object.keys(effective(text).services);
    const runs = [...text.matchAll(/^# +docker compose -f compose\.build\.yaml (.*?)(?: {2,}#.*)?$/gm)].map((m) => m[1]);
    assert.ok(runs.length >= 5, runs.join('\n'));
    for (const r of runs) {
      assert.not.match(r, /\bup\b/, r);
      const m = r.match(/^run --rm (\S+)/);
      assert.ok(m && names.includes(m[1]), r);
    }
  }
});

test('an env named like a generic service gets no service of its own: build -e covers it', () => {
  const a = defaultAnswers('x', [{ name: 'uno', board: null, platform: null }, { name: 'build', board: null, platform: null }]);
  const { services } = effective(files(a).get(BUILD)!);
  assert.equal(Object.keys(services), ['uno', 'build', 'all', 'clean', 'shell']);
  assert.equal(services.build.command, ['build']);
});

test('the cache is one named volume with a fixed name in every file, never a bind mount', () => {
  for (const a of Object.values(SETS)) {
    const c = renderContext(a);
    for (const [file, text] of files(a)) {
      const doc = effective(text);
      for (const [name, s] of Object.entries(doc.services)) {
        for (const v of (s.volumes ?? []) as string[]) {
          const [source, target] = v.split(':');
          // Runners of a group share a cache of their own: a pull-request job on a dev runner can
          // never replace a toolchain that prod runners or local builds use.
          const group = (s.profiles as string[] | undefined)?.find((p): p is 'dev' | 'prod' => p === 'dev' || p === 'prod');
          const expected = file === RUNNERS && group ? c.runnerCacheVolume(group) : c.cacheVolume;
          if (target === c.cachePath) assert.is(source, expected, `${file} ${name}`);
          if (source.startsWith('.') || source.startsWith('/')) assert.is(target, '/workspace', `${file} ${name}: only the source is bind-mounted`);
          if (source.startsWith('${RUNNER_SECRETS')) assert.is(v, `\${RUNNER_SECRETS:-${c.runnerSecretsDir}}:/run/runner-secrets:ro`, 'credentials: read-only');
        }
      }
      if (file !== IMAGES && file !== RUNNERS) assert.equal(doc.volumes?.[c.cacheVolume], { name: c.cacheVolume }, file);
      if (file === RUNNERS) {
        assert.is(doc.volumes?.[c.cacheVolume], undefined, 'runners never share the local builds\' cache');
        for (const g of c.runnerGroups) assert.equal(doc.volumes?.[c.runnerCacheVolume(g)], { name: c.runnerCacheVolume(g) });
      }
    }
  }
});

test('runners: N services per profile, own volume each, labels, image, restart', () => {
  for (const a of Object.values(SETS)) {
    const c = renderContext(a);
    const text = files(a).get(RUNNERS);
    if (!c.hasRunners) {
      assert.is(text, undefined);
      continue;
    }
    const doc = effective(text!);
    for (const profile of ['dev', 'prod'] as const) {
      const names = Object.keys(doc.services).filter((n) => doc.services[n].profiles.includes(profile));
      assert.equal(names, Array.from({ length: a.runners[profile] }, (_, i) => `runner-${profile}-${i + 1}`));
      for (const n of names) {
        const s = doc.services[n];
        assert.equal(s.profiles, [profile]);
        assert.is(s.image, c.imageRef('runner'));
        // bounded: a misconfigured runner exits 2 a few times, then stays stopped (no restart loop)
        assert.is(s.restart, 'on-failure:3');
        const own = `${a.projectName}-${n}`;
        assert.equal(s.volumes, [`${c.runnerCacheVolume(profile)}:${c.cachePath}`, `${own}:/opt/actions-runner`, `\${RUNNER_SECRETS:-${c.runnerSecretsDir}}:/run/runner-secrets:ro`]);
        assert.equal(doc.volumes![own], { name: own });
        // the project's name among them: another project's runners never take these jobs
        assert.equal(s.environment.RUNNER_LABELS.split(','), [...new Set(['platformio', a.projectName, profile, ...a.runners.labels])]);
        // a name prefix: the entrypoint adds a random suffix, so two hosts never collide
        assert.is(s.environment.RUNNER_INSTANCE, `${a.projectName}-${n.slice('runner-'.length)}`);
        assert.is(s.environment.RUNNER_NAME, undefined);
        assert.is(s.environment.RUNNER_URL, '${RUNNER_URL:-}');
        assert.is(s.environment.RUNNER_EPHEMERAL, '${RUNNER_EPHEMERAL:-0}');
        for (const k of Object.keys(s.environment)) assert.not.match(k, /TOKEN|JIT/, `${n}: no credential in the environment (${k})`);
      }
    }
    assert.is(Object.keys(doc.services).length, a.runners.dev + a.runners.prod);
    assert.match(text!, /^x-runner: &runner\n/m);
    assert.match(text!, /environment: &runner-env\n/);
  }
});

test('runners: a token in the shell environment never reaches the container config; credentials are a read-only mount', () => {
  const a = SETS['prod only, labels, registry, two platforms'];
  withFiles(a, (dir, texts) => {
    const token = 'AAAAtok3n-from-env';
    // Before: RUNNER_TOKEN: ${RUNNER_TOKEN:-} put it in the container config (docker inspect, /proc/1/environ).
    const r = compose(dir, ['-f', RUNNERS, '--profile', 'prod', 'config'], { RUNNER_TOKEN: token, RUNNER_URL: 'https://github.com/acme/fw', RUNNER_SECRETS: '/srv/secrets' });
    assert.is(r.status, 0, r.stderr);
    assert.not.match(r.stdout, new RegExp(token));
    const services = parse(r.stdout).services;
    assert.is(services['runner-prod-2'].environment.RUNNER_URL, 'https://github.com/acme/fw');
    // docker-compose 1.29 prints the short form, compose v2 the long one
    const mounts = (services['runner-prod-2'].volumes as (string | { source?: string; target: string; read_only?: boolean })[]).map((v) =>
      typeof v === 'string' ? v : `${v.source}:${v.target}${v.read_only ? ':ro' : ''}`,
    );
    assert.ok(mounts.includes('/srv/secrets:/run/runner-secrets:ro'), mounts.join(' '));
    for (const text of texts.values()) assert.not.match(text, /RUNNER_TOKEN/);
  });
});

test('header: tool version, update merges edits, how to use the file', () => {
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  for (const [file, text] of files(SETS.default)) {
    assert.ok(text.startsWith(`# Generated by create-pio-docker ${version}. Edit freely: \`npx create-pio-docker update\`\n# merges your edits`), file);
    assert.match(text, new RegExp(`^# {3}docker compose -f ${file.replace('.', '\\.')} (--profile \\S+ (build|up)|run --rm \\S+)`, 'm'), file);
  }
});

test('deterministic: same bytes twice, and re-stringifying (as update does) changes nothing', () => {
  for (const a of Object.values(SETS)) {
    assert.equal(render(a), render(a));
    for (const [file, text] of files(a)) assert.fixture(parseDocument(text).toString(STRINGIFY), text, file);
  }
});

test('envs whose service name the build file reserves are refused', () => {
  for (const name of ['clean', 'All', 'shell']) {
    assert.throws(() => render(defaultAnswers('x', [{ name, board: null, platform: null }])), /reserved/);
  }
});

test('dclint: no findings beyond the style rules this layout knowingly departs from', () => {
  // require-project-name-field: docker-compose 1.29 rejects a top-level `name`.
  // service-image-require-explicit-tag: tags are Dockerfile targets (`:dev`), built locally.
  // service-keys-order: it wants `<<:` after the service's own keys; we keep it first.
  // services-alphabetical-order: services follow platformio.ini (default env first).
  const accepted = ['require-project-name-field', 'service-image-require-explicit-tag', 'service-keys-order', 'services-alphabetical-order'];
  const bin = join(ROOT, 'node_modules', '.bin', 'dclint');
  for (const [name, a] of Object.entries(SETS)) {
    withFiles(a, (dir, texts) => {
      const r = spawnSync(bin, [...texts.keys(), '--color', 'false', '--disable-rule', ...accepted], { cwd: dir, encoding: 'utf8' });
      assert.is(r.status, 0, `${name}: dclint:\n${r.stdout}${r.stderr}`);
      assert.is(r.stdout.trim(), '', `${name}: dclint:\n${r.stdout}`);
      // ...and it does look: without the exceptions it reports the known style findings.
      const all = spawnSync(bin, [...texts.keys(), '--color', 'false'], { cwd: dir, encoding: 'utf8' });
      assert.match(all.stdout, /require-project-name-field/);
    });
  }
});

test.run();
