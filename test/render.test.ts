import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/in-process.js';
import { kfscan, type CliRun } from './helpers/cli.js';
import { reportSchemaErrors } from './helpers/report-schema.js';
import { tempRepo } from './helpers/repo.js';
import { MINER, docs, gatewayDeployment, gatewayService, trainer, writeTree } from './helpers/tree.js';

// kustomizations and Helm charts are rendered by the real kubectl kustomize and helm (pinned, put first on
// PATH by test/global-setup.ts). Each tree is scanned once; the tests share the reports.

interface JsonFinding {
  checkId: string;
  severity: string;
  message: string;
  resource: { kind: string; namespace: string | null; name: string } | null;
  location: { file: string; line: number; column: number } | null;
  roots?: string[];
}
interface JsonReport {
  findings: JsonFinding[];
  errors: Array<{ file?: string; message: string }>;
  warnings: Array<{ file?: string; message: string }>;
}

async function scanJson(dir: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ run: CliRun; report: JsonReport }> {
  // In-process: the render stage still runs the real kubectl and helm; the binary's own runs are below.
  const run = await runCli(['scan', '.', '-f', 'json', '--fail-on', 'none', ...args], { cwd: dir, env });
  let report: JsonReport = { findings: [], errors: [], warnings: [] };
  try {
    report = JSON.parse(run.stdout) as JsonReport;
  } catch {
    return { run, report }; // asserted by the callers through run.code and run.stderr
  }
  // Every report of a rendered tree, `roots` included, is what the published schema describes.
  expect(reportSchemaErrors(report)).toEqual([]);
  return { run, report };
}

const of = (report: JsonReport, checkId: string) => report.findings.filter((finding) => finding.checkId === checkId);

describe('kustomize overlays: alternatives judged apart, a base through its overlays', () => {
  let dir: string;
  let scan: Awaited<ReturnType<typeof scanJson>>;
  beforeAll(async () => {
    dir = writeTree({
      'gateway/base/kustomization.yaml': 'resources: [gateway.yaml, trainer.yaml]\n',
      'gateway/base/gateway.yaml': docs(gatewayDeployment, gatewayService()),
      'gateway/base/trainer.yaml': docs(trainer('trainer', 'tensorflow/tensorflow:latest-gpu')),
      'gateway/overlays/public/kustomization.yaml': 'resources: [../../base]\npatches: [{path: service.yaml}]\n',
      'gateway/overlays/public/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: istio-ingressgateway, namespace: istio-system}\nspec:\n  type: LoadBalancer\n',
      'gateway/overlays/internal/kustomization.yaml': 'resources: [../../base]\npatches: [{path: service.yaml}]\n',
      'gateway/overlays/internal/service.yaml':
        'apiVersion: v1\nkind: Service\nmetadata:\n  name: istio-ingressgateway\n  namespace: istio-system\n  annotations: {networking.gke.io/load-balancer-type: Internal}\nspec:\n  type: LoadBalancer\n',
      'monitoring/kustomization.yaml': 'namespace: monitoring\nnamePrefix: mon-\nresources: [notebook.yaml]\n',
      'monitoring/notebook.yaml': docs(trainer('notebook', 'jupyter/tensorflow-notebook:latest', 'ml')),
      'plain/job.yaml': docs(trainer('plain-trainer', 'pytorch/pytorch:latest')),
    });
    scan = await scanJson(dir);
  });

  it('renders every top-level root, not the base on its own, and scans the plain file', () => {
    expect(scan.run.stderr).toBe('');
    expect(scan.run.code).toBe(0);
    expect(scan.report.errors).toEqual([]);
    const images = of(scan.report, 'mutable-ml-image').map((finding) => [finding.resource?.name, finding.location?.file, finding.roots]);
    expect(images).toEqual(
      expect.arrayContaining([
        // The base's object, identical in both overlays: reported once, naming both.
        ['trainer', 'gateway/base/trainer.yaml', ['gateway/overlays/internal', 'gateway/overlays/public']],
        // namePrefix and namespace applied, located in the source file.
        ['mon-notebook', 'monitoring/notebook.yaml', ['monitoring']],
        ['plain-trainer', 'plain/job.yaml', undefined],
      ]),
    );
    expect(images).toHaveLength(3);
  });

  it('reports the public LoadBalancer in the public overlay, at its line in the patch, and not the internal one', () => {
    const exposed = of(scan.report, 'ingress-gateway-exposed');
    const high = exposed.filter((finding) => finding.severity === 'high' || finding.severity === 'critical');
    expect(high.map((finding) => [finding.location, finding.roots])).toEqual([[{ file: 'gateway/overlays/public/service.yaml', line: 5, column: 3 }, ['gateway/overlays/public']]]);
    expect(exposed.filter((finding) => finding.roots?.includes('gateway/overlays/internal')).every((finding) => finding.severity === 'info')).toBe(true);
  });

  it('locates a field kustomize set at the object, and says so', () => {
    const trainerImage = of(scan.report, 'mutable-ml-image').find((finding) => finding.resource?.name === 'trainer')!;
    expect(trainerImage.location!.line).toBeGreaterThan(1);
    expect(trainerImage.message).not.toMatch(/line of the object/);
  });
});

describe('an overlay scanned on its own', () => {
  const files = {
    'base/kustomization.yaml': 'resources: [trainer.yaml]\n',
    'base/trainer.yaml': docs(trainer('trainer', 'tensorflow/tensorflow:latest')),
    'overlays/prod/kustomization.yaml': 'resources: [../../base]\nnamePrefix: prod-\n',
  };

  it('builds through its base anywhere in the git work tree that holds it', () => {
    const dir = tempRepo(files);
    const run = kfscan(['scan', 'overlays/prod', '-f', 'json', '--fail-on', 'none'], { cwd: dir });
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.errors).toEqual([]);
    expect(of(report, 'mutable-ml-image').map((finding) => [finding.resource?.name, finding.location?.file, finding.roots])).toEqual([['prod-trainer', 'base/trainer.yaml', ['.']]]);
  });

  it('outside git, refuses a base outside the input and says what to scan instead', () => {
    const dir = writeTree(files);
    const run = kfscan(['scan', 'overlays/prod', '-f', 'json', '--fail-on', 'none'], { cwd: dir });
    expect(run.code).toBe(3);
    expect((JSON.parse(run.stdout) as JsonReport).errors[0]!.message).toMatch(/resources entry "\.\.\/\.\.\/base" of overlays\/prod\/kustomization\.yaml is outside the scanned input \(nor in the git work tree that holds it: scan a directory that holds both\)/);
  });
});

describe('Helm charts', () => {
  const chart = {
    'chart/Chart.yaml': 'apiVersion: v2\nname: trainer\nversion: 0.1.0\n',
    'chart/values.yaml': 'image:\n  repository: tensorflow/tensorflow\n  tag: "2.16.1"\nreplicas: 1\n',
    'chart/templates/deployment.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: {{ .Release.Name }}-trainer',
      'spec:',
      '  replicas: {{ .Values.replicas }}',
      '  selector: {matchLabels: {app: trainer}}',
      '  template:',
      '    metadata: {labels: {app: trainer}}',
      '    spec:',
      '      containers:',
      '        - name: main',
      '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
      '',
    ].join('\n'),
    'chart/templates/_helpers.tpl': '{{- define "x" -}}x{{- end -}}\n',
  };
  let dir: string;
  let defaults: Awaited<ReturnType<typeof scanJson>>;
  let latest: Awaited<ReturnType<typeof scanJson>>;
  beforeAll(async () => {
    dir = writeTree({ ...chart, 'values-latest.yaml': 'image:\n  tag: latest\n' });
    defaults = await scanJson(dir);
    latest = await scanJson(dir, ['--helm-values', 'values-latest.yaml', '--helm-release', 'nightly', '--helm-namespace', 'research']);
  });

  it('renders a chart with its defaults: no finding, no template parsed as YAML', () => {
    expect(defaults.run.code).toBe(0);
    expect(defaults.report.errors).toEqual([]);
    expect(of(defaults.report, 'mutable-ml-image')).toEqual([]);
    expect(JSON.stringify(defaults.report)).not.toMatch(/unrendered Helm template/);
  });

  it('renders it with the values given: the object the values make, located in its template', () => {
    expect(latest.report.errors).toEqual([]);
    const images = of(latest.report, 'mutable-ml-image');
    expect(images.map((finding) => [finding.resource, finding.location, finding.roots])).toEqual([
      [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'research', name: 'nightly-trainer' }, { file: 'chart/templates/deployment.yaml', line: 13, column: 11 }, ['chart']],
    ]);
  });

  it('takes per-chart settings from the configuration, under the command line\'s', async () => {
    const configured = writeTree({ ...chart, 'values-latest.yaml': 'image:\n  tag: latest\n', '.kfscan.yaml': 'render:\n  charts:\n    chart:\n      release: lab\n      namespace: sandbox\n      values: [values-latest.yaml]\n' });
    const fromConfig = await scanJson(configured);
    expect(of(fromConfig.report, 'mutable-ml-image').map((finding) => finding.resource)).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'sandbox', name: 'lab-trainer' }]);
    const overridden = await scanJson(configured, ['--helm-set', 'image.tag=2.17.0', '--helm-namespace', 'prod']);
    expect(of(overridden.report, 'mutable-ml-image')).toEqual([]);
  });

  it('a chart whose dependencies are not vendored: exit 3 naming the chart, nothing parsed from its templates', async () => {
    const unvendored = writeTree({
      'chart/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: redis\n    version: 19.0.0\n    repository: https://charts.example.invalid\n',
      'chart/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}}\n',
      'plain.yaml': docs(trainer('plain', 'tensorflow/tensorflow:latest')),
    });
    const { run, report } = await scanJson(unvendored);
    expect(run.code).toBe(3);
    expect(report.errors).toEqual([{ file: 'chart', message: expect.stringMatching(/^Helm chart not rendered: .*redis.*\(its YAML files are scanned as they are\)$/) }]);
    expect(of(report, 'mutable-ml-image').map((finding) => finding.resource?.name)).toEqual(['plain']);
  });
});

describe('when a root cannot be rendered', () => {
  it('a missing tool: exit 3, one error naming each root and the reason, its YAML files scanned as they are', async () => {
    const dir = writeTree({
      'app/kustomization.yaml': 'resources: [trainer.yaml]\n',
      'app/trainer.yaml': docs(trainer('trainer', 'tensorflow/tensorflow:latest')),
      'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
      'chart/templates/x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}}\n',
    });
    const { run, report } = await scanJson(dir, [], { PATH: path.join(dir, 'no-tools-here') });
    expect(run.code).toBe(3);
    expect(report.errors).toEqual([
      { file: 'app', message: 'kustomization not rendered: neither kustomize nor kubectl was found on PATH (install one, or give --kustomize-bin) (its YAML files are scanned as they are)' },
      { file: 'chart', message: 'Helm chart not rendered: helm was not found on PATH (install it, or give --helm-bin) (its YAML files are scanned as they are)' },
    ]);
    expect(of(report, 'mutable-ml-image').map((finding) => [finding.location?.file, finding.roots])).toEqual([['app/trainer.yaml', undefined]]);

    const wrong = await scanJson(dir, ['--kustomize-bin', '/bin/true', '--no-render']);
    expect(wrong.run.code).toBe(0);
    const notKustomize = await scanJson(dir, ['--kustomize-bin', process.execPath]);
    expect(notKustomize.report.errors[0]!.message).toMatch(/is neither kustomize nor kubectl/);
  });

  it('--no-render scans the plain files only, deliberately: no error, exit 0', async () => {
    const dir = writeTree({
      'app/kustomization.yaml': 'resources: [trainer.yaml]\n',
      'app/trainer.yaml': docs(trainer('trainer', 'tensorflow/tensorflow:latest')),
      'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
      'chart/templates/x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}}\n',
    });
    const { run, report } = await scanJson(dir, ['--no-render']);
    expect(run.code).toBe(0);
    expect(report.errors).toEqual([]);
    expect(of(report, 'mutable-ml-image').map((finding) => finding.location?.file)).toEqual(['app/trainer.yaml']);
  });
});

describe('no file drops out of the scan because a kustomization names it', () => {
  let report: JsonReport;
  let run: CliRun;
  beforeAll(async () => {
    const dir = writeTree({
      // Named as a patch from outside its root: kustomize refuses it, the root fails, the miner is still there.
      'jobs/helper.yaml': docs(MINER),
      'outside-patch/kustomization.yaml': 'resources: [svc.yaml]\npatches: [{path: ../jobs/helper.yaml}]\n',
      'outside-patch/svc.yaml': docs(gatewayService()),
      // Pulled in and deleted by a patch: not in the output, so scanned as a file.
      'deleted/kustomization.yaml': 'resources: [helper.yaml]\npatches:\n  - patch: |\n      $patch: delete\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {name: helper, namespace: ml}\n',
      'deleted/helper.yaml': docs(MINER.replace('name: helper,', 'name: deleted-helper,')).replace('name: deleted-helper, namespace: ml}', 'name: helper, namespace: ml}'),
      // A patch whose target selects nothing: kustomize drops it silently; kfscan does not.
      'untargeted/kustomization.yaml': 'resources: [svc.yaml]\npatches: [{path: helper.yaml, target: {kind: StatefulSet}}]\n',
      'untargeted/svc.yaml': docs(gatewayService().replace('istio-ingressgateway', 'other')),
      'untargeted/helper.yaml': docs(MINER.replace('pool.supportxmr.com', 'xmr.pool.minergate.com')),
    });
    ({ run, report } = await scanJson(dir));
  });

  it('reports the miner wherever a kustomization names it', () => {
    expect(run.code).toBe(3);
    expect(report.errors).toEqual([
      { file: 'outside-patch', message: expect.stringMatching(/^kustomization not rendered: refused: patches entry "\.\.\/jobs\/helper\.yaml" of outside-patch\/kustomization\.yaml is outside the kustomization's directory/) },
    ]);
    const files = of(report, 'miner-indicators').map((finding) => finding.location?.file);
    expect([...new Set(files)].sort()).toEqual(['deleted/helper.yaml', 'jobs/helper.yaml', 'untargeted/helper.yaml']);
  });
});

describe('hostile kustomizations: nothing read from outside, nothing printed, quickly', () => {
  const CANARY = 'kfscan-canary-7d1c0a9e5b';
  let dir: string;
  let reports: string;
  let run: CliRun;
  let elapsed: number;
  beforeAll(() => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'kfscan-home-'));
    mkdirSync(path.join(home, '.kube'));
    writeFileSync(path.join(home, '.kube', 'config'), `token: ${CANARY}-kubeconfig\n`);
    writeFileSync(path.join(home, 'outside.env'), `TOKEN=${CANARY}-outside\n`);
    const svc = (name: string) => docs(gatewayService().replace('istio-ingressgateway', name));
    const generator = (entry: string) => `resources: [svc.yaml]\nconfigMapGenerator:\n  - name: leak\n    ${entry}\n`;
    dir = path.join(home, 'repo');
    mkdirSync(dir);
    const tree: Record<string, string> = {
      'environ/kustomization.yaml': generator('envs: [/proc/self/environ]'),
      'kubeconfig/kustomization.yaml': generator('files: [../../.kube/config]'),
      'devzero/kustomization.yaml': generator('files: [zero=/dev/zero]'),
      'stdin/kustomization.yaml': generator('files: [in=/dev/stdin]'),
      'stdin-resource/kustomization.yaml': 'resources: [/dev/stdin]\n',
      'link/kustomization.yaml': generator('envs: [linked.env]'),
      'remote/kustomization.yaml': 'resources: [svc.yaml, "https://github.com/kubeflow/manifests//common/dex/base?ref=v1.3.0"]\n',
      'helm-inflation/kustomization.yaml': 'helmCharts:\n  - {name: app, releaseName: app}\n',
      'vars/kustomization.yaml': [
        'resources: [secret.yaml, job.yaml]',
        'configurations: [varref.yaml]',
        'vars:',
        '  - {name: TOKEN, objref: {kind: Secret, name: token, apiVersion: v1}, fieldref: {fieldpath: data.token}}',
        '  - {name: PLAIN, objref: {kind: Secret, name: token, apiVersion: v1}, fieldref: {fieldpath: stringData.plain}}',
        '',
      ].join('\n'),
      'vars/varref.yaml': 'varReference:\n  - {path: metadata/name, kind: Deployment}\n',
      'vars/secret.yaml': `apiVersion: v1\nkind: Secret\nmetadata: {name: token, namespace: ml}\ndata: {token: ${Buffer.from(`${CANARY}-base64`).toString('base64')}}\nstringData: {plain: ${CANARY}-plain}\n`,
      'vars/job.yaml': docs(trainer('app-$(TOKEN)-$(PLAIN)', 'tensorflow/tensorflow:latest')),
      'replacements/kustomization.yaml': [
        'resources: [secret.yaml, job.yaml]',
        'replacements:',
        '  - source: {kind: Secret, name: token, fieldPath: stringData.token}',
        '    targets:',
        '      - select: {kind: Deployment}',
        '        fieldPaths: [metadata.name, metadata.annotations.owner]',
        '',
      ].join('\n'),
      'replacements/secret.yaml': `apiVersion: v1\nkind: Secret\nmetadata: {name: token, namespace: ml}\nstringData: {token: ${CANARY}-vars}\n`,
      'replacements/job.yaml': docs(trainer('placeholder', 'tensorflow/tensorflow:latest').replace('name: placeholder, namespace: ml}', 'name: placeholder, namespace: ml, annotations: {owner: x}}')),
    };
    for (const name of ['environ', 'kubeconfig', 'devzero', 'stdin', 'link', 'remote']) tree[`${name}/svc.yaml`] = svc(name);
    for (const [name, text] of Object.entries(tree)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    symlinkSync(path.join(home, 'outside.env'), path.join(dir, 'link', 'linked.env'));
    const out = path.join(home, 'reports');
    mkdirSync(out);
    const started = Date.now();
    run = kfscan(
      ['scan', '.', '-f', 'table', '--fail-on', 'none', '--verbose', ...['json', 'sarif', 'markdown', 'html'].flatMap((format) => ['--report', `${format}=${path.join(out, `report.${format}`)}`])],
      { cwd: dir, env: { KFSCAN_CI_TOKEN: `${CANARY}-environment`, HOME: home } },
    );
    elapsed = Date.now() - started;
    reports = [run.stdout, run.stderr, ...readdirSync(out).map((file) => readFileSync(path.join(out, file), 'utf8'))].join('\n');
  });

  it('ends quickly with exit 3, naming every refused root and why', () => {
    expect(elapsed).toBeLessThan(25_000);
    expect(run.code).toBe(3);
    const json = JSON.parse(readFileSync(path.join(dir, '..', 'reports', 'report.json'), 'utf8')) as JsonReport;
    const refused = Object.fromEntries(json.errors.map((error) => [error.file, error.message]));
    expect(refused).toEqual({
      environ: expect.stringMatching(/refused: configMapGenerator entry "\/proc\/self\/environ" .* is outside the kustomization's directory/),
      kubeconfig: expect.stringMatching(/refused: configMapGenerator entry "\.\.\/\.\.\/\.kube\/config" .* outside/),
      devzero: expect.stringMatching(/refused: configMapGenerator entry "\/dev\/zero" .* outside/),
      stdin: expect.stringMatching(/refused: configMapGenerator entry "\/dev\/stdin" .* outside/),
      'stdin-resource': expect.stringMatching(/refused: resources entry "\/dev\/stdin" .* outside the scanned input/),
      link: expect.stringMatching(/refused: configMapGenerator entry "linked\.env" .* outside the kustomization's directory/),
      remote: expect.stringMatching(/refused: resources entry "https:\/\/github\.com\/kubeflow\/manifests\/\/common\/dex\/base\?ref=v1\.3\.0" .* is remote: .*--allow-remote-resources/),
      'helm-inflation': expect.stringMatching(/refused: helm-inflation\/kustomization\.yaml inflates Helm charts \(helmCharts\)/),
    });
  });

  it('prints no value read from outside, from the environment, or copied out of a Secret, in any format', () => {
    expect(reports).toContain('report'); // the reports were read
    expect(reports).not.toContain(CANARY);
    expect(reports).not.toContain(Buffer.from(`${CANARY}-base64`).toString('base64'));
    // The Secret values that replacements and vars copied into the Deployments' names are redacted, and the
    // findings about those Deployments are there.
    expect(reports).toContain('Deployment ml/<redacted>');
    expect(reports).toContain('Deployment ml/app-<redacted>-<redacted>');
  });
});

describe('--exclude and exclude:', () => {
  it('leaves paths out, gitignore-style, relative to each input', async () => {
    const dir = writeTree({
      'apps/a.yaml': docs(trainer('a', 'tensorflow/tensorflow:latest')),
      'keep/b.yaml': docs(trainer('b', 'tensorflow/tensorflow:latest')),
      'keep/testdata/c.yaml': docs(trainer('c', 'tensorflow/tensorflow:latest')),
      'app2/kustomization.yaml': 'resources: [d.yaml]\n',
      'app2/d.yaml': docs(trainer('d', 'tensorflow/tensorflow:latest')),
      '.kfscan.yaml': 'exclude: ["app2"]\n',
    });
    const names = (report: JsonReport) => of(report, 'mutable-ml-image').map((finding) => finding.resource?.name).sort();
    expect(names((await scanJson(dir, ['--no-config'])).report)).toEqual(['a', 'b', 'c', 'd']);
    expect(names((await scanJson(dir, ['--exclude', 'apps/**', '--exclude', '**/testdata/**'])).report)).toEqual(['b']);
  });
});

describe('views and absence findings', () => {
  const falco = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: falco, namespace: falco}
spec:
  selector: {matchLabels: {app: falco}}
  template:
    metadata: {labels: {app: falco}}
    spec:
      tolerations: [{operator: Exists}]
      containers:
        - name: falco
          image: falcosecurity/falco:0.41.0
`;
  const tree = {
    'ml/kustomization.yaml': 'resources: [trainer.yaml]\n',
    'ml/trainer.yaml': docs(trainer('trainer', 'tensorflow/tensorflow:2.16.1')),
    'sensors/base/kustomization.yaml': 'resources: [namespace.yaml]\n',
    'sensors/base/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: falco}\n',
    'sensors/overlays/full/kustomization.yaml': 'resources: [../../base, falco.yaml]\n',
    'sensors/overlays/full/falco.yaml': docs(falco),
    'sensors/overlays/bare/kustomization.yaml': 'resources: [../../base]\n',
  };
  let automatic: Awaited<ReturnType<typeof scanJson>>;
  let declared: Awaited<ReturnType<typeof scanJson>>;
  beforeAll(async () => {
    automatic = await scanJson(writeTree(tree));
    declared = await scanJson(writeTree({ ...tree, '.kfscan.yaml': 'views:\n  - name: hardened\n    roots: [sensors/overlays/full]\n  - name: lab\n    roots: [sensors/overlays/bare]\n' }));
  });

  it('says which view a cluster-level finding holds in, and names the roots that make that view', () => {
    expect(automatic.report.errors).toEqual([]);
    const missing = of(automatic.report, 'falco-missing');
    expect(missing.map((finding) => [finding.message.replace(/^.*(\[view [^\]]+\])$/, '$1'), finding.roots])).toEqual([['[view bare]', ['sensors/overlays/bare']]]);
  });

  it('judges together roots that only declare the same object alike (a shared Namespace)', async () => {
    const ns = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: ml}\n';
    const { report } = await scanJson(
      writeTree({
        'training/kustomization.yaml': 'resources: [namespace.yaml, trainer.yaml]\n',
        'training/namespace.yaml': ns,
        'training/trainer.yaml': docs(trainer('trainer', 'tensorflow/tensorflow:2.16.1')),
        'security/kustomization.yaml': 'resources: [namespace.yaml, falco.yaml]\n',
        'security/namespace.yaml': ns,
        'security/falco.yaml': docs(falco),
      }),
    );
    expect(report.errors).toEqual([]);
    expect(of(report, 'falco-missing')).toEqual([]);
    expect(report.findings.filter((finding) => finding.message.includes('[view'))).toEqual([]);
  });

  it('takes the views the configuration declares, adding the roots that collide with nothing', () => {
    expect(declared.report.errors).toEqual([]);
    expect(declared.report.warnings.map((warning) => warning.message)).toEqual([]);
    expect(of(declared.report, 'falco-missing').map((finding) => [finding.message.replace(/^.*(\[view [^\]]+\])$/, '$1'), finding.roots])).toEqual([['[view lab]', ['sensors/overlays/bare']]]);
    // The root that collides with nothing is in both views: its findings are reported once, without a view.
    expect(of(declared.report, 'egress-unrestricted').every((finding) => !finding.message.includes('[view'))).toBe(true);
  });

  it('writes a remediation kit per view', () => {
    const dir = writeTree(tree);
    const run = kfscan(['remediate', '.', '--out-dir', 'kit'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(readdirSync(path.join(dir, 'kit')).sort()).toEqual(['bare', 'full']);
    expect(run.stdout).toContain(`wrote a remediation kit to ${path.join('kit', 'bare')}`);
    expect(readdirSync(path.join(dir, 'kit', 'bare'))).toContain('kustomization.yaml');
  });
});

describe('binaries named in the configuration', () => {
  it('must lie outside the repository that holds it', () => {
    const dir = writeTree({ '.kfscan.yaml': 'render:\n  kustomizeBin: PLACEHOLDER\n', 'app/kustomization.yaml': 'resources: []\n', 'evil.sh': '#!/bin/sh\necho pwned\n' });
    writeFileSync(path.join(dir, '.kfscan.yaml'), `render:\n  kustomizeBin: ${path.join(dir, 'evil.sh')}\n`);
    const run = kfscan(['scan', '.'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\.kfscan\.yaml:2:\d+: render\.kustomizeBin points into the repository that holds the configuration/);
    const relative = kfscan(['scan', '.'], { cwd: writeTree({ '.kfscan.yaml': 'render:\n  helmBin: ./helm\n' }) });
    expect(relative.stderr).toContain('"render.helmBin" must be an absolute path');
  });
});
