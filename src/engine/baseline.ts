import { asArray, asObject, asString, dig } from '../core/json.js';

export class BaselineError extends Error {}

const FINGERPRINT = /^[0-9a-f]{32}$/;

/**
 * The fingerprints of a kfscan JSON report (`--format json` or `--write-baseline`). Anything else is an
 * error, never an empty baseline: a wrong file must not make every finding look new, nor hide any.
 */
export function baselineFingerprints(text: string): Set<string> {
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new BaselineError('is not JSON; a baseline is a kfscan JSON report (--write-baseline or --format json)');
  }
  const report = asObject(document);
  if (report && asString(report['version']) === '2.1.0' && Array.isArray(report['runs'])) {
    throw new BaselineError('is a SARIF log, not a kfscan JSON report: write the baseline with --write-baseline or --format json');
  }
  if (!report || dig(report, 'tool', 'name') !== 'kfscan' || !Array.isArray(report['findings'])) {
    throw new BaselineError('is not a kfscan JSON report (no tool.name "kfscan" and findings list); write one with --write-baseline');
  }
  if (report['schemaVersion'] !== 1) {
    throw new BaselineError(`has schemaVersion ${JSON.stringify(report['schemaVersion'])}; this kfscan reads schemaVersion 1`);
  }
  const fingerprints = new Set<string>();
  asArray(report['findings']).forEach((finding, index) => {
    const fingerprint = asString(dig(finding, 'fingerprint'));
    if (fingerprint === null || !FINGERPRINT.test(fingerprint)) throw new BaselineError(`has no valid fingerprint in findings[${index}]`);
    fingerprints.add(fingerprint);
  });
  return fingerprints;
}
