import { stringify } from 'yaml';
import type { Finding } from '../core/types.js';
import { oneLine, patchCommand, refText } from './common.js';
import { kitReadme } from './readme.js';
import type { Fix, Kit, KitManifest, RenderContext } from './types.js';
import { redactCredentials } from '../core/credentials.js';

export const INDEX_FILE = 'kfscan-remediation.json';

/** The kit as files: path inside the kit directory -> content. */
export function renderKit(kit: Kit, context: RenderContext): Map<string, string> {
  const files = new Map<string, string>();
  files.set('kustomization.yaml', kustomization(kit, context));
  for (const fix of kit.fixes) {
    for (const manifest of fix.manifests) files.set(manifest.path, manifestFile(fix, manifest));
  }
  for (const document of kit.documents) files.set(document.path, document.content);
  files.set('README.md', kitReadme(kit, context));
  files.set(INDEX_FILE, `${JSON.stringify(index(kit, context, [...files.keys()]), null, 2)}\n`);
  return files;
}

function kustomization(kit: Kit, context: RenderContext): string {
  const manifests = kit.fixes.flatMap((fix) => fix.manifests);
  const body = {
    apiVersion: 'kustomize.config.k8s.io/v1alpha1',
    kind: 'Component',
    resources: manifests.filter((m) => m.role === 'resource').map((m) => m.path),
    patches: manifests.filter((m) => m.role === 'patch').map((m) => ({ path: m.path })),
  };
  return [
    `# Written by kfscan ${context.version} remediate. Review every file before applying it: README.md explains each.`,
    '# A kustomize Component: its patches change objects that your own kustomization defines. Add',
    '#   components: [<path to this directory>]',
    '# to the kustomization that builds your manifests, or apply the files to a live cluster as README.md shows.',
    stringify(body, { lineWidth: 0 }),
  ].join('\n');
}

function manifestFile(fix: Fix, manifest: KitManifest): string {
  const lines = [`# kfscan remediate: ${oneLine(fix.title)}`];
  const others = fix.manifests.filter((m) => m !== manifest).map((m) => m.path);
  if (others.length > 0) lines.push(`# Apply together with ${others.join(', ')} (fix ${fix.id}).`);
  if (manifest.role === 'patch' && manifest.target) {
    lines.push(`# Strategic-merge patch of ${refText(manifest.target)}: a kustomize patch, or live:`);
    lines.push(`#   ${patchCommand(manifest.target, manifest.path)}`);
  }
  const listed = (findings: readonly Finding[]) => {
    for (const finding of findings) {
      lines.push(`#   - ${finding.checkId} [${finding.severity}] ${finding.resource ? refText(finding.resource) : '(cluster)'} fingerprint ${finding.fingerprint}`);
      lines.push(`#     ${oneLine(redactCredentials(finding.message))}`);
    }
  };
  if (fix.addresses.length > 0) lines.push('# Clears these kfscan findings (checked by rescanning the objects with the kit applied):');
  listed(fix.addresses);
  if (fix.provableOffline === false) {
    lines.push('# Not provable offline: the cluster must schedule the new pods first. Meant to clear these, as a live scan will show:');
    listed(fix.unproven ?? []);
  }
  const documents = manifest.objects.map((object) => stringify(object, { lineWidth: 0, nullStr: 'null' }));
  return `${lines.join('\n')}\n${documents.join('---\n')}`;
}

function index(kit: Kit, context: RenderContext, files: string[]): unknown {
  const finding = (f: Finding) => ({ checkId: f.checkId, severity: f.severity, fingerprint: f.fingerprint, resource: f.resource, message: redactCredentials(f.message) });
  const addressed = new Set(kit.fixes.flatMap((fix) => [...fix.addresses, ...(fix.unproven ?? [])]));
  return {
    schemaVersion: 1,
    tool: { name: 'kfscan', version: context.version },
    target: context.target,
    options: context.options,
    files: [...files, INDEX_FILE].sort(),
    fixes: kit.fixes.map((fix) => ({
      id: fix.id,
      area: fix.area,
      title: fix.title,
      files: fix.manifests.map((m) => ({ path: m.path, role: m.role, ...(m.target ? { target: m.target } : {}) })),
      addresses: fix.addresses.map(finding),
      ...(fix.provableOffline === false ? { provableOffline: false, unproven: (fix.unproven ?? []).map(finding) } : {}),
    })),
    documents: kit.documents.map((d) => ({ path: d.path, title: d.title })),
    manual: kit.manual.map((step) => ({ title: step.title, findings: step.findings.map(finding) })),
    notAddressed: context.findings.filter((f) => !addressed.has(f)).map(finding),
    verification: {
      findingsBefore: kit.verification.before,
      findingsAfter: kit.verification.after,
      appeared: kit.verification.appeared.map(finding),
      dropped: kit.verification.dropped.map((d) => ({ id: d.fix.id, reason: d.reason })),
    },
  };
}

