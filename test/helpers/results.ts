// Scan results for reporter tests: the demo scan, and results built by hand for what the demo cannot show
// (live multi-context scans, hostile names, coverage gaps).
import { builtinChecks } from '../../checks/index.js';
import type { Category, CheckMeta, Finding, ScanResult, Severity } from '../../src/core/types.js';
import { scanManifests } from '../../src/engine/scan.js';
import type { AttackPathMember } from '../../src/reporters/attack-path.js';
import { ROOT } from './cli.js';

/** The steps each built-in check decides, as the CLI gives them to the reporters. */
export const ATTACK_PATH: AttackPathMember[] = builtinChecks.map((check) => ({ id: check.meta.id, steps: check.attackPath }));

export async function demoResult(): Promise<ScanResult> {
  const { result } = await scanManifests(['fixtures/demo'], { cwd: ROOT, checks: builtinChecks, now: () => new Date('2026-03-14T09:26:53Z') });
  return result;
}

/** Text a hostile manifest could carry; `window.__kfscanPwned` is set only if the page runs any of it. */
export const HOSTILE = {
  script: '<script>window.__kfscanPwned = "script"</script>',
  attribute: 'x" onmouseover="window.__kfscanPwned = \'attr\'" data-x="',
  image: '<img src=x onerror="window.__kfscanPwned = \'img\'">',
  bidi: 'gpu\u202Eexe.sh',
};

export function meta(id: string, category: Category, overrides: Partial<CheckMeta> = {}): CheckMeta {
  return {
    id,
    title: `Title of ${id}`,
    category,
    severity: 'high',
    description: 'd',
    rationale: 'r',
    remediation: `Fix ${id}`,
    tags: [],
    needs: [],
    docsUrl: `https://example.test/docs/${id}.md`,
    ...overrides,
  };
}

/** Every check of checks.md, as a live or offline result would list them once all are built. */
export const CATALOGUE: CheckMeta[] = [
  meta('ingress-gateway-exposed', 'exposure'),
  meta('kubeflow-dashboard-exposed', 'exposure', { severity: 'critical' }),
  meta('sensitive-ui-exposed', 'exposure'),
  meta('dashboard-auth-missing', 'auth', { severity: 'critical' }),
  meta('default-credentials', 'auth', { severity: 'critical' }),
  meta('mfa-not-enforced', 'mfa'),
  meta('mutable-ml-image', 'mutable-ml-image'),
  meta('miner-indicators', 'miner', { severity: 'critical' }),
  meta('falco-missing', 'falco-missing', { absence: true }),
  meta('falco-node-coverage', 'falco-missing', { absence: true }),
  meta('falco-miner-rules', 'falco-rules', { severity: 'medium', absence: true }),
  meta('prometheus-missing', 'prometheus-missing', { absence: true }),
  meta('growth-alerts-missing', 'alerting-gap', { severity: 'medium', absence: true }),
  meta('egress-unrestricted', 'hardening', { severity: 'medium' }),
  meta('namespace-quota-missing', 'hardening', { severity: 'low' }),
];

let counter = 0;

/** A finding as the engine makes it; live findings have a context and no file location. */
export function finding(checkId: string, overrides: Partial<Finding> = {}): Finding {
  const check = CATALOGUE.find((c) => c.id === checkId) ?? meta(checkId, 'hardening');
  counter += 1;
  return {
    checkId,
    title: check.title,
    severity: check.severity,
    category: check.category,
    resource: { apiVersion: 'v1', kind: 'Service', namespace: 'istio-system', name: `object-${counter}` },
    location: null,
    context: null,
    message: `message ${counter} of ${checkId}`,
    remediation: check.remediation,
    docsUrl: check.docsUrl!,
    fingerprint: counter.toString(16).padStart(32, '0'),
    id: `KF-${counter.toString(16).padStart(6, '0')}`,
    related: [],
    fieldPath: [],
    ...overrides,
  };
}

export function result(overrides: Partial<ScanResult> = {}): ScanResult {
  return {
    target: { mode: 'manifests', paths: ['deploy/'] },
    findings: [],
    errors: [],
    warnings: [],
    coverage: { unreadable: [], undecided: [] },
    checks: CATALOGUE,
    scanned: { resources: 10, files: 2, contexts: 0 },
    anchorFile: 'deploy/a.yaml',
    ...overrides,
  };
}

/**
 * A live scan of two clusters as live mode reports it: `prod-eu` exposed with default credentials and no
 * Falco, `staging` (with a hostile context name) only missing quotas, RBAC hiding Secrets there.
 */
export function liveTwoClusters(stagingName = 'staging'): ScanResult {
  const prod = 'prod-eu';
  const at = (context: string, checkId: string, severity?: Severity, extra: Partial<Finding> = {}): Finding =>
    finding(checkId, { context, ...(severity ? { severity } : {}), ...extra });
  return result({
    target: { mode: 'cluster', contexts: [prod, stagingName] },
    findings: [
      at(prod, 'ingress-gateway-exposed', 'critical', {
        message: 'Service istio-system/istio-ingressgateway is type LoadBalancer with no source ranges and serves the Kubeflow gateway',
      }),
      at(prod, 'kubeflow-dashboard-exposed', 'critical'),
      at(prod, 'default-credentials', 'critical', { resource: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'auth', name: 'dex' } }),
      at(prod, 'mutable-ml-image', 'critical', {
        resource: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: 'kubeflow-user', name: 'train-x7k2p' },
      }),
      at(prod, 'falco-missing', 'high', { resource: null }),
      at(prod, 'namespace-quota-missing', 'low', { resource: { apiVersion: 'v1', kind: 'Namespace', namespace: null, name: 'kubeflow-user' } }),
      at(stagingName, 'namespace-quota-missing', 'low', { resource: { apiVersion: 'v1', kind: 'Namespace', namespace: null, name: 'team-a' } }),
      at(stagingName, 'mfa-not-enforced', 'info', { message: 'Dex federates to GitHub: verify MFA in the upstream IdP' }),
    ],
    coverage: {
      unreadable: [{ resource: 'secrets', namespace: 'auth', reason: 'forbidden', context: stagingName }],
      undecided: [{ checkId: 'default-credentials', reason: 'could not read Secret auth/dex-passwords (forbidden)', context: stagingName }],
    },
    scanned: { resources: 420, files: 0, contexts: 2 },
    anchorFile: null,
  });
}
