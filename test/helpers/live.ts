import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { stringify } from 'yaml';
import type { Check, CheckMeta, KindName } from '../../src/core/types.js';
import { startApiServer, writeKubeconfig, type ApiServer, type ApiServerOptions, type KubeconfigEntry } from '../api-server/index.js';

/** A way to start API servers in a test file, all closed after its last test. */
export function useApiServers(): (options?: ApiServerOptions) => Promise<ApiServer> {
  const started: ApiServer[] = [];
  afterAll(async () => {
    await Promise.all(started.map((server) => server.close()));
  });
  return async (options = {}) => {
    const server = await startApiServer(options);
    started.push(server);
    return server;
  };
}

export function tempDir(prefix = 'kfscan-live-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A kubeconfig in `dir` for one server (its CA in a file beside it) with the users given and one context per
 * entry of `contexts` (context name -> user name); the first context is the current one.
 */
export function kubeconfigWithUsers(dir: string, server: Pick<ApiServer, 'url' | 'caPem'>, users: Record<string, Record<string, unknown>>, contexts: Record<string, string>): string {
  const ca = path.join(dir, 'ca.crt');
  writeFileSync(ca, server.caPem);
  const file = path.join(dir, 'config');
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: server.url, 'certificate-authority': ca } }],
      users: Object.entries(users).map(([name, user]) => ({ name, user })),
      contexts: Object.entries(contexts).map(([name, user]) => ({ name, context: { cluster: 'c', user } })),
      'current-context': Object.keys(contexts)[0],
    }),
  );
  return file;
}

/**
 * A credential plugin: a Node script at `file` that, after `delayMs`, writes `marker` (the proof that it
 * ran, holding the KUBERNETES_EXEC_INFO it was given) and prints an ExecCredential with `token`; with
 * `pidFile`, it first writes its process id there.
 */
export function execCredentialScript(file: string, token: string, marker: string, delayMs = 0, pidFile?: string): string {
  const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token } });
  const answer = `require('node:fs').writeFileSync(${JSON.stringify(marker)}, process.env.KUBERNETES_EXEC_INFO ?? ''); process.stdout.write(${JSON.stringify(credential)});`;
  const start = pidFile === undefined ? '' : `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));\n`;
  writeFileSync(file, `#!/usr/bin/env node\n${start}${delayMs > 0 ? `setTimeout(() => { ${answer} }, ${delayMs});` : answer}\n`, { mode: 0o755 });
  return file;
}

/** A kubeconfig file in a fresh temporary directory. */
export function kubeconfigFile(entries: readonly KubeconfigEntry[], current?: string | null): string {
  return writeKubeconfig(path.join(tempDir(), 'config'), entries, current);
}

function meta(id: string, extra: Partial<CheckMeta>): CheckMeta {
  return {
    id,
    title: `test check ${id}`,
    category: 'hardening',
    severity: 'info',
    description: 'A check for tests.',
    rationale: 'Tests.',
    remediation: 'None.',
    tags: [],
    needs: [],
    ...extra,
  };
}

/** Reports, per kind, what the inventory says about it: readability and the objects it holds. */
export function readabilityProbe(needs: readonly KindName[], namedSecrets: Array<{ namespace: string; name: string }> = []): Check {
  return {
    meta: meta('test-readability', { needs: [...needs], namedSecrets }),
    *run(inventory) {
      for (const kind of [...needs, ...(namedSecrets.length > 0 ? ['Secret'] : [])]) {
        const readability = inventory.readability(kind);
        const names = inventory
          .ofKind(kind)
          .map((r) => `${r.ref.namespace ?? ''}/${r.ref.name}`)
          .sort();
        const reason = readability.state === 'forbidden' ? ` (${readability.reason})` : '';
        yield { resource: null, key: kind, message: `${kind}: ${readability.state}${reason}: [${names.join(' ')}]` };
      }
    },
  };
}

/** An absence check in the manner of falco-missing: passes only when it sees a Falco DaemonSet. */
export const falcoLikeAbsenceCheck: Check = {
  meta: meta('test-falco-like', { absence: true, severity: 'high', needs: ['apps/DaemonSet'] }),
  *run(inventory) {
    if (!inventory.ofKind('apps/DaemonSet').some((ds) => ds.ref.name.includes('falco'))) yield { resource: null, message: 'no Falco DaemonSet' };
  },
};

/** A check that (wrongly) lists Secret among its needs: live mode must still never LIST Secrets. */
export const secretNeedingCheck: Check = {
  meta: meta('test-secret-needs', { needs: ['Secret', 'Service'], namedSecrets: [{ namespace: 'auth', name: 'dex-passwords' }] }),
  *run(inventory) {
    for (const secret of inventory.ofKind('Secret')) yield { resource: secret, message: `saw secret ${secret.ref.namespace}/${secret.ref.name}` };
  },
};

export interface JsonReport {
  target: { mode: string; contexts?: string[] };
  findings: Array<{
    checkId: string;
    severity: string;
    message: string;
    context: string | null;
    location: unknown;
    resource: { apiVersion: string; kind: string; namespace: string | null; name: string } | null;
  }>;
  errors: Array<{ context?: string; resource?: string; message: string }>;
  coverage: {
    unreadable: Array<{ resource: string; namespace?: string; name?: string; reason: string; context?: string }>;
    undecided: Array<{ checkId: string; reason: string; context: string | null }>;
  };
}

export function messages(report: JsonReport, checkId?: string): string[] {
  return report.findings.filter((f) => checkId === undefined || f.checkId === checkId).map((f) => f.message);
}

/** Objects for a cluster of `count` pods, a few of them running TensorFlow by a mutable tag. */
export function generatedPods(count: number, namespace = 'load'): unknown[] {
  return Array.from({ length: count }, (_, index) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `pod-${String(index).padStart(5, '0')}`,
      namespace,
      labels: { app: `app-${index % 50}` },
      managedFields: [{ manager: 'kubelet', operation: 'Update', fieldsV1: { 'f:status': { 'f:phase': {} } } }],
    },
    spec: { containers: [{ name: 'main', image: index % 400 === 0 ? 'tensorflow/tensorflow:latest' : `registry.example.com/app:${index % 7}.0` }] },
    status: { phase: 'Running' },
  }));
}
