// --arc: Helm values for actions-runner-controller's gha-runner-scale-set chart. Structure only (no
// Kubernetes here): parsed as YAML and checked against the chart's values.yaml keys (charts/
// gha-runner-scale-set/values.yaml in actions/actions-runner-controller, read for this test).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { defaultAnswers, type Answers } from '../src/core/answers.js';
import { FILES } from '../src/core/paths.js';
import { renderAll } from '../src/pipeline/render.js';

/** Top-level keys of the chart's values.yaml (set or commented out there). */
const CHART_KEYS = ['githubConfigUrl', 'githubConfigSecret', 'proxy', 'maxRunners', 'minRunners', 'runnerGroup', 'runnerScaleSetName', 'fullnameOverride', 'githubServerTLS', 'keyVault', 'containerMode', 'listenerTemplate', 'listenerMetrics', 'template', 'controllerServiceAccount', 'namespaceOverride', 'annotations', 'labels', 'resourceMeta'];
const ENVS = [{ name: 'uno', board: 'uno', platform: 'atmelavr' }];
const A: Answers = { ...defaultAnswers('fw', ENVS), runners: { kind: 'github', dev: 1, prod: 3, labels: [] }, image: { name: 'acme/fw', registry: 'ghcr.io' }, arc: true };

test('off by default; with --arc one values file per runner group', () => {
  const paths = (a: Answers) => renderAll(a).map((f) => f.path).filter((p) => p.startsWith('arc/'));
  assert.equal(paths({ ...A, arc: false }), []);
  assert.equal(paths(A), [FILES.arcDev, FILES.arcProd]);
  assert.equal(paths({ ...A, runners: { ...A.runners, dev: 0 } }), [FILES.arcProd]);
  assert.throws(() => paths({ ...A, runners: { kind: 'none', dev: 0, prod: 0, labels: [] } }), /--arc yes writes runner scale sets for the self-hosted runners: add --runners github/);
});

test('values: chart keys only, the secret by name (never its content), min/max, the same runner image as compose', () => {
  const files = renderAll(A);
  const runnerImage = parse(files.find((f) => f.path === FILES.composeRunners)!.content, { merge: true }).services['runner-prod-1'].image;
  for (const [path, group, count] of [[FILES.arcDev, 'dev', 1], [FILES.arcProd, 'prod', 3]] as const) {
    const text = files.find((f) => f.path === path)!.content;
    const v = parse(text);
    for (const k of Object.keys(v)) assert.ok(CHART_KEYS.includes(k), `${path}: ${k} is a chart value`);
    assert.type(v.githubConfigSecret, 'string', 'a pre-defined secret, by name');
    assert.not.match(text, /github_token|private_key:|ghp_/);
    assert.match(v.githubConfigUrl, /^https:\/\/github\.com\//);
    assert.is(v.runnerScaleSetName, `fw-${group}`);
    assert.is(v.minRunners, 0);
    assert.ok(v.maxRunners >= count && v.maxRunners >= v.minRunners);
    const [c] = v.template.spec.containers;
    assert.is(c.name, 'runner', 'ARC hands its JIT config to the container named runner');
    assert.is(c.image, runnerImage);
    assert.is(c.image, 'ghcr.io/acme/fw:runner');
    assert.not.ok('command' in c, 'the image entrypoint (root phase, then the drop) runs');
    const mounts = c.volumeMounts.map((m: { name: string }) => m.name).sort();
    assert.equal(mounts, ['pio-cache', 'runner']);
    assert.equal(v.template.spec.volumes.map((x: { name: string }) => x.name).sort(), mounts);
    assert.match(text, /^# .*helm install fw-/m);
  }
});

test.run();
