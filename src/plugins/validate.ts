// The shape of a plugin and of its checks' metadata, checked before anything runs: a plugin is code from
// outside, and a missing title or a misspelt category must be one clear error, not a broken report.
import { CATEGORIES, isCategory } from '../core/categories.js';
import { parseKindName } from '../core/kinds.js';
import { SEVERITIES, isSeverity } from '../core/severity.js';
import { didYouMean } from '../core/suggest.js';
import { builtinKind } from '../kube/resource-names.js';

/** Plugin API versions this kfscan can load. */
export const SUPPORTED_API_VERSIONS: readonly number[] = [1];

export const CHECK_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const MAX_ID_LENGTH = 64;
const PLUGIN_NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;
const KIND_NAME = /^(?:[a-z0-9]([a-z0-9.-]*[a-z0-9])?\/)?[A-Z][A-Za-z0-9]*$/;

const PLUGIN_KEYS = ['apiVersion', 'name', 'version', 'checks', 'optionsSchema', 'docs'];
const META_KEYS = ['id', 'title', 'category', 'severity', 'description', 'rationale', 'remediation', 'tags', 'needs', 'namedSecrets', 'absence', 'docsUrl', 'aliases'];

type Record_ = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Record_ {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What is wrong with a plugin's default export as a whole, or `null`. Its checks are judged one by one
 * afterwards (`checkProblem`), so that one bad check does not take the others down.
 */
export function pluginProblem(value: unknown): string | null {
  const shape = 'export default { apiVersion: 1, name, checks: [...] } (docs/plugins.md)';
  if (value === undefined) return `has no default export: ${shape}`;
  if (!isPlainObject(value)) return `exports ${describeValue(value)} by default, not a plugin object: ${shape}`;
  // First, as a plugin for another API version may be shaped differently in every other respect.
  if (!('apiVersion' in value)) return 'declares no apiVersion: add `apiVersion: 1` to its default export (docs/plugins.md)';
  if (!SUPPORTED_API_VERSIONS.includes(value['apiVersion'] as number)) {
    return `is written for plugin API ${JSON.stringify(value['apiVersion'])}, but this kfscan supports plugin API ${SUPPORTED_API_VERSIONS.join(', ')}: use a release of the plugin made for it, or a kfscan that supports its API`;
  }
  const unknown = Object.keys(value).filter((key) => !PLUGIN_KEYS.includes(key));
  if (unknown.length > 0) return `has unknown key "${unknown[0]}"${didYouMean(unknown[0]!, PLUGIN_KEYS)}; a plugin has ${PLUGIN_KEYS.join(', ')}`;
  const name = value['name'];
  if (typeof name !== 'string' || !PLUGIN_NAME.test(name) || name.length > 214) {
    return `needs a "name": a lower-case name like an npm package's (acme-policies, @acme/kfscan-rules), got ${describeValue(name)}`;
  }
  if (value['version'] !== undefined && (typeof value['version'] !== 'string' || value['version'].trim() === '')) return `"version" must be a string, got ${describeValue(value['version'])}`;
  if (!Array.isArray(value['checks']) || value['checks'].length === 0) return `needs "checks": a non-empty list of checks, got ${describeValue(value['checks'])}`;
  if (value['optionsSchema'] !== undefined && !isPlainObject(value['optionsSchema'])) return `"optionsSchema" must be a JSON Schema object, got ${describeValue(value['optionsSchema'])}`;
  if (value['docs'] !== undefined) {
    if (!isPlainObject(value['docs'])) return `"docs" must map check ids to Markdown files, got ${describeValue(value['docs'])}`;
    for (const [id, page] of Object.entries(value['docs'])) {
      if (typeof page !== 'string' || page.trim() === '') return `"docs.${id}" must be the path of a Markdown file relative to the plugin module, got ${describeValue(page)}`;
    }
  }
  return null;
}

/** The check's id if it has a readable one, for messages about it. */
export function declaredId(check: unknown): string | null {
  const id = isPlainObject(check) && isPlainObject(check['meta']) ? check['meta']['id'] : undefined;
  return typeof id === 'string' && id !== '' && id.length <= 200 ? id : null;
}

/** What is wrong with one check of a plugin, or `null`. Every rule here is documented in docs/plugins.md. */
export function checkProblem(check: unknown): string | null {
  if (!isPlainObject(check)) return `it is ${describeValue(check)}, not a check object { meta, run }`;
  if (typeof check['run'] !== 'function') return `it needs a run(inventory, context) function, got ${describeValue(check['run'])}`;
  if (check['secretsToRead'] !== undefined && typeof check['secretsToRead'] !== 'function') return `secretsToRead must be a function, got ${describeValue(check['secretsToRead'])}`;
  const meta = check['meta'];
  if (!isPlainObject(meta)) return `it needs "meta", an object with ${META_KEYS.slice(0, 9).join(', ')}; got ${describeValue(meta)}`;
  return metaProblem(meta);
}

function metaProblem(meta: Record_): string | null {
  const unknown = Object.keys(meta).filter((key) => !META_KEYS.includes(key));
  if (unknown.length > 0) return `meta has unknown key "${unknown[0]}"${didYouMean(unknown[0]!, META_KEYS)}; meta has ${META_KEYS.join(', ')}`;
  const id = meta['id'];
  if (typeof id !== 'string' || !CHECK_ID.test(id) || id.length > MAX_ID_LENGTH) {
    return `meta.id must be kebab-case (lower-case letters and digits in words joined by "-", starting with a letter, at most ${MAX_ID_LENGTH} characters), got ${describeValue(id)}`;
  }
  for (const key of ['title', 'description', 'rationale', 'remediation']) {
    const text = meta[key];
    if (typeof text !== 'string' || text.trim() === '') return `meta.${key} must be a non-empty string, got ${describeValue(text)}`;
  }
  if ((meta['title'] as string).includes('\n')) return 'meta.title must be one line';
  if (!isCategory(meta['category'])) {
    return `meta.category must be one of ${CATEGORIES.join(', ')}, got ${describeValue(meta['category'])}${typeof meta['category'] === 'string' ? didYouMean(meta['category'], CATEGORIES) : ''}`;
  }
  if (!isSeverity(meta['severity'])) return `meta.severity must be one of ${SEVERITIES.join(', ')}, got ${describeValue(meta['severity'])}`;
  const tags = meta['tags'];
  if (!isStringList(tags)) return `meta.tags must be a list of non-empty strings (Threat Matrix ids such as MS-TA9005; [] for none), got ${describeValue(tags)}`;
  const needs = meta['needs'];
  if (!Array.isArray(needs)) return `meta.needs must be the list of kinds the check reads ([] for none), got ${describeValue(needs)}`;
  for (const kind of needs) {
    const problem = kindProblem(kind);
    if (problem) return `meta.needs: ${problem}`;
  }
  const secrets = meta['namedSecrets'];
  if (secrets !== undefined && !(Array.isArray(secrets) && secrets.every((s) => isPlainObject(s) && nonBlank(s['namespace']) && nonBlank(s['name'])))) {
    return `meta.namedSecrets must be a list of { namespace, name }, got ${describeValue(secrets)}`;
  }
  if (meta['absence'] !== undefined && typeof meta['absence'] !== 'boolean') return `meta.absence must be true or false, got ${describeValue(meta['absence'])}`;
  const docsUrl = meta['docsUrl'];
  if (docsUrl !== undefined && !(typeof docsUrl === 'string' && isHttpUrl(docsUrl))) return `meta.docsUrl must be an absolute http(s) URL, got ${describeValue(docsUrl)}`;
  const aliases = meta['aliases'];
  if (aliases !== undefined) {
    if (!Array.isArray(aliases) || !aliases.every((alias) => typeof alias === 'string' && CHECK_ID.test(alias) && alias.length <= MAX_ID_LENGTH)) {
      return `meta.aliases must be a list of kebab-case ids, got ${describeValue(aliases)}`;
    }
    if (aliases.includes(id)) return 'meta.aliases must not repeat meta.id';
  }
  return null;
}

function kindProblem(kind: unknown): string | null {
  if (typeof kind !== 'string' || !KIND_NAME.test(kind)) {
    return `${describeValue(kind)} is not a kind name: write a built-in kind bare (Service, Deployment) and others as group/Kind (kubeflow.org/Notebook)`;
  }
  const { group, kind: bare } = parseKindName(kind);
  if (bare === 'Secret' && (group === null || group === '')) {
    return '"Secret" must not be listed: Secrets are never listed by kfscan; name the ones the check compares in meta.namedSecrets or secretsToRead()';
  }
  if (group === null && builtinKind(bare) === null) {
    return `"${kind}" is not a built-in kind, so live mode could not know which API to read: write it as group/Kind (e.g. kubeflow.org/${bare})`;
  }
  return null;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(nonBlank);
}

function nonBlank(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !/\s/.test(text);
  } catch {
    return false;
  }
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'undefined':
      return 'nothing';
    case 'function':
      return 'a function';
    case 'string':
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    case 'symbol':
      return value.toString();
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    default:
      return 'an object';
  }
}
