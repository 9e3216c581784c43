import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import type { Check, Resource } from '../src/core/types.js';
import { analyseInventory } from '../src/engine/analyse.js';
import { scanManifests } from '../src/engine/scan.js';
import { buildInventory } from '../src/inventory/inventory.js';
import { createResource } from '../src/inventory/resource.js';
import { loadManifests } from '../src/loaders/files.js';
import { jsonReport } from '../src/reporters/json.js';
import { sarifReport } from '../src/reporters/sarif.js';
import { tableReport } from '../src/reporters/table.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const context = { version: '0.0.0-test', color: false, width: 200 };
const check = (id: string): Check => builtinChecks.find((c) => c.meta.id === id)!;

// Secrets are compared, never printed: not in messages, fingerprints, keys or any report format.
describe('secret values never reach a report', () => {
  const markers = [
    '$2y$12$KFSCANMARKERHASHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    '$2y$12$KFSCANMARKERBASE64bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
    'KFSCAN-MARKER-CLIENT-SECRET',
    'KFSCAN-MARKER-COOKIE-SECRET',
    'KFSCANMARKER',
    // The published defaults are credentials too.
    'pUBnBOY80SnXgjibTYM9ZWNzY2xreNGQok',
    '7d16fee92f8d11b8940b081b3f8b8acb',
    '$2y$12$4K/VkmDd1q1Orb3xAt82zu8gk7Ad6ReFR4LCP9UeYE90NLiN9Df72',
    '12341234',
  ];
  const inputs = ['fixtures/default-credentials', 'fixtures/mfa-not-enforced', 'fixtures/demo'];

  it.each(inputs)('%s: table, JSON and SARIF hold no secret value', async (input) => {
    const { result } = await scanManifests([input], { cwd: ROOT, checks: builtinChecks, wholeCluster: true });
    expect(result.findings.length).toBeGreaterThan(0);
    const reports = [tableReport(result, context), jsonReport(result, context), sarifReport(result, context)].join('\n');
    for (const marker of markers) {
      expect(reports, marker).not.toContain(marker);
      expect(reports, `base64 of ${marker}`).not.toContain(Buffer.from(marker).toString('base64'));
    }
    for (const finding of result.findings) {
      expect(finding.fieldPath.join('.')).not.toMatch(/KFSCAN|pUBnBOY|\$2y\$/);
    }
  });
});

async function liveInventory(input: string, forbidden: Map<string, string>) {
  const loaded = await loadManifests([input], { cwd: ROOT, maxFileBytes: 1e7 });
  // Live mode with --no-secrets reads no Secret at all.
  const readable = forbidden.has('Secret') ? loaded.objects.filter((o) => o.obj.kind !== 'Secret') : loaded.objects;
  const resources: Resource[] = readable.map((o) =>
    createResource({ obj: o.obj, origin: { type: 'cluster', context: 'prod' }, defaultNamespace: o.namespaceHint ?? 'default' }),
  );
  return buildInventory(resources, { mode: 'cluster', context: 'prod', forbidden });
}

describe('--no-secrets (Secrets forbidden) makes the checks that need them undecided', () => {
  const noSecrets = new Map([['Secret', 'not read: --no-secrets']]);

  it('default-credentials still compares what is not secret, and says what it could not compare', async () => {
    const inventory = await liveInventory('checks/default-credentials/fixtures/fail-hash-from-env-stringdata.yaml', noSecrets);
    const run = analyseInventory(inventory, { checks: [check('default-credentials')] });
    expect(run.findings).toEqual([]);
    expect(run.undecided.map((u) => u.reason)).toEqual(
      expect.arrayContaining([expect.stringMatching(/Secret auth\/dex-passwords was not read \(not read: --no-secrets\).*hashFromEnv DEX_USER_PASSWORD/)]),
    );
  });

  it('a literal default hash in a ConfigMap is still found without Secrets', async () => {
    const inventory = await liveInventory('checks/default-credentials/fixtures/fail-dex-configmap-default-hash.yaml', noSecrets);
    const run = analyseInventory(inventory, { checks: [check('default-credentials')] });
    expect(run.findings.map((f) => f.severity)).toEqual(['critical']);
    expect(run.undecided.length).toBeGreaterThan(0);
  });

  it('mfa-not-enforced is undecided when the Dex config sits in an unreadable Secret', async () => {
    const inventory = await liveInventory('checks/default-credentials/fixtures/fail-dex-config-in-secret.yaml', noSecrets);
    const run = analyseInventory(inventory, { checks: [check('mfa-not-enforced'), check('default-credentials')] });
    expect(run.findings).toEqual([]);
    expect(run.undecided.map((u) => u.checkId).sort()).toEqual(['default-credentials', 'mfa-not-enforced']);
    expect(run.undecided[0]!.reason).toMatch(/Secret dex\/dex was not read/);
  });

  it('live mode treats a Secret it was not asked to read as unread, and a named one that is missing as absent', async () => {
    const inventory = await liveInventory('checks/default-credentials/fixtures/fail-hash-from-env-stringdata.yaml', new Map());
    const withoutPasswords = inventory.all().filter((r) => r.ref.name !== 'dex-passwords');
    const absent = analyseInventory(buildInventory(withoutPasswords, { mode: 'cluster', context: 'prod' }), { checks: [check('default-credentials')] });
    expect(absent.findings).toEqual([]);
    expect(absent.undecided).toEqual([]);

    const elsewhere = withoutPasswords.map((r) =>
      r.ref.kind === 'Deployment'
        ? createResource({ obj: JSON.parse(JSON.stringify(r.obj).replace('"dex-passwords"', '"custom-passwords"')), origin: r.origin })
        : r,
    );
    const unread = analyseInventory(buildInventory(elsewhere, { mode: 'cluster', context: 'prod' }), { checks: [check('default-credentials')] });
    expect(unread.findings).toEqual([]);
    expect(unread.undecided.map((u) => u.reason)).toEqual([
      expect.stringMatching(/^Secret auth\/custom-passwords is not among the Secrets kfscan reads by name/),
    ]);
  });
});

describe('oauth2-proxy in live mode', () => {
  it('is undecided when its secrets sit in a Secret kfscan does not read by name (kustomize name hash)', async () => {
    const inventory = await liveInventory('checks/mfa-not-enforced/fixtures/fail-dex-password-db-behind-oauth2-proxy.yaml', new Map());
    const withEnv = inventory.all().map((r) =>
      r.ref.kind === 'Deployment' && r.ref.name === 'oauth2-proxy'
        ? createResource({
            obj: JSON.parse(
              JSON.stringify(r.obj).replace(
                '"volumeMounts"',
                '"env":[{"name":"OAUTH2_PROXY_COOKIE_SECRET","valueFrom":{"secretKeyRef":{"name":"oauth2-proxy-h675gf55ht","key":"cookie-secret"}}}],"volumeMounts"',
              ),
            ),
            origin: r.origin,
          })
        : r,
    );
    const run = analyseInventory(buildInventory(withEnv, { mode: 'cluster', context: 'prod' }), { checks: [check('default-credentials')] });
    expect(run.undecided.map((u) => u.reason)).toEqual([
      expect.stringMatching(/^Secret oauth2-proxy\/oauth2-proxy-h675gf55ht is not among the Secrets kfscan reads by name: oauth2-proxy's/),
    ]);
  });
});
