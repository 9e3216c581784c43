import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from './api-server/index.js';
import { checkIdsWithFixtures, fixtureCases, FIXTURES_DIR } from './helpers/fixtures.js';
import { runCli } from './helpers/in-process.js';
import { kubeconfigFile, type JsonReport } from './helpers/live.js';

// The same objects scanned offline (as a whole cluster) and live must give the same findings: same check,
// severity, object and message. Only the location (file:line offline, context live) and the apiVersion
// (live objects come in the server's preferred version) may differ.

const sets = [
  path.join(FIXTURES_DIR, 'demo'),
  ...checkIdsWithFixtures()
    .flatMap((id) => fixtureCases(id).map((fixture) => fixture.path)),
];

function comparable(report: JsonReport): string[] {
  return report.findings
    .map((f) => {
      const written = f.resource ? (f.resource.apiVersion.includes('/') ? f.resource.apiVersion.split('/')[0]! : '') : '';
      // A server serves a legacy extensions Ingress through networking.k8s.io, as the test server does.
      const group = written === 'extensions' && f.resource?.kind === 'Ingress' ? 'networking.k8s.io' : written;
      const object = f.resource ? `${group}/${f.resource.kind} ${f.resource.namespace ?? ''}/${f.resource.name}` : '(cluster)';
      return `${f.checkId} ${f.severity} ${object}: ${f.message}`;
    })
    .sort();
}

describe('live and offline scans agree', () => {
  const servers = new Map<string, ApiServer>();
  beforeAll(async () => {
    for (const set of sets) servers.set(set, await startApiServer({ fixtures: [set] }));
  });
  afterAll(async () => {
    await Promise.all([...servers.values()].map((s) => s.close()));
  });

  it.each(sets.map((set) => [path.relative(path.dirname(FIXTURES_DIR), set), set]))('on %s', async (_name, set) => {
    const offline = await runCli(['scan', set, '--whole-cluster', '-f', 'json', '--fail-on', 'none']);
    // Two connections, not eight: these clusters are small and the server answers at once, and a TLS
    // handshake per connection was a good part of this file's time. What is compared does not depend on it.
    const live = await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'parity', server: servers.get(set)! }]), '-f', 'json', '--fail-on', 'none', '--concurrency', '2']);
    const offlineReport = JSON.parse(offline.stdout) as JsonReport;
    const liveReport = JSON.parse(live.stdout) as JsonReport;
    expect(liveReport.errors).toEqual([]);
    expect(liveReport.coverage.unreadable).toEqual([]);
    expect(comparable(liveReport)).toEqual(comparable(offlineReport));
    if (path.basename(set).startsWith('fail-') || set.endsWith('demo')) expect(liveReport.findings.length).toBeGreaterThan(0);
    expect(liveReport.coverage.undecided.map((u) => u.checkId)).toEqual(offlineReport.coverage.undecided.map((u) => u.checkId));
  });

  it('covers the demo and at least one fixture per check', () => {
    expect(sets.length).toBeGreaterThan(checkIdsWithFixtures().length);
  });
});
