import pLimit from 'p-limit';
import { asObject, asString } from '../core/json.js';
import type { Check } from '../core/types.js';
import { ApiError, type ApiClient } from './api-client.js';
import { planReads } from './plan.js';
import { displayResource } from '../kube/resource-names.js';
import { terminalSafe } from '../reporters/sanitize.js';
import { textWidth } from '../reporters/text-width.js';
import { wrapParagraph } from '../reporters/text-wrap.js';

export interface AccessRow {
  verb: 'list' | 'get';
  /** `daemonsets.apps`, `secrets`. */
  resource: string;
  namespace?: string;
  name?: string;
  /** `null` when the server would not answer the question. */
  allowed: boolean | null;
  reason?: string;
}

export interface AccessReport {
  rows: AccessRow[];
  /** Kinds the checks read whose API the cluster does not serve: nothing to grant. */
  notInstalled: string[];
  /** Kinds whose API group could not be discovered. */
  undiscoverable: Array<{ kind: string; reason: string }>;
  secretsSkipped: boolean;
}

const REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

/**
 * What the current identity may read of what a scan needs, asked with SelfSubjectAccessReview: the one
 * request kfscan sends that is not a GET. It creates nothing (the server answers and stores nothing).
 */
export async function checkAccess(client: ApiClient, checks: readonly Check[], options: { secrets: boolean; concurrency: number }): Promise<AccessReport> {
  const limit = pLimit(options.concurrency);
  const plan = await planReads(client, checks, limit);
  const asks = [
    ...plan.lists.map(({ resource }) => ({ verb: 'list' as const, group: resource.group, resource: resource.resource })),
    ...(options.secrets ? plan.secrets.map((s) => ({ verb: 'get' as const, group: '', resource: 'secrets', namespace: s.namespace, name: s.name })) : []),
  ];
  const rows = await Promise.all(
    asks.map((ask) =>
      limit(async (): Promise<AccessRow> => {
        const row: AccessRow = {
          verb: ask.verb,
          resource: displayResource(ask.group, ask.resource),
          ...('namespace' in ask ? { namespace: ask.namespace, name: ask.name } : {}),
          allowed: null,
        };
        try {
          const review = asObject(
            await client.post(REVIEW_PATH, {
              apiVersion: 'authorization.k8s.io/v1',
              kind: 'SelfSubjectAccessReview',
              spec: { resourceAttributes: { verb: ask.verb, group: ask.group, resource: ask.resource, ...('namespace' in ask ? { namespace: ask.namespace, name: ask.name } : {}) } },
            }),
          );
          const status = asObject(review?.['status']);
          row.allowed = status?.['allowed'] === true;
          const reason = asString(status?.['reason']) || asString(status?.['evaluationError']);
          if (reason) row.reason = reason;
        } catch (error) {
          if (error instanceof ApiError && error.fatal) throw error;
          row.reason = `the server would not answer: ${error instanceof Error ? error.message : String(error)}`;
        }
        return row;
      }),
    ),
  );
  return { rows, notInstalled: plan.notInstalled, undiscoverable: plan.undiscoverable, secretsSkipped: !options.secrets && plan.secrets.length > 0 };
}

/**
 * The report for a terminal of `width` columns: one row per read, long rows wrapped under their resource.
 * Names and reasons come from the kubeconfig and the server: escaped before they are measured.
 */
export function formatAccessReport(context: string, server: string, report: AccessReport, width: number): string {
  const lines = wrapParagraph(terminalSafe(`Context ${context} (${server})`), width, '', '  ');
  const column = Math.max(0, ...report.rows.map((row) => textWidth(terminalSafe(row.resource))));
  for (const row of report.rows) {
    const verdict = row.allowed === true ? 'can   ' : row.allowed === false ? 'CANNOT' : 'unknown';
    const object = row.name ? ` ${row.namespace}/${row.name}` : '';
    const note = row.allowed !== true && row.reason ? `  (${row.reason})` : '';
    const resource = terminalSafe(row.resource);
    const lead = `  ${verdict} ${row.verb.padEnd(4)} `;
    lines.push(...wrapParagraph(`${resource}${' '.repeat(column - textWidth(resource))}${terminalSafe(`${object}${note}`)}`, width, lead));
  }
  if (report.secretsSkipped) lines.push('  skipped     secrets (--no-secrets)');
  for (const item of report.undiscoverable) lines.push(...wrapParagraph(terminalSafe(`${item.kind}  (API discovery failed: ${item.reason})`), width, '  unknown     '));
  if (report.notInstalled.length > 0) lines.push(...wrapParagraph(report.notInstalled.join(', '), width, '  not installed (nothing to read): ', '    '));
  const denied = report.rows.filter((row) => row.allowed !== true).length;
  const verdict =
    denied === 0 && report.undiscoverable.length === 0
      ? `kfscan can read everything its checks need in ${terminalSafe(context)}.`
      : `${denied + report.undiscoverable.length} of ${report.rows.length + report.undiscoverable.length} reads would fail: a scan reports them as coverage gaps. \`kfscan rbac\` prints the ClusterRole to grant.`;
  lines.push(...wrapParagraph(verdict, width, '  '));
  return `${lines.join('\n')}\n`;
}

export function accessComplete(report: AccessReport): boolean {
  return report.undiscoverable.length === 0 && report.rows.every((row) => row.allowed === true);
}
