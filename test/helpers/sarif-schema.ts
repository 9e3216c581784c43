import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

// The official SARIF 2.1.0 schema ships in @microsoft/sarif-multitool-ts, outside its `exports`: find it
// next to the package's resolved entry point.
const require = createRequire(import.meta.url);
const entry = require.resolve('@microsoft/sarif-multitool-ts');
const packageRoot = entry.slice(0, entry.lastIndexOf(`${path.sep}dist${path.sep}`));
const schema = JSON.parse(readFileSync(path.join(packageRoot, 'assets', 'sarif-2.1.0.schema.json'), 'utf8'));

const ajv = new Ajv2020.default({ allErrors: true, strict: false });
addFormats.default(ajv);
const validate = ajv.compile(schema);

/** Schema errors of a SARIF log, as readable lines; empty when valid. */
export function sarifSchemaErrors(log: unknown): string[] {
  if (validate(log)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
}

/**
 * GitHub code scanning's own rules on top of the schema (its SARIF support documentation): relative
 * URIs with a base id, a location on every result, security-severity on every rule, fingerprints.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed document whose shape is what is being checked
export function githubCodeScanningProblems(log: any): string[] {
  const problems: string[] = [];
  if (!Array.isArray(log.runs) || log.runs.length === 0 || log.runs.length > 20) problems.push('1 to 20 runs');
  for (const run of log.runs ?? []) {
    const rules = run.tool?.driver?.rules ?? [];
    const ids = new Set<string>();
    for (const rule of rules) {
      if (!rule.id) problems.push('rule without id');
      ids.add(rule.id);
      const score = Number(rule.properties?.['security-severity']);
      if (!(score >= 0 && score <= 10)) problems.push(`rule ${rule.id}: security-severity missing or out of 0..10`);
      if (!rule.shortDescription?.text || !rule.fullDescription?.text || !rule.help?.text) problems.push(`rule ${rule.id}: descriptions and help`);
      if ((rule.properties?.tags ?? []).length > 20) problems.push(`rule ${rule.id}: more than 20 tags`);
    }
    for (const result of run.results ?? []) {
      if (!ids.has(result.ruleId)) problems.push(`result with unknown ruleId ${result.ruleId}`);
      if (!result.message?.text) problems.push('result without message text');
      if (!result.partialFingerprints || Object.keys(result.partialFingerprints).length === 0) problems.push('result without partialFingerprints');
      const physical = result.locations?.[0]?.physicalLocation;
      if (!physical) {
        problems.push(`result ${result.ruleId} without a physical location`);
        continue;
      }
      const uri: string = physical.artifactLocation?.uri ?? '';
      if (uri === '' || uri.startsWith('/') || /^[a-z]+:/i.test(uri) || uri.startsWith('..')) problems.push(`result uri not relative inside the repository: ${uri}`);
      if (!physical.artifactLocation?.uriBaseId) problems.push('result uri without uriBaseId');
      if (!(physical.region?.startLine >= 1)) problems.push('result without region.startLine');
    }
  }
  return problems;
}
