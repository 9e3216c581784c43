import { asArray, asObject, asString } from '../core/json.js';
import type { ContainerSite, Inventory } from '../core/types.js';
import { configMapEntry, lookupSecret, secretEntry, type StoredValue } from './secrets.js';
import { trimEnd } from '../core/text-scan.js';

export type EnvResolution =
  | ({ state: 'value' } & StoredValue)
  | { state: 'unreadable'; reason: string }
  | { state: 'unset' };

type Declared = ReadonlyArray<{ namespace: string; name: string }>;

/**
 * The value a container sees for an environment variable, as the kubelet builds it: `env` entries
 * override `envFrom` sources, a later entry overrides an earlier one, and values come literally or from
 * Secret and ConfigMap keys (with `envFrom` prefixes).
 */
export function resolveEnv(inventory: Inventory, container: ContainerSite, name: string, declared: Declared = []): EnvResolution {
  const namespace = container.pod.namespace;
  const env = asArray(container.container['env']);
  for (let index = env.length - 1; index >= 0; index--) {
    const entry = asObject(env[index]);
    if (entry?.['name'] !== name) continue;
    const literal = asString(entry['value']);
    if (literal !== null) {
      return { state: 'value', value: literal, resource: container.pod.resource, path: [...container.path, 'env', index, 'value'], plainText: true };
    }
    const from = asObject(entry['valueFrom']);
    const secretRef = asObject(from?.['secretKeyRef']);
    const configMapRef = asObject(from?.['configMapKeyRef']);
    if (secretRef) return fromSecret(inventory, namespace, asString(secretRef['name']), asString(secretRef['key']), declared);
    if (configMapRef) return fromConfigMap(inventory, namespace, asString(configMapRef['name']), asString(configMapRef['key']));
    return { state: 'unset' };
  }
  const sources = asArray(container.container['envFrom']);
  for (let index = sources.length - 1; index >= 0; index--) {
    const source = asObject(sources[index]);
    const prefix = asString(source?.['prefix']) ?? '';
    if (!source || !name.startsWith(prefix)) continue;
    const key = name.slice(prefix.length);
    const secretName = asString(asObject(source['secretRef'])?.['name']);
    const configMapName = asString(asObject(source['configMapRef'])?.['name']);
    const found = secretName
      ? fromSecret(inventory, namespace, secretName, key, declared)
      : configMapName
        ? fromConfigMap(inventory, namespace, configMapName, key)
        : ({ state: 'unset' } as const);
    if (found.state !== 'unset') return found;
  }
  return { state: 'unset' };
}

function fromSecret(inventory: Inventory, namespace: string, name: string | null, key: string | null, declared: Declared): EnvResolution {
  if (!name || !key) return { state: 'unset' };
  const lookup = lookupSecret(inventory, namespace, name, declared);
  if (lookup.state === 'unreadable') return lookup;
  if (lookup.state === 'absent') return { state: 'unset' };
  const entry = secretEntry(lookup.secret, key);
  return entry ? { state: 'value', ...entry } : { state: 'unset' };
}

function fromConfigMap(inventory: Inventory, namespace: string, name: string | null, key: string | null): EnvResolution {
  if (!name || !key) return { state: 'unset' };
  const configMap = inventory.get('ConfigMap', namespace, name);
  const entry = configMap ? configMapEntry(configMap, key) : null;
  return entry ? { state: 'value', ...entry } : { state: 'unset' };
}

/** A container's command and args as one list of words. */
export function commandLine(container: ContainerSite): string[] {
  return [...asArray(container.container['command']), ...asArray(container.container['args'])].flatMap((word) =>
    typeof word === 'string' ? [word] : [],
  );
}

/**
 * The value of a `--flag=value` or `--flag value` option; the last one wins, as with most Go and Python
 * CLIs. Words inside a shell string (`sh -c "..."`) are split on spaces.
 */
export function flagValues(words: readonly string[], flag: string): string[] {
  const tokens = words.flatMap((word) => (word.includes(' ') ? word.split(/\s+/) : [word]));
  const values: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === flag && i + 1 < tokens.length && !tokens[i + 1]!.startsWith('--')) values.push(tokens[i + 1]!);
    else if (token.startsWith(`${flag}=`)) values.push(token.slice(flag.length + 1));
    else if (token === flag) values.push('');
  }
  return values;
}

export type FileResolution =
  | ({ state: 'value'; from: 'ConfigMap' | 'Secret'; key: string } & StoredValue)
  | { state: 'unreadable'; reason: string }
  | { state: 'unset' };

/**
 * The content of a file a container reads, when it comes from a ConfigMap or Secret volume: the mount
 * that holds the path (whole volume or `subPath`), then the volume's `items` mapping or the key of the
 * same name.
 */
export function mountedFile(inventory: Inventory, container: ContainerSite, filePath: string, declared: Declared = []): FileResolution {
  const volumes = asArray(container.pod.spec['volumes']).map(asObject).filter((v): v is Record<string, unknown> => v !== null);
  for (const entry of asArray(container.container['volumeMounts'])) {
    const mount = asObject(entry);
    const mountPath = (() => { const value = asString(mount?.['mountPath']); return value === null ? undefined : trimEnd(value, '/'); })();
    if (!mount || !mountPath) continue;
    const subPath = asString(mount['subPath']);
    let relative: string | null = null;
    if (subPath && filePath === mountPath) relative = subPath;
    else if (!subPath && filePath.startsWith(`${mountPath}/`)) relative = filePath.slice(mountPath.length + 1);
    if (relative === null) continue;
    const volume = volumes.find((v) => v['name'] === mount['name']);
    if (!volume) continue;
    for (const source of volumeSources(volume)) {
      const key = source.items.find((item) => item.path === relative)?.key ?? (source.items.length === 0 ? relative : null);
      if (!key) continue;
      if (source.kind === 'ConfigMap') {
        const configMap = inventory.get('ConfigMap', container.pod.namespace, source.name);
        const value = configMap ? configMapEntry(configMap, key) : null;
        if (value) return { state: 'value', from: 'ConfigMap', key, ...value };
      } else {
        const lookup = lookupSecret(inventory, container.pod.namespace, source.name, declared);
        if (lookup.state === 'unreadable') return lookup;
        const value = lookup.state === 'found' ? secretEntry(lookup.secret, key) : null;
        if (value) return { state: 'value', from: 'Secret', key, ...value };
      }
    }
  }
  return { state: 'unset' };
}

export interface VolumeSource {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  items: Array<{ key: string; path: string }>;
}

/** The ConfigMap and Secret sources of a volume (direct or projected), with their `items`. */
export function volumeSources(volume: Record<string, unknown>): VolumeSource[] {
  const one = (kind: 'ConfigMap' | 'Secret', source: Record<string, unknown> | null, nameField: string): VolumeSource[] => {
    const name = asString(source?.[nameField]);
    if (!source || !name) return [];
    const items = asArray(source['items']).flatMap((item) => {
      const key = asString(asObject(item)?.['key']);
      const path = asString(asObject(item)?.['path']);
      return key && path ? [{ key, path }] : [];
    });
    return [{ kind, name, items }];
  };
  const projected = asArray(asObject(volume['projected'])?.['sources']).flatMap((s) => [
    ...one('ConfigMap', asObject(asObject(s)?.['configMap']), 'name'),
    ...one('Secret', asObject(asObject(s)?.['secret']), 'name'),
  ]);
  return [...one('ConfigMap', asObject(volume['configMap']), 'name'), ...one('Secret', asObject(volume['secret']), 'secretName'), ...projected];
}
