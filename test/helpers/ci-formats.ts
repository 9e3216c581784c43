// Validators for the CI formats: the JUnit XSD of the Jenkins xunit plugin run by libxml2 (xmllint-wasm),
// GitLab's Code Quality field rules as a JSON schema, and a parser of GitHub workflow commands that reads
// them as the runner does (actions/runner's ActionCommand: `::name key=value,...::data`, %-escapes).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { validateXML } from 'xmllint-wasm';

const SCHEMAS = path.resolve(import.meta.dirname, '../schemas');
const junitXsd = readFileSync(path.join(SCHEMAS, 'junit-10.xsd'), 'utf8');

/** xmllint's complaints about a JUnit report against junit-10.xsd; empty when it is valid. */
export async function junitSchemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName: 'report.xml', contents: xml }], schema: [{ fileName: 'junit-10.xsd', contents: junitXsd }] });
  return result.valid ? [] : result.errors.map((error) => error.rawMessage);
}

const ajv = new Ajv.default({ allErrors: true, strict: false });
const gitlab = ajv.compile(JSON.parse(readFileSync(path.join(SCHEMAS, 'gitlab-code-quality.schema.json'), 'utf8')));

/** Problems of a GitLab Code Quality report: the schema's, and fingerprints that are not unique. */
export function gitlabCodeQualityProblems(report: unknown): string[] {
  const problems = gitlab(report) ? [] : (gitlab.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
  const prints = Array.isArray(report) ? report.map((issue: { fingerprint?: string }) => issue.fingerprint) : [];
  if (new Set(prints).size !== prints.length) problems.push('fingerprints are not unique');
  return problems;
}

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  data: string;
}

/** A line as the runner reads it, or `null` when it is not a command. */
export function parseWorkflowCommand(line: string): WorkflowCommand | null {
  if (!line.startsWith('::')) return null;
  const end = line.indexOf('::', 2);
  if (end === -1) return null;
  const info = line.slice(2, end);
  const space = info.indexOf(' ');
  const command = space === -1 ? info : info.slice(0, space);
  const properties: Record<string, string> = {};
  if (space !== -1) {
    for (const pair of info.slice(space + 1).split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
  }
  return { command, properties, data: unescapeData(line.slice(end + 2)) };
}

function unescapeData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function unescapeProperty(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}
