import { posix } from 'node:path';
import { asArray, asObject, asString, scalarText } from '../../core/json.js';
import type { ContainerSite, Inventory, Resource } from '../../core/types.js';
import { parseEmbeddedYaml } from '../../loaders/go-yaml.js';
import { linearMatcher } from '../linear-regex.js';

/** A file a plain Prometheus sees, backed by a ConfigMap key. */
export interface MountedFile {
  configMap: Resource;
  key: string;
}

export interface PlainServerConfig {
  /** The ConfigMap key holding `prometheus.yml`, or `null` when it is not in the input. */
  configFile: MountedFile | null;
  /** Parsed configuration, `null` when missing or broken. */
  config: Record<string, unknown> | null;
  /** Why Prometheus would refuse the configuration, `null` when it reads it (or it is missing). */
  configProblem: string | null;
  /** Rule files that `rule_files` names, resolved through the mounts. */
  ruleFiles: MountedFile[];
  /** Additional files from `scrape_config_files`. */
  scrapeConfigFiles: Array<Record<string, unknown>>;
}

const DEFAULT_CONFIG = '/etc/prometheus/prometheus.yml';

/**
 * Follows a plain Prometheus container to its configuration: `--config.file`, the volume mounts, the
 * ConfigMaps behind them (whole, by `items`, by `subPath`, projected); then `rule_files` globs relative
 * to the configuration's folder. Without a mount, a ConfigMap in the server's namespace holding a file of
 * the configuration's name stands in (a chart's `<release>-server`).
 */
export function resolvePlainServer(container: ContainerSite, inventory: Inventory): PlainServerConfig {
  const files = mountedFiles(container, inventory);
  const configPath = flagValue(container, 'config.file') ?? DEFAULT_CONFIG;
  let configFile = files.get(posix.normalize(configPath)) ?? null;
  if (!configFile) {
    const base = posix.basename(configPath);
    const fallback = inventory.inNamespace('ConfigMap', container.pod.namespace).find((cm) => typeof asObject(cm.obj['data'])?.[base] === 'string');
    configFile = fallback ? { configMap: fallback, key: base } : null;
  }
  const parsed = configFile ? parseEmbeddedYaml(fileText(configFile), 'refuse') : null;
  const config = parsed?.ok ? asObject(parsed.value) : null;
  const configProblem = parsed && !parsed.ok ? parsed.reason : null;
  const dir = posix.dirname(configPath);
  const resolve = (patterns: unknown): MountedFile[] => {
    const found: MountedFile[] = [];
    for (const pattern of asArray(patterns).map(String)) {
      const absolute = posix.normalize(posix.isAbsolute(pattern) ? pattern : posix.join(dir, pattern));
      const matcher = globMatcher(absolute);
      for (const [path, file] of files) if (matcher(path) && !found.includes(file)) found.push(file);
      // Unmounted fallback: the same ConfigMap as the configuration, by file name.
      if (files.size === 0 && configFile && typeof asObject(configFile.configMap.obj['data'])?.[posix.basename(absolute)] === 'string') {
        found.push({ configMap: configFile.configMap, key: posix.basename(absolute) });
      }
    }
    return found;
  };
  const scrapeConfigFiles = resolve(config?.['scrape_config_files'])
    .map((file) => parseYamlObject(fileText(file)))
    .filter((parsed): parsed is Record<string, unknown> => parsed !== null);
  return { configFile, config, configProblem, ruleFiles: resolve(config?.['rule_files']), scrapeConfigFiles };
}

/** ConfigMaps that a container mounts, by the path inside the container. */
export function mountedFiles(container: ContainerSite, inventory: Inventory): Map<string, MountedFile> {
  const volumes = new Map<string, Array<{ configMap: Resource; items: Map<string, string> | null }>>();
  for (const entry of asArray(container.pod.spec['volumes'])) {
    const volume = asObject(entry);
    const name = asString(volume?.['name']);
    if (!volume || !name) continue;
    const sources = [asObject(volume['configMap']), ...asArray(asObject(volume['projected'])?.['sources']).map((s) => asObject(asObject(s)?.['configMap']))];
    const backing = sources.flatMap((source) => {
      const cmName = asString(source?.['name']);
      const configMap = cmName ? inventory.get('ConfigMap', container.pod.namespace, cmName) : undefined;
      if (!source || !configMap) return [];
      const items = asArray(source['items']).map(asObject).filter((item) => item !== null);
      return [{ configMap, items: items.length > 0 ? new Map(items.map((item) => [scalarText(item['path']) ?? '', scalarText(item['key']) ?? ''])) : null }];
    });
    if (backing.length > 0) volumes.set(name, backing);
  }
  const files = new Map<string, MountedFile>();
  for (const entry of asArray(container.container['volumeMounts'])) {
    const mount = asObject(entry);
    const mountPath = asString(mount?.['mountPath']);
    const backing = volumes.get(asString(mount?.['name']) ?? '');
    if (!mountPath || !backing) continue;
    const subPath = asString(mount?.['subPath']);
    for (const { configMap, items } of backing) {
      const keys = items ?? new Map(Object.keys(asObject(configMap.obj['data']) ?? {}).map((key) => [key, key]));
      for (const [path, key] of keys) {
        if (subPath) {
          if (path === subPath) files.set(posix.normalize(mountPath), { configMap, key });
        } else {
          files.set(posix.normalize(posix.join(mountPath, path)), { configMap, key });
        }
      }
    }
  }
  return files;
}

export function fileText(file: MountedFile): string {
  return asString(asObject(file.configMap.obj['data'])?.[file.key]) ?? '';
}

/**
 * A Prometheus configuration or rules file as Prometheus reads it (go-yaml's strict mode, yaml.v3 for
 * rules: a key written twice makes the file invalid); `null` when Prometheus would refuse it.
 */
export function parseYamlObject(text: string): Record<string, unknown> | null {
  const parsed = parseEmbeddedYaml(text, 'refuse');
  return parsed.ok ? asObject(parsed.value) : null;
}

/** `--config.file=/x`, `--config.file /x` (and vmalert-style `-rule=/x`). */
export function flagValue(container: ContainerSite, flag: string): string | null {
  const words = [...asArray(container.container['command']), ...asArray(container.container['args'])].map(String);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    for (const prefix of [`--${flag}`, `-${flag}`]) {
      if (word.startsWith(`${prefix}=`)) return word.slice(prefix.length + 1);
      if (word === prefix && i + 1 < words.length) return words[i + 1]!;
    }
  }
  return null;
}

export function hasFlag(container: ContainerSite, pattern: RegExp): boolean {
  return [...asArray(container.container['command']), ...asArray(container.container['args'])].some((word) => pattern.test(scalarText(word) ?? ''));
}

// Go's filepath.Match: `*` and `?` within one path segment, `[...]` classes.
function globMatcher(pattern: string): (path: string) => boolean {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[' || char === ']') source += char;
    else source += char.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return linearMatcher(`^${source}$`) ?? ((path) => path === pattern);
}
