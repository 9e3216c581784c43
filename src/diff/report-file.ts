// A kfscan JSON report read back for `kfscan diff` and `--compare`: a file that anyone could have written
// (a customer hands back last quarter's report). It is validated against a schema of the parts a
// comparison uses before any of it is trusted; a file that fails says where and why, never with a stack.
// Text from it is shown later through the same sanitising helpers as manifest text.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ErrorObject } from 'ajv';
import type { ObjectRef, Severity, SourceLocation } from '../core/types.js';
import { findingId } from '../core/finding-id.js';

export class ReportFileError extends Error {}

/** A finding as a report file holds it: what a comparison shows and matches on. */
export interface ReportedFinding {
  id: string;
  fingerprint: string;
  checkId: string;
  title: string;
  severity: Severity;
  resource: ObjectRef | null;
  location: SourceLocation | null;
  context: string | null;
  message: string;
}

export interface ReportFile {
  /** The file as the user named it. */
  label: string;
  version: string;
  /** `provenance.scannedAt` when the report has it. */
  scannedAt: string | null;
  target: { mode: 'manifests' | 'cluster'; paths?: string[]; contexts?: string[] };
  findings: ReportedFinding[];
  /** Fingerprints of suppressed findings. */
  suppressed: Set<string>;
  /** Ids of the checks that ran, when the report says (provenance.checks). */
  checks: string[] | null;
  /** Checks that could not decide, by context (`''` offline). */
  undecided: Array<{ checkId: string; context: string | null }>;
  /** Findings the report left out by --min-severity or --baseline. */
  filtered: number;
  errors: number;
}

/** Larger than any real report: kfscan's own JSON of a 10,000-namespace cluster is a few MB. */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;
const TEXT = { type: 'string', maxLength: 100_000 } as const;
const NULLABLE_TEXT = { type: ['string', 'null'], maxLength: 100_000 } as const;

// What a comparison reads, strictly; every other field may be anything, so that reports of other kfscan
// versions of schemaVersion 1 compare too.
const SCHEMA = {
  type: 'object',
  required: ['schemaVersion', 'tool', 'target', 'findings'],
  properties: {
    schemaVersion: { const: 1 },
    tool: { type: 'object', required: ['name', 'version'], properties: { name: { const: 'kfscan' }, version: { type: 'string', maxLength: 200 } } },
    target: {
      type: 'object',
      required: ['mode'],
      properties: {
        mode: { enum: ['manifests', 'cluster'] },
        paths: { type: 'array', items: TEXT },
        contexts: { type: 'array', items: TEXT },
      },
    },
    findings: { type: 'array', items: { $ref: '#/definitions/finding' } },
    suppressed: { type: 'array', items: { type: 'object', required: ['fingerprint'], properties: { fingerprint: { $ref: '#/definitions/fingerprint' } } } },
    coverage: {
      type: 'object',
      properties: {
        undecided: { type: 'array', items: { type: 'object', required: ['checkId'], properties: { checkId: TEXT, context: NULLABLE_TEXT } } },
      },
    },
    filtered: { type: 'object', properties: { belowMinSeverity: { type: 'integer', minimum: 0 }, inBaseline: { type: 'integer', minimum: 0 } } },
    errors: { type: 'array' },
    provenance: {
      type: 'object',
      properties: {
        scannedAt: { type: 'string', maxLength: 40 },
        checks: { type: 'array', items: TEXT },
      },
    },
  },
  definitions: {
    fingerprint: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    finding: {
      type: 'object',
      required: ['checkId', 'title', 'severity', 'resource', 'location', 'context', 'message', 'fingerprint'],
      properties: {
        id: { type: 'string', pattern: '^KF-[0-9a-f]{6,32}$' },
        fingerprint: { $ref: '#/definitions/fingerprint' },
        checkId: TEXT,
        title: TEXT,
        severity: { enum: ['critical', 'high', 'medium', 'low', 'info'] },
        message: TEXT,
        context: NULLABLE_TEXT,
        resource: {
          oneOf: [
            { type: 'null' },
            {
              type: 'object',
              required: ['apiVersion', 'kind', 'namespace', 'name'],
              properties: { apiVersion: TEXT, kind: TEXT, namespace: NULLABLE_TEXT, name: TEXT },
            },
          ],
        },
        location: {
          oneOf: [
            { type: 'null' },
            {
              type: 'object',
              required: ['file', 'line', 'column'],
              properties: { file: TEXT, line: { type: 'integer', minimum: 1 }, column: { type: 'integer', minimum: 1 } },
            },
          ],
        },
      },
    },
  },
} as const;

/** Reads and validates a kfscan JSON report; `ReportFileError` says what is wrong with it. */
export async function readReportFile(file: string, cwd: string): Promise<ReportFile> {
  const absolute = path.resolve(cwd, file);
  let text: string;
  try {
    const stat = await fs.stat(absolute);
    if (!stat.isFile()) throw new ReportFileError(`${file} is not a file`);
    if (stat.size > MAX_REPORT_BYTES) throw new ReportFileError(`${file} is larger than ${MAX_REPORT_BYTES / 1024 / 1024} MB: not a kfscan report`);
    text = await fs.readFile(absolute, 'utf8');
  } catch (error) {
    if (error instanceof ReportFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ReportFileError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}`);
  }
  return parseReportFile(text, file);
}

export async function parseReportFile(text: string, label: string): Promise<ReportFile> {
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new ReportFileError(`${label} is not JSON: give a report written with --format json (or --report json=FILE)`);
  }
  const report = typeof document === 'object' && document !== null && !Array.isArray(document) ? (document as Record<string, unknown>) : null;
  if (report && report['version'] === '2.1.0' && Array.isArray(report['runs'])) {
    throw new ReportFileError(`${label} is a SARIF log, not a kfscan JSON report: write one with --format json`);
  }
  // Loaded only for comparisons: plain scans never compile a schema.
  const { default: AjvModule } = await import('ajv');
  const ajv = new AjvModule.default({ allErrors: false, strict: false });
  if (!ajv.validate(SCHEMA, document)) throw new ReportFileError(`${label} is not a kfscan JSON report (schemaVersion 1): ${describe(ajv.errors?.[0])}`);
  const valid = document as ValidReport;
  return {
    label,
    version: valid.tool.version,
    scannedAt: valid.provenance?.scannedAt ?? null,
    target: { mode: valid.target.mode, ...(valid.target.paths ? { paths: valid.target.paths } : {}), ...(valid.target.contexts ? { contexts: valid.target.contexts } : {}) },
    findings: valid.findings.map((finding) => ({
      id: finding.id ?? findingId(finding.fingerprint),
      fingerprint: finding.fingerprint,
      checkId: finding.checkId,
      title: finding.title,
      severity: finding.severity,
      resource: finding.resource ? { apiVersion: finding.resource.apiVersion, kind: finding.resource.kind, namespace: finding.resource.namespace, name: finding.resource.name } : null,
      location: finding.location ? { file: finding.location.file, line: finding.location.line, column: finding.location.column } : null,
      context: finding.context,
      message: finding.message,
    })),
    suppressed: new Set((valid.suppressed ?? []).map((item) => item.fingerprint)),
    checks: valid.provenance?.checks ?? null,
    undecided: (valid.coverage?.undecided ?? []).map((item) => ({ checkId: item.checkId, context: item.context ?? null })),
    filtered: (valid.filtered?.belowMinSeverity ?? 0) + (valid.filtered?.inBaseline ?? 0),
    errors: valid.errors?.length ?? 0,
  };
}

interface ValidReport {
  tool: { version: string };
  target: { mode: 'manifests' | 'cluster'; paths?: string[]; contexts?: string[] };
  findings: Array<Omit<ReportedFinding, 'id'> & { id?: string }>;
  suppressed?: Array<{ fingerprint: string }>;
  coverage?: { undecided?: Array<{ checkId: string; context?: string | null }> };
  filtered?: { belowMinSeverity?: number; inBaseline?: number };
  errors?: unknown[];
  provenance?: { scannedAt?: string; checks?: string[] };
}

/** `findings[3].severity must be one of critical, high, medium, low, info`: where, and what was expected. */
function describe(error: ErrorObject | undefined): string {
  if (!error) return 'invalid';
  const where = error.instancePath === '' ? 'the document' : error.instancePath.slice(1).split('/').map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`)).join('').replace(/^\./, '');
  switch (error.keyword) {
    case 'required':
      return `${where} has no "${String(error.params['missingProperty'])}"`;
    case 'enum':
      return `${where} must be one of ${(error.params['allowedValues'] as unknown[]).join(', ')}`;
    case 'const':
      return `${where} must be ${JSON.stringify(error.params['allowedValue'])}`;
    case 'pattern':
      return `${where} is not ${where.endsWith('fingerprint') ? 'a 32-digit hex fingerprint' : 'a finding id (KF- and hex digits)'}`;
    case 'maxLength':
      return `${where} is too long`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}
