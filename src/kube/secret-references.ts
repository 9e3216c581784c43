import { asArray, asObject, asString } from '../core/json.js';
import type { Inventory } from '../core/types.js';

// Where Dex, oidc-authservice and oauth2-proxy run in every Kubeflow release and the common charts.
const AUTH_NAMESPACES = ['auth', 'dex', 'oauth2-proxy', 'istio-system'];

/**
 * The Secrets the authentication components' pods read (env secretKeyRef, envFrom, secret and projected
 * volumes), by name: kustomize's secretGenerator gives them content-hashed names no list can predict.
 */
export function authSecretReferences(inventory: Inventory): Array<{ namespace: string; name: string }> {
  return inventory.memo('authSecretReferences', () => referencedSecrets(inventory, (namespace) => AUTH_NAMESPACES.includes(namespace)));
}

/**
 * The Secrets any container reads through env, envFrom or a volume: where a miner's pool URL or config
 * file may be. Live mode reads these by name for the checks that ask; their values are never printed.
 */
export function containerSecretReferences(inventory: Inventory): Array<{ namespace: string; name: string }> {
  return inventory.memo('containerSecretReferences', () => referencedSecrets(inventory, () => true));
}

function referencedSecrets(inventory: Inventory, inNamespace: (namespace: string) => boolean): Array<{ namespace: string; name: string }> {
  const found = new Map<string, { namespace: string; name: string }>();
  const add = (namespace: string, name: string | null): void => {
    if (name) found.set(`${namespace}/${name}`, { namespace, name });
  };
  for (const site of inventory.podTemplates()) {
    if (!inNamespace(site.namespace)) continue;
    for (const { container } of site.containers) {
      for (const env of asArray(container['env'])) add(site.namespace, asString(asObject(asObject(asObject(env)?.['valueFrom'])?.['secretKeyRef'])?.['name']));
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
