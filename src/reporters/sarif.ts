import type * as Sarif from 'sarif';
import { SARIF_LEVEL, SECURITY_SEVERITY } from '../core/severity.js';
import type { CheckMeta, Finding, ObjectRef, PluginInfo, ScanResult, Suppression } from '../core/types.js';
import { docsUrlFor } from '../engine/docs-url.js';
import { docsReference } from './describe.js';
import type { ReportContext } from './report-context.js';
import { terminalSafeJson } from './sanitize.js';

const SRCROOT = '%SRCROOT%';
const STDIN = '<stdin>';

/**
 * SARIF 2.1.0 within GitHub code scanning's rules: one rule per check with `security-severity`, relative
 * URIs under `%SRCROOT%`, a physical location on every file-based result and stable `partialFingerprints`.
 * Live objects have no file; they get a logical location `context/namespace/kind/name` instead.
 */
export function sarifReport(result: ScanResult, context: ReportContext): string {
  const rules = result.checks.map((meta) => toRule(meta, context.pages?.get(meta.id) ?? null));
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const log: Sarif.Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kfscan',
            version: context.version,
            semanticVersion: context.version,
            rules,
          },
          // Plugins are named as the SARIF extensions they are; their rules sit with the driver's, where
          // every consumer (GitHub code scanning included) looks for them.
          ...(result.plugins?.length ? { extensions: result.plugins.map(toExtension) } : {}),
        },
        automationDetails: { id: `kfscan/${result.target.mode}/` },
        invocations: [toInvocation(result)],
        columnKind: 'unicodeCodePoints',
        results: [
          ...result.findings.map((finding) => toResult(finding, ruleIndex)),
          // Suppressed findings stay in the log, marked as such, so code scanning shows them as closed
          // with their justification instead of losing track of them.
          ...(result.suppressed ?? []).map((finding) => ({
            ...toResult(finding, ruleIndex),
            suppressions: [toSuppression(finding.suppression)],
          })),
        ],
      },
    ],
  };
  return `${terminalSafeJson(log)}\n`;
}

function toExtension(plugin: PluginInfo): Sarif.ToolComponent {
  return {
    name: plugin.name,
    ...(plugin.version ? { version: plugin.version } : {}),
    properties: { source: plugin.source, checks: plugin.checks },
  };
}

/**
 * A rule carries its whole help: a built-in check's page (what `kfscan explain` prints) in `help.markdown`,
 * since kfscan has no site for a `helpUri` to point at; a plugin check links the URL its author gives.
 */
function toRule(meta: CheckMeta, page: string | null): Sarif.ReportingDescriptor {
  const docs = docsReference(meta.id, meta.docsUrl ?? docsUrlFor(meta.id));
  const summary = `${meta.description}\n\n**Why it matters:** ${meta.rationale}\n\n**Fix:** ${meta.remediation}`;
  const more = docs?.kind === 'url' ? `\n\n[Documentation](${docs.url})` : docs ? `\n\n\`${docs.command}\` prints this page in a terminal.` : '';
  return {
    id: meta.id,
    name: pascalCase(meta.id),
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.description },
    help: {
      text: `${meta.description}\n\nWhy it matters: ${meta.rationale}\n\nFix: ${meta.remediation}`,
      markdown: `${page ?? summary}${more}`,
    },
    ...(docs?.kind === 'url' ? { helpUri: docs.url } : {}),
    defaultConfiguration: { level: SARIF_LEVEL[meta.severity] },
    properties: {
      tags: ['security', 'kubernetes', meta.category, ...meta.tags].slice(0, 20),
      'security-severity': SECURITY_SEVERITY[meta.severity],
      precision: 'high',
      'problem.severity': SARIF_LEVEL[meta.severity] === 'note' ? 'recommendation' : SARIF_LEVEL[meta.severity],
    },
  };
}

function toResult(finding: Finding, ruleIndex: Map<string, number>): Sarif.Result {
  // A cluster-wide finding (no Falco at all) is about the cluster, or the context live; GitHub needs a file,
  // so it is also placed at the object that made the check apply (its anchor), and the message says so.
  const logical = finding.resource
    ? [logicalLocation(finding.resource, finding.context)]
    : [{ name: finding.context ?? 'cluster', fullyQualifiedName: finding.context ?? 'cluster', kind: 'resource' }];
  const anchored = !finding.location && !finding.resource ? (finding.anchor ?? null) : null;
  const physical = physicalLocation(finding.location ?? anchored?.location ?? null);
  const location: Sarif.Location = {
    ...(physical ? { physicalLocation: physical } : {}),
    ...(logical ? { logicalLocations: logical } : {}),
  };
  const related = finding.related.flatMap((item, index): Sarif.Location[] => {
    const relatedPhysical = physicalLocation(item.location);
    if (!relatedPhysical && finding.context === null) return [];
    return [
      {
        id: index + 1,
        message: { text: item.note },
        ...(relatedPhysical ? { physicalLocation: relatedPhysical } : {}),
        logicalLocations: [logicalLocation(item.resource, finding.context)],
      },
    ];
  });
  return {
    ruleId: finding.checkId,
    ...(ruleIndex.has(finding.checkId) ? { ruleIndex: ruleIndex.get(finding.checkId)! } : {}),
    level: SARIF_LEVEL[finding.severity],
    message: { text: anchored && physical ? `${finding.message} (${anchored.note})` : finding.message },
    locations: [location],
    ...(related.length > 0 ? { relatedLocations: related } : {}),
    // The short id people quote (`KF-3a9c2f`) travels with the fingerprint it is derived from.
    partialFingerprints: { 'kfscan/v1': finding.fingerprint, 'kfscanId/v1': finding.id },
    properties: {
      severity: finding.severity,
      'security-severity': SECURITY_SEVERITY[finding.severity],
      category: finding.category,
      ...(finding.context !== null ? { context: finding.context } : {}),
      ...(finding.roots?.length ? { roots: finding.roots } : {}),
      ...(finding.evidence ? { evidence: finding.evidence } : {}),
    },
  };
}

/** Inputs that could not be scanned travel as tool notifications, so CI consumers see them too. */
function toInvocation(result: ScanResult): Sarif.Invocation {
  const notify = (level: 'error' | 'warning') => (problem: ScanResult['errors'][number]): Sarif.Notification => {
    const where = problem.file && problem.file !== STDIN
      ? [{ physicalLocation: { artifactLocation: { uri: encodeUri(problem.file), uriBaseId: SRCROOT }, ...(problem.line ? { region: { startLine: problem.line, ...(problem.column ? { startColumn: problem.column } : {}) } } : {}) } }]
      : [];
    const prefix = [problem.context, problem.resource].filter(Boolean).join(' ');
    return { level, message: { text: prefix ? `${prefix}: ${problem.message}` : problem.message }, ...(where.length ? { locations: where } : {}) };
  };
  return {
    executionSuccessful: result.errors.length === 0,
    toolExecutionNotifications: [...result.errors.map(notify('error')), ...result.warnings.map(notify('warning'))],
  };
}

function toSuppression(suppression: Suppression): Sarif.Suppression {
  const physical = suppression.location && !suppression.location.file.startsWith('../') ? physicalLocation(suppression.location) : null;
  return {
    kind: suppression.kind,
    status: 'accepted',
    justification: suppression.justification,
    ...(physical ? { location: { physicalLocation: physical } } : {}),
    properties: {
      via: suppression.via,
      ...(suppression.expires ? { expires: suppression.expires } : {}),
    },
  };
}

function physicalLocation(location: Finding['location']): Sarif.PhysicalLocation | null {
  if (!location || location.file === STDIN) return null;
  return {
    artifactLocation: { uri: encodeUri(location.file), uriBaseId: SRCROOT },
    region: { startLine: location.line, startColumn: location.column },
  };
}

function logicalLocation(ref: ObjectRef, context: string | null): Sarif.LogicalLocation {
  const parts = [context, ref.namespace, ref.kind, ref.name].filter((part): part is string => part !== null && part !== '');
  return { name: ref.name, fullyQualifiedName: parts.join('/'), kind: 'resource' };
}

function encodeUri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

function pascalCase(id: string): string {
  return id
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
