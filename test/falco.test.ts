import { describe, expect, it } from 'vitest';
import falcoMinerRules from '../checks/falco-miner-rules/index.js';
import falcoMissing from '../checks/falco-missing/index.js';
import { runChecks } from '../src/engine/run.js';
import { parseArtifactRef } from '../src/kube/falco-config.js';
import { evaluateRules, POOL_RULE, STRATUM_RULE, type Selection } from '../src/kube/falco-rules.js';
import { falcoRules, runtimeSensors } from '../src/kube/falco.js';
import { containerFiles } from '../src/kube/pod-files.js';
import { inventoryFromYaml } from './helpers/inventory.js';

const stratum = { rule: STRATUM_RULE, condition: 'spawned_process and proc.cmdline contains "stratum+tcp"', priority: 'CRITICAL', tags: ['process', 'T1496'] };
const pool = { rule: POOL_RULE, condition: 'net_miner_pool', enabled: false, priority: 'CRITICAL', tags: ['network', 'T1496'] };
const file = (label: string, items: unknown[]) => ({ label, items });

describe('evaluateRules', () => {
  it('keeps a rule as defined, with enabled: false honoured', () => {
    const rules = evaluateRules([file('a.yaml', [stratum, pool])], [], null);
    expect(rules.get(STRATUM_RULE)?.enabled).toBe(true);
    expect(rules.get(POOL_RULE)).toMatchObject({ enabled: false, disabledBy: 'enabled: false in a.yaml' });
  });

  it('applies later files: the legacy toggle, override replace, and a full redefinition', () => {
    const toggle = file('local.yaml', [{ rule: POOL_RULE, enabled: true }]);
    expect(evaluateRules([file('a.yaml', [pool]), toggle], [], null).get(POOL_RULE)?.enabled).toBe(true);
    const override = file('b.yaml', [{ rule: STRATUM_RULE, override: { enabled: 'replace' }, enabled: false }]);
    expect(evaluateRules([file('a.yaml', [stratum]), override], [], null).get(STRATUM_RULE)).toMatchObject({ enabled: false, disabledBy: 'enabled: false in b.yaml' });
    const redefined = file('c.yaml', [{ ...pool, enabled: undefined }]);
    expect(evaluateRules([file('a.yaml', [pool]), redefined], [], null).get(POOL_RULE)?.enabled).toBe(true);
  });

  it('appends conditions and tags without touching enabled', () => {
    const append = file('b.yaml', [{ rule: STRATUM_RULE, append: true, condition: 'and not user_known', tags: ['extra'] }]);
    const rule = evaluateRules([file('a.yaml', [stratum]), append], [], null).get(STRATUM_RULE)!;
    expect(rule).toMatchObject({ enabled: true, condition: `${stratum.condition} and not user_known`, tags: ['process', 'T1496', 'extra'] });
  });

  it('ignores toggles of rules never defined, and items that are not rules', () => {
    const rules = evaluateRules([file('a.yaml', [{ rule: 'Ghost', enabled: true }, { macro: 'x', condition: 'y' }, 'junk', null])], [], null);
    expect(rules.size).toBe(0);
  });

  it('runs selection commands in order: wildcards, tags, name substrings', () => {
    const selection: Selection[] = [
      { action: 'disable', rule: '*', origin: 'disable all' },
      { action: 'enable', tag: 'network', origin: 'enable network' },
      { action: 'enable', rule: 'Detect crypto*', origin: 'enable stratum' },
      { action: 'disable', substring: 'crypto miners', origin: '-D crypto miners' },
    ];
    const rules = evaluateRules([file('a.yaml', [stratum, pool])], selection, null);
    expect(rules.get(POOL_RULE)?.enabled).toBe(true);
    expect(rules.get(STRATUM_RULE)).toMatchObject({ enabled: false, disabledBy: '-D crypto miners' });
  });

  it('drops rules below the minimum priority', () => {
    expect(evaluateRules([file('a.yaml', [stratum])], [], 'alert').get(STRATUM_RULE)?.enabled).toBe(false);
    expect(evaluateRules([file('a.yaml', [stratum])], [], 'critical').get(STRATUM_RULE)?.enabled).toBe(true);
  });
});

describe('parseArtifactRef', () => {
  it.each([
    ['falco-rules:5', { name: 'falco-rules', tag: '5' }],
    ['ghcr.io/falcosecurity/rules/falco-sandbox-rules:4.0.0', { name: 'falco-sandbox-rules', tag: '4.0.0' }],
    ['registry:5000/rules/falco-rules', { name: 'falco-rules', tag: null }],
    [`falco-rules@sha256:${'a'.repeat(64)}`, { name: 'falco-rules', tag: null }],
    ['', null],
  ])('%s', (ref, expected) => {
    expect(parseArtifactRef(ref)).toEqual(expected);
  });
});

describe('runtime sensors', () => {
  const daemonSet = (name: string, containers: string, extra = '') => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}, namespace: sec}
spec:
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: ${containers}
${extra}
---`;

  it('recognises products by image, not helpers or look-alike names', () => {
    const inventory = inventoryFromYaml(
      [
        daemonSet('falco-exporter', '[{name: falco-exporter, image: "falcosecurity/falco-exporter:0.8.3"}]'),
        daemonSet('falcon', '[{name: falcon, image: "registry.crowdstrike.com/falcon-sensor/us-1/release/falcon-sensor:7.10"}]'),
        daemonSet('dd-plain', '[{name: agent, image: "datadog/agent:7"}]'),
        daemonSet('dd-cws', '[{name: agent, image: "datadog/agent:7"}, {name: security-agent, image: "datadog/agent:7"}]'),
        daemonSet('twistlock-defender-ds', '[{name: defender, image: "registry-auth.twistlock.com/tw_abc/twistlock/defender:defender_31"}]'),
      ].join('\n'),
    );
    expect(runtimeSensors(inventory).map((s) => [s.resource.ref.name, s.product, s.falco])).toEqual([
      ['dd-cws', 'Datadog Cloud Workload Security', false],
      ['falcon', 'CrowdStrike Falcon sensor', false],
      ['twistlock-defender-ds', 'Prisma Cloud Defender', false],
    ]);
  });
});

describe('containerFiles', () => {
  const inventory = inventoryFromYaml(`
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: ns}
data: {a.yaml: "A", b.yaml: "B", c.yaml: "C"}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: d, namespace: ns}
spec:
  template:
    spec:
      containers:
        - name: c
          image: falcosecurity/falco:0.44.1
          volumeMounts:
            - {name: picked, mountPath: /etc/picked}
            - {name: whole, mountPath: /etc/whole/}
            - {name: whole, mountPath: /etc/single.yaml, subPath: c.yaml}
            - {name: gone, mountPath: /etc/gone}
            - {name: scratch, mountPath: /etc/scratch}
      volumes:
        - {name: picked, configMap: {name: cfg, items: [{key: a.yaml, path: renamed.yaml}]}}
        - {name: whole, projected: {sources: [{configMap: {name: cfg}}]}}
        - {name: gone, configMap: {name: not-there}}
        - {name: scratch, emptyDir: {}}
`);
  const site = inventory.podTemplates()[0]!.containers[0]!;
  const files = containerFiles(site, inventory);

  it('resolves ConfigMap keys through items, projections and subPath', () => {
    expect(files.file('/etc/picked/renamed.yaml')).toMatchObject({ kind: 'configmap', key: 'a.yaml', text: 'A' });
    expect(files.file('/etc/picked/a.yaml')).toEqual({ kind: 'absent' });
    expect(files.file('/etc/whole/b.yaml')).toMatchObject({ kind: 'configmap', key: 'b.yaml' });
    expect(files.file('/etc/single.yaml')).toMatchObject({ kind: 'configmap', key: 'c.yaml', text: 'C' });
  });

  it('tells a missing ConfigMap, an opaque volume and the image apart', () => {
    expect(files.file('/etc/gone/x.yaml')).toEqual({ kind: 'missing-configmap', namespace: 'ns', name: 'not-there', key: 'x.yaml' });
    expect(files.file('/etc/scratch/x.yaml')).toMatchObject({ kind: 'volume', volume: 'scratch', volumeType: 'emptyDir' });
    expect(files.file('/etc/falco/falco.yaml')).toEqual({ kind: 'image' });
  });

  it('lists a directory in name order, with subPath files mounted into it', () => {
    expect(files.directory('/etc/whole').files.map((f) => f.path)).toEqual(['/etc/whole/a.yaml', '/etc/whole/b.yaml', '/etc/whole/c.yaml']);
    expect(files.directory('/etc').files.map((f) => f.path)).toEqual(['/etc/single.yaml']);
    expect(files.directory('/etc/scratch').opaque).toHaveLength(1);
  });
});

/** A Falco DaemonSet in namespace `falco`, with the given pod spec lines (indented for `spec:`). */
const falcoDaemonSet = (podSpec: string): string => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: falco, namespace: falco}
spec:
  template:
    spec:
${podSpec}`;

describe('falco-miner-rules and falco-missing verdicts', () => {
  const run = (yaml: string, check = falcoMinerRules) => runChecks(inventoryFromYaml(yaml), [check]);

  it('cannot decide when the rules ConfigMap is not in the input', () => {
    const result = run(
      falcoDaemonSet(`
      containers:
        - name: falco
          image: falcosecurity/falco:0.44.1
          volumeMounts: [{name: rules, mountPath: /etc/falco/rules.d}]
      volumes: [{name: rules, configMap: {name: falco-rules}}]`),
    );
    expect(result.findings).toEqual([]);
    expect(result.undecided).toEqual([
      { checkId: 'falco-miner-rules', reason: 'Falco DaemonSet falco/falco loads rules kfscan cannot see: /etc/falco/rules.d (ConfigMap falco/falco-rules not in the input)', context: null },
    ]);
  });

  it('cannot decide for rules on a hostPath', () => {
    const result = run(
      falcoDaemonSet(`
      containers:
        - name: falco
          image: falcosecurity/falco:0.44.1
          args: [/usr/bin/falco, -r, /host-rules/rules.yaml]
          volumeMounts: [{name: host, mountPath: /host-rules}]
      volumes: [{name: host, hostPath: {path: /opt/falco}}]`),
    );
    expect(result.undecided.map((u) => u.reason)).toEqual(['Falco DaemonSet falco/falco loads rules kfscan cannot see: /host-rules/rules.yaml (hostPath volume host)']);
  });

  it('says it cannot read another product, instead of passing', () => {
    const result = run(`
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: sysdig-agent, namespace: sysdig}
spec:
  template:
    spec:
      containers: [{name: sysdig, image: "quay.io/sysdig/agent:13.0.0"}]
`);
    expect(result.findings).toEqual([]);
    expect(result.undecided[0]?.reason).toMatch(/^the runtime sensor is Sysdig agent DaemonSet sysdig\/sysdig-agent, not Falco/);
  });

  it('reports the miner rules a falco-rules 1.x artifact carries', () => {
    const inventory = inventoryFromYaml(
      falcoDaemonSet(`
      initContainers:
        - name: falcoctl
          image: falcosecurity/falcoctl:0.5.1
          args: [artifact, install, falco-rules:1, --rulesfiles-dir, /rulesfiles]
          volumeMounts: [{name: rules, mountPath: /rulesfiles}]
      containers:
        - name: falco
          image: falcosecurity/falco-no-driver:0.35.1
          volumeMounts: [{name: rules, mountPath: /etc/falco}]
      volumes: [{name: rules, emptyDir: {}}]`),
    );
    const [sensor] = runtimeSensors(inventory);
    const { rules, sources } = falcoRules(inventory, sensor!);
    expect(sources.files.map((f) => f.label)).toEqual(['/etc/falco/falco_rules.yaml from falcoctl artifact falco-rules:1']);
    expect(rules.get(STRATUM_RULE)?.enabled).toBe(true);
    expect(rules.get(POOL_RULE)?.enabled).toBe(false);
  });

  it('leaves a partial input alone: absence checks need a whole cluster or an ML platform', () => {
    const inventory = inventoryFromYaml('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: y}\n', { wholeCluster: false });
    expect(runChecks(inventory, [falcoMissing]).outOfScope).toEqual(['falco-missing']);
  });

  it('is undecided when DaemonSets could not be listed', () => {
    const inventory = inventoryFromYaml('', { forbidden: new Map([['apps/DaemonSet', 'forbidden']]) });
    expect(runChecks(inventory, [falcoMissing]).undecided.map((u) => u.checkId)).toEqual(['falco-missing']);
  });
});
