import { describeResource } from '../core/object-ref.js';
import { asObject, asString } from '../core/json.js';
import { parseEmbeddedYaml } from '../loaders/go-yaml.js';
import type { ContainerSite, FieldPath, Inventory } from '../core/types.js';
import { commandLine, mountedFile, resolveEnv, type EnvResolution } from './container-env.js';
import { containersRunning } from './container-index.js';
import { AUTH_SECRETS, lookupSecret, secretEntries, configMapEntry, secretEntry, type StoredValue } from './secrets.js';

/** A Dex configuration and the Dex container that reads it (null when the input holds only the config). */
export interface DexInstance {
  source: StoredValue;
  config: Record<string, unknown>;
  container: ContainerSite | null;
}

export interface DexDiscovery {
  instances: DexInstance[];
  /** Configurations that could not be read (a Secret hidden by RBAC or `--no-secrets`, a file Dex cannot parse). */
  unreadable: string[];
}

const DEX_IMAGE = /(?:^|\/)(?:dexidp\/dex|coreos\/dex)$/;
const CONFIG_KEYS = ['config.yaml', 'config.yml'];

/**
 * Dex configurations: the file each Dex container serves (`dex serve <path>`, followed through its
 * volume to a ConfigMap or Secret), and any other ConfigMap or Secret key `config.yaml` shaped like a
 * Dex config (issuer plus clients, connectors or passwords), for input that holds only the config.
 */
export function dexInstances(inventory: Inventory): DexDiscovery {
  const declared = AUTH_SECRETS;
  return inventory.memo('dexInstances', () => {
    const instances: DexInstance[] = [];
    const unreadable: string[] = [];
    const seen = new Set<string>();
    const add = (source: StoredValue, container: ContainerSite | null) => {
      const id = `${source.resource.ref.kind}/${source.resource.ref.namespace}/${source.resource.ref.name}/${source.path.join('.')}`;
      if (seen.has(id)) return;
      const parsed = parseDexConfig(source.value);
      // A file the Dex container serves, or one that reads like a Dex config, that cannot be parsed is a gap, not a pass.
      if ('problem' in parsed) {
        if (container || (DEX_ISSUER_LINE.test(source.value) && DEX_KEY_LINE.test(source.value))) unreadable.push(`the Dex configuration in ${describeResource(source.resource)} (${String(source.path.at(-1))}) cannot be parsed: ${parsed.problem}`);
        return;
      }
      if (!parsed.config) return;
      seen.add(id);
      instances.push({ source, config: parsed.config, container });
    };

    for (const container of containersRunning(inventory, DEX_IMAGE)) {
      const path = configFilePath(commandLine(container));
      if (!path) continue;
      const file = mountedFile(inventory, container, path, declared);
      if (file.state === 'value') add(file, container);
      else if (file.state === 'unreadable') unreadable.push(file.reason);
    }
    for (const configMap of inventory.ofKind('ConfigMap')) {
      for (const key of CONFIG_KEYS) {
        const entry = configMapEntry(configMap, key);
        if (entry) add(entry, null);
      }
    }
    for (const secret of inventory.ofKind('Secret')) {
      for (const entry of secretEntries(secret)) if (CONFIG_KEYS.includes(String(entry.path[1]))) add(entry, null);
    }
    return { instances, unreadable };
  });
}

function configFilePath(words: readonly string[]): string | null {
  const serve = words.indexOf('serve');
  if (serve === -1) return null;
  const files = words.slice(serve + 1).filter((word) => !word.startsWith('-') && /\.(?:ya?ml|json)$/.test(word));
  return files.at(-1) ?? null;
}

const DEX_KEYS = ['staticClients', 'connectors', 'enablePasswordDB', 'staticPasswords'];
const DEX_ISSUER_LINE = /^issuer:/m;
const DEX_KEY_LINE = new RegExp(`^(?:${DEX_KEYS.join('|')}):`, 'm');

/**
 * A Dex configuration as Dex reads it (go-yaml through ghodss/yaml: YAML 1.1 scalars, the last of two
 * equal keys, aliases bounded by expansion), `null` when it is not a Dex configuration, or why Dex would
 * refuse it.
 */
function parseDexConfig(text: string): { config: Record<string, unknown> | null } | { problem: string } {
  const parsed = parseEmbeddedYaml(text, 'last');
  if (!parsed.ok) return { problem: parsed.reason };
  const config = asObject(parsed.value);
  if (!config || typeof config['issuer'] !== 'string') return { config: null };
  return { config: DEX_KEYS.some((key) => key in config) ? config : null };
}

/** Path to a field of the Dex config: inside the value when it is plain text, else the key holding it. */
export function dexConfigPath(dex: DexInstance, ...inner: Array<string | number>): FieldPath {
  return dex.source.plainText ? [...dex.source.path, ...inner] : dex.source.path;
}

/** `ConfigMap auth/dex`: how messages name where the config lives. */
export function dexSourceName(dex: DexInstance): string {
  return describeResource(dex.source.resource);
}

// Where Kubeflow keeps what Dex reads from its environment, for input without the Dex Deployment.
const FALLBACK_ENV_SECRETS = ['dex-passwords', 'dex-oidc-client'];

/**
 * An environment variable of the Dex container (`hashFromEnv`, `secretEnv`, `idEnv`). Without the
 * container, Kubeflow's Secrets in the config's namespace (`dex-passwords`, `dex-oidc-client`) stand in.
 */
export function dexEnv(inventory: Inventory, dex: DexInstance, name: string): EnvResolution {
  const declared = AUTH_SECRETS;
  if (dex.container) return resolveEnv(inventory, dex.container, name, declared);
  const namespace = dex.source.resource.ref.namespace ?? 'default';
  for (const secretName of FALLBACK_ENV_SECRETS) {
    const lookup = lookupSecret(inventory, namespace, secretName, declared);
    if (lookup.state === 'unreadable') return lookup;
    const entry = lookup.state === 'found' ? secretEntry(lookup.secret, name) : null;
    if (entry) return { state: 'value', ...entry };
  }
  return { state: 'unset' };
}

export function stringField(object: Record<string, unknown> | null, key: string): string | null {
  return asString(object?.[key]);
}
