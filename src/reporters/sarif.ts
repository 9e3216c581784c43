import type * as Sarif from 'sarif';
import { SARIF_LEVEL, SECURITY_SEVERITY } from '../core/severity.js';
import type { CheckMeta, Finding, ObjectRef, PluginInfo, ScanResult, Suppression } from '../core/types.js';
import { PROJECT_URL, docsUrlFor } from '../engine/docs-url.js';
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
  const rules = result.checks.map(toRule);
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
            informationUri: PROJECT_URL,
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
          ...result.findings.map((finding) => toResult(finding, ruleIndex, result.anchorFile)),
          // Suppressed findings stay in the log, marked as such, so code scanning shows them as closed
          // with their justification instead of losing track of them.
          ...(result.suppressed ?? []).map((finding) => ({
            ...toResult(finding, ruleIndex, result.anchorFile),
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

function toRule(meta: CheckMeta): Sarif.ReportingDescriptor {
  // A plugin check may have no documentation URL; SARIF then has no helpUri rather than an invalid one.
  const helpUri = meta.docsUrl ?? docsUrlFor(meta.id);
  return {
    id: meta.id,
    name: pascalCase(meta.id),
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.description },
    help: {
      text: `${meta.description}\n\nWhy it matters: ${meta.rationale}\n\nFix: ${meta.remediation}`,
      markdown: `${meta.description}\n\n**Why it matters:** ${meta.rationale}\n\n**Fix:** ${meta.remediation}${helpUri ? `\n\n[Documentation](${helpUri})` : ''}`,
    },
    ...(helpUri ? { helpUri } : {}),
    defaultConfiguration: { level: SARIF_LEVEL[meta.severity] },
    properties: {
      tags: ['security', 'kubernetes', meta.category, ...meta.tags].slice(0, 20),
      'security-severity': SECURITY_SEVERITY[meta.severity],
      precision: 'high',
      'problem.severity': SARIF_LEVEL[meta.severity] === 'note' ? 'recommendation' : SARIF_LEVEL[meta.severity],
    },
  };
}

function toResult(finding: Finding, ruleIndex: Map<string, number>, anchorFile: string | null): Sarif.Result {
  // A cluster-wide live finding (no Falco at all) is located at its context.
  const logical = finding.resource
    ? [logicalLocation(finding.resource, finding.context)]
    : finding.context !== null
      ? [{ name: finding.context, fullyQualifiedName: finding.context, kind: 'resource' }]
      : undefined;
  const physical = physicalLocation(finding.location, anchorFile);
  const location: Sarif.Location = {
    ...(physical ? { physicalLocation: physical } : {}),
    ...(logical ? { logicalLocations: logical } : {}),
  };
  const related = finding.related.flatMap((item, index): Sarif.Location[] => {
    const relatedPhysical = physicalLocation(item.location, null);
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
    message: { text: finding.message },
    locations: Object.keys(location).length > 0 ? [location] : [],
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
  const physical = suppression.location && !suppression.location.file.startsWith('../') ? physicalLocation(suppression.location, null) : null;
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

function physicalLocation(location: Finding['location'], anchorFile: string | null): Sarif.PhysicalLocation | null {
  // GitHub drops results without a file; cluster-wide findings offline point at the first file scanned.
  const file = location?.file ?? anchorFile;
  if (!file || file === STDIN) return null;
  return {
    artifactLocation: { uri: encodeUri(file), uriBaseId: SRCROOT },
    region: location ? { startLine: location.line, startColumn: location.column } : { startLine: 1, startColumn: 1 },
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
