import { asArray, asObject, asString, type JsonObject } from '../core/json.js';
import type { ContainerSite, Inventory, Resource } from '../core/types.js';
import { trimEnd } from '../core/text-scan.js';

/** What sits at a path inside a container, as far as the manifests tell. */
export type FileSource =
  /** A ConfigMap key, with its text. */
  | { kind: 'configmap'; configMap: Resource; key: string; text: string }
  /** A ConfigMap that is not among the inputs, or a key it does not hold. */
  | { kind: 'missing-configmap'; namespace: string; name: string; key: string }
  /** A mounted ConfigMap that does not project this file: it does not exist. */
  | { kind: 'absent' }
  /** A volume whose content the manifests do not show (emptyDir filled at run time, hostPath, PVC, Secret). */
  | { kind: 'volume'; volume: string; volumeType: string; mountPath: string; relative: string }
  /** Nothing is mounted there: the file comes from the image. */
  | { kind: 'image' };

interface Mount {
  mountPath: string;
  subPath: string | null;
  volumeName: string;
  volume: JsonObject | null;
}

export interface ContainerFiles {
  /** The source of one file. */
  file(path: string): FileSource;
  /**
   * The files directly inside a directory, by name, and the opaque volumes mounted on it (whose files
   * the manifests cannot list).
   */
  directory(path: string): { files: Array<{ path: string; source: FileSource }>; opaque: FileSource[] };
  /** The volume mounted at or above a path, for matching the same volume in another container. */
  volumeAt(path: string): { volumeName: string; mountPath: string } | null;
}

/**
 * The files a container sees from its volume mounts: ConfigMap volumes (with or without `items`, and
 * `projected` ones), `subPath` mounts, and opaque volumes. The deepest mount wins, as in the container.
 */
export function containerFiles(site: ContainerSite, inventory: Inventory): ContainerFiles {
  const volumes = new Map<string, JsonObject>();
  for (const entry of asArray(site.pod.spec['volumes'])) {
    const volume = asObject(entry);
    const name = asString(volume?.['name']);
    if (volume && name) volumes.set(name, volume);
  }
  const mounts: Mount[] = asArray(site.container['volumeMounts'])
    .flatMap((entry) => {
      const mount = asObject(entry);
      const mountPath = asString(mount?.['mountPath']);
      const volumeName = asString(mount?.['name']);
      if (!mountPath || !volumeName) return [];
      const subPath = asString(mount?.['subPath']);
      return [{ mountPath: normalise(mountPath), subPath: subPath !== null && subPath !== '' ? subPath : null, volumeName, volume: volumes.get(volumeName) ?? null }];
    })
    .sort((a, b) => b.mountPath.length - a.mountPath.length);
  const namespace = site.pod.namespace;

  const mountFor = (path: string): Mount | null =>
    mounts.find((m) => (m.subPath !== null ? path === m.mountPath : path === m.mountPath || path.startsWith(`${m.mountPath}/`))) ?? null;

  const resolve = (mount: Mount, relative: string): FileSource => {
    const sources = configMapSources(mount.volume);
    if (sources.length === 0) {
      return { kind: 'volume', volume: mount.volumeName, volumeType: volumeType(mount.volume), mountPath: mount.mountPath, relative };
    }
    for (const source of sources) {
      const key = source.items ? source.items.get(relative) : relative;
      if (key === undefined) continue;
      const configMap = inventory.get('ConfigMap', namespace, source.name);
      if (!configMap) return { kind: 'missing-configmap', namespace, name: source.name, key };
      const text = asString(asObject(configMap.obj['data'])?.[key]);
      if (text !== null) return { kind: 'configmap', configMap, key, text };
    }
    return { kind: 'absent' };
  };

  return {
    file(path) {
      const normalised = normalise(path);
      const mount = mountFor(normalised);
      if (!mount) return { kind: 'image' };
      const relative = mount.subPath ?? normalised.slice(mount.mountPath.length + 1);
      return resolve(mount, relative);
    },
    directory(path) {
      const dir = normalise(path);
      const files: Array<{ path: string; source: FileSource }> = [];
      const opaque: FileSource[] = [];
      const mount = mountFor(dir);
      if (mount && mount.subPath === null) {
        const prefix = dir === mount.mountPath ? '' : `${dir.slice(mount.mountPath.length + 1)}/`;
        const sources = configMapSources(mount.volume);
        if (sources.length === 0) opaque.push(resolve(mount, prefix.replace(/\/$/, '')));
        for (const source of sources) {
          const configMap = inventory.get('ConfigMap', namespace, source.name);
          const names = source.items ? [...source.items.keys()] : Object.keys(asObject(configMap?.obj['data']) ?? {});
          for (const name of names) {
            if (!name.startsWith(prefix) || name.slice(prefix.length).includes('/')) continue;
            files.push({ path: `${dir}/${name.slice(prefix.length)}`, source: resolve(mount, name) });
          }
          if (!configMap && !source.items) opaque.push({ kind: 'missing-configmap', namespace, name: source.name, key: '*' });
        }
      }
      // Files mounted one by one into the directory (subPath mounts) sit above any directory mount.
      for (const m of mounts) {
        if (m.subPath !== null && parent(m.mountPath) === dir && !files.some((f) => f.path === m.mountPath)) {
          files.push({ path: m.mountPath, source: resolve(m, m.subPath) });
        }
      }
      files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      return { files, opaque };
    },
    volumeAt(path) {
      const mount = mountFor(normalise(path));
      return mount ? { volumeName: mount.volumeName, mountPath: mount.mountPath } : null;
    },
  };
}

interface ConfigMapSource {
  name: string;
  /** `items` as path -> key; `null` when the whole ConfigMap is projected. */
  items: Map<string, string> | null;
}

function configMapSources(volume: JsonObject | null): ConfigMapSource[] {
  if (!volume) return [];
  const direct = asObject(volume['configMap']);
  const projected = asArray(asObject(volume['projected'])?.['sources']).map((s) => asObject(asObject(s)?.['configMap']));
  return [direct, ...projected].flatMap((source): ConfigMapSource[] => {
    const name = asString(source?.['name']);
    if (!source || !name) return [];
    const itemList = asArray(source['items']);
    if (itemList.length === 0) return [{ name, items: null }];
    const items = new Map<string, string>();
    for (const entry of itemList) {
      const item = asObject(entry);
      const key = asString(item?.['key']);
      const path = asString(item?.['path']);
      if (key && path) items.set(path, key);
    }
    return [{ name, items }];
  });
}

function volumeType(volume: JsonObject | null): string {
  if (!volume) return 'unknown';
  return Object.keys(volume).find((key) => key !== 'name') ?? 'unknown';
}

function normalise(path: string): string {
  const trimmed = trimEnd(path, '/');
  return trimmed === '' ? '/' : trimmed.replace(/\/{2,}/g, '/');
}

function parent(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}
