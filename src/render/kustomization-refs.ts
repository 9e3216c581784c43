import { isPlainObject } from '../loaders/manifest-parser.js';
import { append } from '../core/arrays.js';

/** A path (or URL) that a kustomization names, and the field that names it. */
export interface KustomizationRef {
  field: string;
  value: string;
  /**
   * `resource`: a file, or a directory holding another kustomization (bases, components), which kustomize
   * loads from wherever it is; `file`: a file kustomize reads itself, which must be in or below the
   * kustomization's own directory (its root-only load restrictor).
   */
  type: 'resource' | 'file';
}

export interface KustomizationFacts {
  kind: string;
  refs: KustomizationRef[];
  /** Files named as patches (strategic-merge or JSON 6902): their documents are not objects. */
  patchFiles: string[];
  /** `helmCharts` or `helmChartInflationGenerator`: Helm inflation inside kustomize. */
  inflatesHelm: boolean;
  /** Names of the ConfigMap and Secret generators, with the files their data comes from. */
  generators: GeneratorFacts[];
}

export interface GeneratorFacts {
  kind: 'ConfigMap' | 'Secret';
  index: number;
  name: string;
  envFiles: string[];
  /** `files:` entries, `key=path` or `path`. */
  files: string[];
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : []);
const objects = (value: unknown): Array<Record<string, unknown>> => (Array.isArray(value) ? value.filter(isPlainObject) : []);

/**
 * Every path a kustomization (kustomize v5, with the deprecated fields it still reads) can make kustomize
 * read. Inline patches and inline plugin configurations (text holding a newline) are not paths.
 */
export function kustomizationFacts(data: Record<string, unknown>): KustomizationFacts {
  const refs: KustomizationRef[] = [];
  const add = (field: string, type: KustomizationRef['type'], values: readonly string[]): void => {
    for (const value of values) if (value.trim() !== '' && !value.includes('\n')) refs.push({ field, value: value.trim(), type });
  };
  add('resources', 'resource', strings(data['resources']));
  add('bases', 'resource', strings(data['bases']));
  add('components', 'resource', strings(data['components']));
  add('crds', 'file', strings(data['crds']));
  add('configurations', 'file', strings(data['configurations']));
  for (const field of ['generators', 'transformers', 'validators']) add(field, 'resource', strings(data[field]));

  const patchFiles: string[] = [];
  for (const entry of strings(data['patchesStrategicMerge'])) if (!entry.includes('\n')) patchFiles.push(entry);
  for (const field of ['patches', 'patchesJson6902']) for (const entry of objects(data[field])) append(patchFiles, strings(entry['path']));
  add('patches', 'file', patchFiles);
  for (const entry of objects(data['replacements'])) add('replacements', 'file', strings(entry['path']));
  if (isPlainObject(data['openapi'])) add('openapi', 'file', strings(data['openapi']['path']));

  const generators: GeneratorFacts[] = [];
  for (const [field, kind] of [['configMapGenerator', 'ConfigMap'], ['secretGenerator', 'Secret']] as const) {
    objects(data[field]).forEach((entry, index) => {
      const envFiles = [...strings(entry['envs']), ...strings(entry['env'])];
      const files = strings(entry['files']);
      add(field, 'file', envFiles);
      add(field, 'file', files.map((file) => (file.includes('=') ? file.slice(file.indexOf('=') + 1) : file)));
      generators.push({ kind, index, name: typeof entry['name'] === 'string' ? entry['name'] : '', envFiles, files });
    });
  }

  const charts = objects(data['helmCharts']);
  const inflatesHelm = charts.length > 0 || data['helmChartInflationGenerator'] !== undefined;
  for (const chart of charts) {
    // A chart repository is always a download; a chart without one is read from helmGlobals.chartHome.
    add('helmCharts.repo', 'resource', strings(chart['repo']));
    add('helmCharts', 'file', [...strings(chart['valuesFile']), ...strings(chart['additionalValuesFiles'])]);
  }
  if (isPlainObject(data['helmGlobals'])) add('helmGlobals', 'resource', [...strings(data['helmGlobals']['chartHome']), ...strings(data['helmGlobals']['configHome'])]);

  return { kind: typeof data['kind'] === 'string' ? data['kind'] : 'Kustomization', refs, patchFiles, inflatesHelm, generators };
}

/**
 * A reference kustomize would fetch rather than read: a URL (`https://`, `git::`, `ssh://`, `oci://`), an
 * scp-like git address (`git@host:org/repo`), or its shorthand for hosted repositories
 * (`github.com/org/repo//path?ref=v1`).
 */
/** A query that names what to fetch (`?ref=v1`, `&version=2`): split by hand, each character read once. */
function hasFetchParameter(value: string): boolean {
  const query = value.indexOf('?');
  if (query === -1) return false;
  return value
    .slice(query + 1)
    .split('&')
    .some((pair) => ['ref=', 'version=', 'timeout=', 'submodules='].some((name) => pair.startsWith(name)));
}

export function isRemote(value: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*::/i.test(value) ||
    /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ||
    /^[\w.-]+@[\w.-]+:/.test(value) ||
    /^(?:github\.com|gitlab\.com|bitbucket\.org)[/:]/i.test(value) ||
    hasFetchParameter(value) ||
    /^[\w-]+(?:\.[\w-]+)+\/[^/]+\/[^/]+\/\//.test(value)
  );
}
