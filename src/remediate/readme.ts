import type { Finding } from '../core/types.js';
import { markdownText, terminalSafe } from '../reporters/sanitize.js';
import { oneLine, patchCommand, refText } from './common.js';
import type { Area, Fix, Kit, RenderContext } from './types.js';
import { redactCredentials } from '../core/credentials.js';

const AREA_TITLES: Record<Area, string> = {
  exposure: 'Exposure: ClusterIP instead of LoadBalancer or NodePort',
  credentials: 'Default credentials: Dex static users',
  falco: 'Falco: miner rules and node coverage',
  alerts: 'Prometheus: growth alerts',
  egress: 'Egress: default deny in ML namespaces',
  quota: 'Quotas: CPU, GPU and pods per profile namespace',
};
const AREA_ORDER: Area[] = ['exposure', 'credentials', 'falco', 'alerts', 'egress', 'quota'];

/** The README inside the kit: what each file does, how to review and apply it, and what is left to do. */
export function kitReadme(kit: Kit, context: RenderContext): string {
  const out: string[] = [];
  const addressed = new Set(kit.fixes.flatMap((fix) => [...fix.addresses, ...(fix.unproven ?? [])]));
  const source = context.target.mode === 'cluster' ? `cluster context ${context.target.contexts?.join(', ') ?? ''}` : `manifests ${(context.target.paths ?? []).join(', ')}`;
  out.push('# kfscan remediation kit', '');
  out.push(
    `Written by kfscan ${context.version} from a scan of ${markdownText(source)}: ${context.findings.length} finding${context.findings.length === 1 ? '' : 's'}, of which the manifests here clear ${addressed.size}. kfscan checked that by applying the kit to the scanned objects and scanning them again: ${kit.verification.after} finding${kit.verification.after === 1 ? '' : 's'} remain${kit.verification.appeared.length > 0 ? `, ${kit.verification.appeared.length} of them new (see the end of this file)` : ', none of them new'}.`,
    '',
    'Nothing here has been applied: kfscan never writes to a cluster. Every change below can break something that relied on the old state; read each section, adapt the values, and apply what you agree with.',
    '',
  );

  out.push('## Files', '', '| File | Fix | Clears |', '|---|---|---|');
  for (const fix of orderedFixes(kit)) {
    for (const manifest of fix.manifests) {
      out.push(`| \`${manifest.path}\` | ${cell(fix.title)} | ${cell(fix.addresses.map((f) => f.checkId).filter(unique).join(', '))} |`);
    }
  }
  for (const document of kit.documents) out.push(`| \`${document.path}\` | ${cell(document.title)} (not applied by kustomize) | |`);
  out.push(`| \`kustomization.yaml\` | kustomize Component listing the resources and patches | |`, `| \`kfscan-remediation.json\` | the same, for tools: files, fixes and the findings (with fingerprints) each clears | |`, '');

  out.push('## Applying', '');
  out.push(
    '**Manifests built with kustomize.** The directory is a kustomize Component: its patches change objects your kustomization defines. Add it to the kustomization that builds your manifests, build, and compare before you deploy:',
    '',
    '```yaml\n# your overlay\'s kustomization.yaml\nresources:\n  - ../base            # what you deploy today\ncomponents:\n  - ../kfscan-remediation\n```',
    '',
    '```sh\nkubectl kustomize overlay/ > after.yaml\nkfscan scan after.yaml --whole-cluster   # the findings listed below are gone\n```',
    '',
    '**A live cluster.** Look at each change with a server-side dry run first, then apply the same commands without `--dry-run=server`:',
    '',
    '```sh',
  );
  for (const fix of orderedFixes(kit)) {
    for (const manifest of fix.manifests) {
      if (manifest.role === 'resource') out.push(`kubectl apply --dry-run=server -f ${manifest.path}`);
      else if (manifest.target) out.push(`${patchCommand(manifest.target, manifest.path)} --dry-run=server`);
    }
  }
  out.push('```', '', 'Then scan again (`kfscan cluster`) to see the findings go.', '');
  out.push(
    '**Helm-managed releases.** A patch to an object that Helm manages is undone by the next `helm upgrade`. Carry the change into the chart values instead (for Falco, `falco/values.yaml` holds it) and keep the new objects under `resources/` in your GitOps repository.',
    '',
  );

  for (const area of AREA_ORDER) {
    const fixes = kit.fixes.filter((fix) => fix.area === area);
    if (fixes.length === 0) continue;
    out.push(`## ${AREA_TITLES[area]}`, '');
    for (const fix of fixes) {
      out.push(`### ${markdownText(fix.title)}`, '');
      out.push(`Files: ${fix.manifests.map((m) => `\`${m.path}\``).join(', ')}.`, '');
      for (const paragraph of fix.explanation) out.push(safeLines(paragraph), '');
      if (fix.addresses.length > 0) {
        out.push('Clears:', '');
        for (const finding of fix.addresses) out.push(findingLine(finding));
        out.push('');
      }
      if (fix.provableOffline === false) {
        out.push('**Not provable offline**: kfscan rescans the objects with the kit applied, but this fix shows only in the cluster\'s status once the new pods are scheduled. Meant to clear, as `kfscan cluster` will show after applying:', '');
        for (const finding of fix.unproven ?? []) out.push(findingLine(finding));
        out.push('');
      }
    }
    if (area === 'exposure') out.push(...accessNote());
  }

  if (kit.documents.length > 0) {
    out.push('## Other files', '');
    for (const document of kit.documents) {
      out.push(`### \`${document.path}\`: ${markdownText(document.title)}`, '');
      for (const paragraph of document.explanation) out.push(safeLines(paragraph), '');
    }
  }

  const manualFindings = new Set(kit.manual.flatMap((step) => step.findings).filter((f) => !addressed.has(f)));
  if (kit.manual.length > 0) {
    out.push('## What the kit does not fix', '');
    for (const step of kit.manual) {
      const open = step.findings.filter((f) => !addressed.has(f));
      if (open.length === 0) continue;
      out.push(`### ${markdownText(step.title)}`, '');
      for (const paragraph of step.text) out.push(safeLines(paragraph), '');
      for (const finding of open) out.push(findingLine(finding));
      out.push('');
    }
  }
  const rest = context.findings.filter((f) => !addressed.has(f) && !manualFindings.has(f));
  if (rest.length > 0) {
    out.push('## Other findings', '', 'No file here addresses these; each check\'s remediation says what to do (`kfscan explain <check>`).', '');
    for (const finding of rest) out.push(`${findingLine(finding)}\n  Fix: ${markdownText(oneLine(finding.remediation))}`);
    out.push('');
  }
  if (kit.verification.appeared.length > 0) {
    out.push('## New findings with the kit applied', '', 'kfscan reports these only once the kit is applied; look at them before applying it:', '');
    for (const finding of kit.verification.appeared) out.push(findingLine(finding));
    out.push('');
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

function accessNote(): string[] {
  return [
    '### Reaching Kubeflow afterwards, and authentication in front',
    '',
    'With the gateway ClusterIP, reach Kubeflow through the API server, which checks who you are: `kubectl port-forward svc/istio-ingressgateway -n istio-system 8080:80` and http://localhost:8080/. That is the access Kubeflow\'s own documentation recommends.',
    '',
    'If people must reach it without kubectl, publish it deliberately: an internal load balancer (the cloud\'s internal annotation or `loadBalancerClass`) or `loadBalancerSourceRanges` limited to your networks, TLS, and authentication in front of everything: Kubeflow\'s oauth2-proxy or Dex connected to an identity provider that enforces MFA, or the cloud\'s identity-aware proxy (ALB with Cognito or OIDC, Google IAP). Never expose centraldashboard, ml-pipeline-ui or ml-pipeline directly: that bypasses the gateway\'s authentication.',
    '',
  ];
}

function orderedFixes(kit: Kit): Fix[] {
  return AREA_ORDER.flatMap((area) => kit.fixes.filter((fix) => fix.area === area));
}

function findingLine(finding: Finding): string {
  const where = finding.resource ? refText(finding.resource) : 'the cluster';
  return `- \`${finding.checkId}\` (${finding.severity}) on ${markdownText(where)}, fingerprint \`${finding.fingerprint}\`: ${markdownText(oneLine(redactCredentials(finding.message)))}`;
}

/** Paragraphs may hold code blocks: keep their lines, escape control characters within them. */
function safeLines(text: string): string {
  return text.split('\n').map(terminalSafe).join('\n');
}

function cell(text: string): string {
  return markdownText(oneLine(text));
}

function unique<T>(value: T, index: number, all: T[]): boolean {
  return all.indexOf(value) === index;
}
