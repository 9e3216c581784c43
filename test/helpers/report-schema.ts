import { readFileSync } from 'node:fs';
import path from 'node:path';
import AjvModule from 'ajv';
import addFormats from 'ajv-formats';
import { ROOT } from './cli.js';

const schema = JSON.parse(readFileSync(path.join(ROOT, 'schema', 'kfscan-report.schema.json'), 'utf8'));
const ajv = new AjvModule.default({ allErrors: true, strict: false });
// The schema's formats (scannedAt is a date-time) are checked, not just named.
addFormats.default(ajv);
const validate = ajv.compile(schema);

/** Problems of a JSON report against schema/kfscan-report.schema.json (published, schemaVersion 1). */
export function reportSchemaErrors(report: unknown): string[] {
  if (validate(report)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
}
