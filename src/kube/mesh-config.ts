import { parseEmbeddedYaml } from '../loaders/go-yaml.js';
import { asArray, asObject, asString, dig } from '../core/json.js';
import type { FieldPath, Inventory, Resource } from '../core/types.js';

/** Istio's mesh configuration as one source declares it. */
export interface MeshConfigSource {
  resource: Resource;
  /** Path to the mesh config object: `['data', 'mesh']` in a ConfigMap, `['spec', 'meshConfig']` in an IstioOperator. */
  path: FieldPath;
  config: Record<string, unknown>;
}

export interface ExtensionProvider {
  name: string;
  /** The authorization service host (`oauth2-proxy.oauth2-proxy.svc.cluster.local`), when it has one. */
  service: string | null;
  source: MeshConfigSource;
  path: FieldPath;
}

/**
 * Mesh configs in the input: istiod's ConfigMap `istio` (or `istio-<revision>`) with key `mesh`, and
 * IstioOperator `spec.meshConfig` (what the operator renders into that ConfigMap).
 */
export function meshConfigs(inventory: Inventory): readonly MeshConfigSource[] {
  return inventory.memo('meshConfigs', () => {
    const out: MeshConfigSource[] = [];
    for (const configMap of inventory.ofKind('ConfigMap')) {
      if (configMap.ref.name !== 'istio' && !configMap.ref.name.startsWith('istio-')) continue;
      const text = asString(dig(configMap.obj, 'data', 'mesh'));
      if (text === null) continue;
      // istiod reads it with go-yaml (sigs.k8s.io/yaml): the last of two equal keys counts.
      const parsed = parseEmbeddedYaml(text, 'last');
      const object = parsed.ok ? asObject(parsed.value) : null;
      if (object) out.push({ resource: configMap, path: ['data', 'mesh'], config: object });
    }
    for (const operator of inventory.ofKind('install.istio.io/IstioOperator')) {
      const config = asObject(dig(operator.obj, 'spec', 'meshConfig'));
      if (config) out.push({ resource: operator, path: ['spec', 'meshConfig'], config });
    }
    return out;
  });
}

/** `extensionProviders` of every mesh config, by name: what a CUSTOM AuthorizationPolicy may name. */
export function extensionProviders(inventory: Inventory): readonly ExtensionProvider[] {
  return inventory.memo('meshExtensionProviders', () =>
    meshConfigs(inventory).flatMap((source) =>
      asArray(source.config['extensionProviders']).flatMap((entry, index) => {
        const provider = asObject(entry);
        const name = asString(provider?.['name']);
        if (!provider || !name) return [];
        const service =
          asString(dig(provider, 'envoyExtAuthzHttp', 'service')) ?? asString(dig(provider, 'envoyExtAuthzGrpc', 'service'));
        return [{ name, service, source, path: [...source.path, 'extensionProviders', index] }];
      }),
    ),
  );
}

/** The namespace whose policies without a selector apply to the whole mesh (`istio-system` by default). */
export function rootNamespace(inventory: Inventory): string {
  for (const source of meshConfigs(inventory)) {
    const root = asString(source.config['rootNamespace']);
    if (root) return root;
  }
  return 'istio-system';
}

/**
 * Whether the input can say a provider is not registered: it holds a mesh config, or it is a whole
 * cluster (where the absence of one means Istio's defaults, which register no provider).
 */
export function meshConfigKnown(inventory: Inventory): boolean {
  return inventory.wholeCluster || meshConfigs(inventory).length > 0;
}
