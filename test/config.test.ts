import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import type { CheckMeta, Finding } from '../src/core/types.js';
import { ignoreRules } from '../src/config/ignore-rules.js';
import { ConfigError, findConfigFile, loadConfig } from '../src/config/load.js';
import { CONFIG_SCHEMA } from '../src/config/schema.js';
import { tempRepo } from './helpers/repo.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const NOW = new Date('2030-06-30T12:00:00Z');
const catalogue: CheckMeta[] = builtinChecks.map((check) =>
  check.meta.id === 'ingress-gateway-exposed' ? { ...check.meta, aliases: ['gateway-public'] } : check.meta,
);


async function loadError(text: string): Promise<string> {
  const dir = tempRepo({ '.kfscan.yaml': text });
  try {
    const config = await loadConfig('.kfscan.yaml', dir);
    ignoreRules(config, catalogue, dir, NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

const finding = (overrides: Partial<Finding> = {}): Finding => ({
  checkId: 'mutable-ml-image',
  title: 't',
  severity: 'high',
  category: 'mutable-ml-image',
  resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'team-a', name: 'trainer-gpu' },
  location: { file: 'deploy/legacy/train.yaml', line: 4, column: 3 },
  context: null,
  message: 'm',
  remediation: 'r',
  docsUrl: 'https://example.invalid',
  fingerprint: '0'.repeat(32),
  id: 'KF-000000',
  related: [],
  fieldPath: [],
  ...overrides,
});

describe('finding .kfscan.yaml', () => {
  it('looks in the working directory, then upward to the repository root', async () => {
    const dir = tempRepo({ '.kfscan.yaml': 'ignore: []\n', 'deploy/app/x.yaml': '' });
    expect(await findConfigFile(path.join(dir, 'deploy', 'app'))).toBe(path.join(dir, '.kfscan.yaml'));
    const nearer = tempRepo({ '.kfscan.yaml': '', 'deploy/.kfscan.yml': '' });
    expect(await findConfigFile(path.join(nearer, 'deploy'))).toBe(path.join(nearer, 'deploy', '.kfscan.yml'));
  });

  it('stops at the repository root, also when .git is a file (worktrees, submodules)', async () => {
    const outer = tempRepo({ '.kfscan.yaml': '' });
    const inner = path.join(outer, 'vendor', 'sub');
    mkdirSync(inner, { recursive: true });
    writeFileSync(path.join(inner, '.git'), 'gitdir: ../../.git/modules/sub\n');
    expect(await findConfigFile(inner)).toBeNull();
    expect(await findConfigFile(path.join(outer, 'vendor'))).toBe(path.join(outer, '.kfscan.yaml'));
  });

  it('refuses two configuration files side by side', async () => {
    const dir = tempRepo({ '.kfscan.yaml': '', '.kfscan.yml': '' });
    await expect(findConfigFile(dir)).rejects.toThrow('both .kfscan.yaml and .kfscan.yml exist; keep one');
  });
});

describe('validating .kfscan.yaml', () => {
  it('accepts an empty file and a full entry', async () => {
    const empty = tempRepo({ '.kfscan.yaml': '# nothing yet\n' });
    expect((await loadConfig('.kfscan.yaml', empty)).data).toEqual({});
    const dir = tempRepo({
      '.kfscan.yaml': [
        'ignore:',
        '  - check: [mutable-ml-image, gateway-public]',
        '    namespace: team-*',
        '    resource: [Deployment/trainer-*]',
        '    path: deploy/legacy/',
        '    context: dev-*',
        '    reason: legacy trainers, replaced in Q3',
        '    expires: 2031-01-31',
        '',
      ].join('\n'),
    });
    const config = await loadConfig('.kfscan.yaml', dir);
    expect(config.file).toBe('.kfscan.yaml');
    expect(config.data.ignore?.[0]?.expires).toBe('2031-01-31');
  });

  it.each([
    ['ignores:\n  - check: mutable-ml-image\n', '.kfscan.yaml:1:1: unknown top-level key "ignores" (did you mean "ignore"?); allowed keys: ignore, plugins, exclude, render, report, views'],
    [
      'ignore:\n  - check: mutable-ml-image\n    namespce: team-a\n    reason: r\n',
      '.kfscan.yaml:3:5: unknown key in ignore[0]: "namespce" (did you mean "namespace"?); allowed keys: check, namespace, resource, path, context, reason, expires',
    ],
    ['ignore:\n  - check: mutable-ml-image\n', '.kfscan.yaml:2:5: "ignore[0]" needs "reason": say why the finding is accepted'],
    ['ignore:\n  - reason: r\n', '.kfscan.yaml:2:5: "ignore[0]" needs "check": name the checks it suppresses (ids or aliases)'],
    ['ignore:\n  - check: mutable-ml-image\n    reason: "  "\n', '.kfscan.yaml:3:13: "ignore[0].reason" must not be blank'],
    ['ignore:\n  - check: [mutable-ml-image, 7]\n    reason: r\n', '.kfscan.yaml:2:31: "ignore[0].check[1]" must be a string'],
    ['ignore:\n  - check: mutable-ml-image\n    namespace: {a: b}\n    reason: r\n', '.kfscan.yaml:3:16: "ignore[0].namespace" must be a string or a list of strings'],
    ['ignore:\n  - check: []\n    reason: r\n', '.kfscan.yaml:2:12: "ignore[0].check" must not be empty'],
    ['ignore: mutable-ml-image\n', '.kfscan.yaml:1:9: "ignore" must be a list'],
    ['- ignore\n', '.kfscan.yaml:1:1: the configuration must be a mapping (e.g. ignore: [...])'],
    ['ignore:\n  - check: mutable-ml-image\n    reason: r\n    expires: 30/06/2030\n', '.kfscan.yaml:4:14: "ignore[0].expires" must be a date written YYYY-MM-DD'],
    ['ignore:\n  - check: mutable-ml-image\n    reason: r\n    expires: 2030-02-30\n', '.kfscan.yaml:4:14: "2030-02-30" is not a calendar date'],
    ['ignore:\n  - check: mutable-ml-image\n    check: x\n', '.kfscan.yaml:3:5: invalid YAML: Map keys must be unique'],
    [
      'ignore:\n  - check: mutable-ml-imag\n    reason: r\n',
      '.kfscan.yaml:2:12: unknown check id "mutable-ml-imag" in ignore[0].check (did you mean "mutable-ml-image"?) (see `kfscan checks`)',
    ],
    [
      'ignore:\n  - check: ["*"]\n    reason: r\n',
      '.kfscan.yaml:2:13: unknown check id "*" in ignore[0].check: name each check, so that checks added later are never silenced by an old entry (see `kfscan checks`)',
    ],
    [
      'ignore:\n  - check: mutable-ml-image\n    resource: trainer\n    reason: r\n',
      '.kfscan.yaml:3:15: "trainer" in ignore[0].resource must be Kind/name, e.g. Service/istio-ingressgateway or Deployment/*',
    ],
  ])('%j -> %s', async (text, message) => {
    expect(await loadError(text)).toBe(message);
  });

  it('names a missing --config file plainly', async () => {
    await expect(loadConfig('nope.yaml', tempRepo({}))).rejects.toThrow('cannot read configuration nope.yaml: no such file');
  });

  it('publishes the schema it validates with', () => {
    const published = JSON.parse(readFileSync(path.join(ROOT, 'schema', 'kfscan-config.schema.json'), 'utf8'));
    expect(published).toEqual(JSON.parse(JSON.stringify(CONFIG_SCHEMA)));
  });
});

describe('ignore entries as rules', () => {
  async function rules(text: string, cwdBelowRoot = '') {
    const dir = tempRepo({ '.kfscan.yaml': text });
    const cwd = path.join(dir, cwdBelowRoot);
    mkdirSync(cwd, { recursive: true });
    const config = await loadConfig((await findConfigFile(cwd))!, cwd);
    return ignoreRules(config, catalogue, cwd, NOW);
  }

  it('resolves aliases to check ids', async () => {
    const set = await rules('ignore:\n  - check: gateway-public\n    reason: r\n');
    expect([...set.rules[0]!.checks]).toEqual(['ingress-gateway-exposed']);
  });

  it('requires every condition of an entry, any pattern of a condition', async () => {
    const { rules: [rule] } = await rules(
      'ignore:\n  - check: mutable-ml-image\n    namespace: [team-*, lab]\n    resource: deployment/trainer-*\n    reason: r\n',
    );
    expect(rule!.matches(finding())).toBe(true);
    expect(rule!.matches(finding({ resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'lab', name: 'trainer-1' } }))).toBe(true);
    expect(rule!.matches(finding({ resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'prod', name: 'trainer-1' } }))).toBe(false);
    expect(rule!.matches(finding({ resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'team-a', name: 'trainer-1' } }))).toBe(false);
    expect(rule!.matches(finding({ resource: null }))).toBe(false);
  });

  it('takes path globs relative to the configuration file, wherever kfscan runs', async () => {
    const fromRoot = (await rules('ignore:\n  - check: mutable-ml-image\n    path: deploy/legacy/\n    reason: r\n')).rules[0]!;
    expect(fromRoot.matches(finding())).toBe(true);
    expect(fromRoot.matches(finding({ location: { file: 'deploy/current/train.yaml', line: 1, column: 1 } }))).toBe(false);
    expect(fromRoot.matches(finding({ location: { file: '<stdin>', line: 1, column: 1 } }))).toBe(false);
    expect(fromRoot.matches(finding({ location: null, context: 'prod' }))).toBe(false);

    const fromSubdir = (await rules('ignore:\n  - check: mutable-ml-image\n    path: "deploy/legacy/**/*.yaml"\n    reason: r\n', 'deploy')).rules[0]!;
    expect(fromSubdir.matches(finding({ location: { file: 'legacy/train.yaml', line: 1, column: 1 } }))).toBe(true);
    expect(fromSubdir.matches(finding({ location: { file: '../outside/legacy/train.yaml', line: 1, column: 1 } }))).toBe(false);
  });

  it('matches kube contexts for live scans', async () => {
    const { rules: [rule] } = await rules('ignore:\n  - check: mutable-ml-image\n    context: dev-*\n    reason: r\n');
    expect(rule!.matches(finding({ location: null, context: 'dev-eu' }))).toBe(true);
    expect(rule!.matches(finding({ location: null, context: 'prod-eu' }))).toBe(false);
    expect(rule!.matches(finding())).toBe(false);
  });

  it('warns about expired entries with their line, and keeps the date for the engine to enforce', async () => {
    const set = await rules(
      'ignore:\n  - check: mutable-ml-image\n    reason: legacy\n    expires: 2030-06-30\n  - check: mutable-ml-image\n    reason: old waiver\n    expires: 2030-06-29\n',
    );
    expect(set.rules.map((rule) => rule.expires)).toEqual(['2030-06-30', '2030-06-29']);
    expect(set.warnings).toEqual([
      {
        file: '.kfscan.yaml',
        line: 5,
        column: 5,
        message: 'ignore entry for mutable-ml-image expired on 2030-06-29 and no longer applies (reason was: old waiver); renew or remove it',
      },
    ]);
  });
});
