import { parse } from 'yaml';
import { asArray, asObject, asString } from '../core/json.js';
import type { Inventory, Resource } from '../core/types.js';

// Where Dex, oidc-authservice and oauth2-proxy run in every Kubeflow release and the common charts.
const AUTH_NAMESPACES = ['auth', 'dex', 'oauth2-proxy', 'istio-system'];

/**
 * The Secrets the authentication components' pods read (env secretKeyRef, envFrom, secret and projected
 * volumes), by name: kustomize's secretGenerator gives them content-hashed names no list can predict.
 */
export function authSecretReferences(inventory: Inventory): Array<{ namespace: string; name: string }> {
  // A Secret is first named in its own namespace: those of every container, in the namespaces above, are
  // these in the same order, without another pass over every container.
  return inventory.memo('authSecretReferences', () => containerSecretReferences(inventory).filter((secret) => AUTH_NAMESPACES.includes(secret.namespace)));
}

/**
 * The Secrets any container reads through env, envFrom or a volume: where a miner's pool URL or config
 * file may be. Live mode reads these by name for the checks that ask; their values are never printed.
 */
export function containerSecretReferences(inventory: Inventory): Array<{ namespace: string; name: string }> {
  return inventory.memo('containerSecretReferences', () => referencedSecrets(inventory));
}

function referencedSecrets(inventory: Inventory): Array<{ namespace: string; name: string }> {
  const found = new Map<string, { namespace: string; name: string }>();
  const add = (namespace: string, name: string | null): void => {
    if (name) found.set(`${namespace}/${name}`, { namespace, name });
  };
  for (const site of inventory.podTemplates()) {
    for (const { container } of site.containers) {
      for (const env of asArray(container['env'])) {
        // Most entries hold a literal value.
        const from = asObject(env)?.['valueFrom'];
        if (from !== undefined) add(site.namespace, asString(asObject(asObject(from)?.['secretKeyRef'])?.['name']));
      }
      for (const source of asArray(container['envFrom'])) add(site.namespace, asString(asObject(asObject(source)?.['secretRef'])?.['name']));
    }
    for (const volume of asArray(site.spec['volumes'])) {
      const v = asObject(volume);
      add(site.namespace, asString(asObject(v?.['secret'])?.['secretName']));
      for (const projected of asArray(asObject(v?.['projected'])?.['sources'])) add(site.namespace, asString(asObject(asObject(projected)?.['secret'])?.['name']));
    }
  }
  return [...found.values()];
}

/**
 * The objects that use a Secret or ConfigMap: pod templates in its namespace that take env values from it,
 * load it whole (envFrom) or mount it (volumes, projected volumes), and, for a Secret, ConfigMaps there that
 * name it in a `name:` selector (Argo's SSO settings, for instance). Empty when nothing in the input does.
 */
export function usersOf(inventory: Inventory, kind: 'Secret' | 'ConfigMap', namespace: string, name: string): Resource[] {
  const index = inventory.memo(`objectUsers:${kind}`, () => {
    const users = new Map<string, Resource[]>();
    const add = (ns: string, used: string | null, user: Resource): void => {
      if (!used) return;
      const key = `${ns}/${used}`;
      const list = users.get(key) ?? [];
      if (!list.includes(user)) list.push(user);
      users.set(key, list);
    };
    const refKey = kind === 'Secret' ? 'secretKeyRef' : 'configMapKeyRef';
    const fromKey = kind === 'Secret' ? 'secretRef' : 'configMapRef';
    for (const site of inventory.podTemplates()) {
      for (const { container } of site.containers) {
        for (const env of asArray(container['env'])) add(site.namespace, asString(asObject(asObject(asObject(env)?.['valueFrom'])?.[refKey])?.['name']), site.resource);
        for (const source of asArray(container['envFrom'])) add(site.namespace, asString(asObject(asObject(source)?.[fromKey])?.['name']), site.resource);
      }
      for (const volume of asArray(site.spec['volumes'])) {
        const v = asObject(volume);
        add(site.namespace, kind === 'Secret' ? asString(asObject(v?.['secret'])?.['secretName']) : asString(asObject(v?.['configMap'])?.['name']), site.resource);
        for (const projected of asArray(asObject(v?.['projected'])?.['sources'])) {
          add(site.namespace, asString(asObject(asObject(projected)?.[kind === 'Secret' ? 'secret' : 'configMap'])?.['name']), site.resource);
        }
      }
    }
    return users;
  });
  const users = [...(index.get(`${namespace}/${name}`) ?? [])];
  if (kind === 'Secret') {
    for (const selector of configMapSecretSelectors(inventory)) {
      if (selector.namespace === namespace && selector.name === name && !users.includes(selector.configMap)) users.push(selector.configMap);
    }
  }
  return users;
}

/**
 * Secrets that ConfigMaps point to with a Kubernetes secret key selector (`{name: <secret>, key: <key>}`)
 * in the YAML they hold, as Argo's SSO settings do: a component reads those Secrets through the API.
 */
export function configMapSecretSelectors(inventory: Inventory): Array<{ namespace: string; name: string; configMap: Resource }> {
  return inventory.memo('configMapSecretSelectors', () => {
    const out: Array<{ namespace: string; name: string; configMap: Resource }> = [];
    for (const configMap of inventory.ofKind('ConfigMap')) {
      const namespace = configMap.ref.namespace ?? 'default';
      for (const value of Object.values(asObject(configMap.obj['data']) ?? {})) {
        if (typeof value !== 'string' || !/\bkey:/.test(value) || !/\bname:/.test(value)) continue;
        let parsed: unknown;
        try {
          parsed = parse(value, { maxAliasCount: 100, logLevel: 'silent' });
        } catch {
          continue;
        }
        for (const name of selectorNames(parsed, 0)) {
          if (!out.some((o) => o.namespace === namespace && o.name === name && o.configMap === configMap)) out.push({ namespace, name, configMap });
        }
      }
    }
    return out;
  });
}

function selectorNames(value: unknown, depth: number): string[] {
  if (depth > 20) return [];
  if (Array.isArray(value)) return value.flatMap((item) => selectorNames(item, depth + 1));
  const object = asObject(value);
  if (!object) return [];
  const keys = Object.keys(object);
  if (typeof object['name'] === 'string' && typeof object['key'] === 'string' && keys.every((k) => ['name', 'key', 'optional'].includes(k))) return [object['name']];
  return Object.values(object).flatMap((inner) => selectorNames(inner, depth + 1));
}
