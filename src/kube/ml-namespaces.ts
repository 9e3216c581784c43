import { unionOfKinds } from '../core/kinds.js';
import type { FieldPath, Inventory, KindName, PodTemplateSite, Resource } from '../core/types.js';
import { KUBEFLOW_PRESENCE_KINDS, kubeflowPresent } from './ml-platform.js';
import { ownedByKind, templateOwners } from './ownership.js';
import { isPipelineSpawned, isProfileNamespace } from './pipelines.js';

/** A namespace where Kubeflow runs user code: pipelines, notebooks, or a profile namespace awaiting them. */
export interface MlNamespace {
  name: string;
  /** `Kubeflow profile namespace`, `runs pipelines`, ...: for messages, in a stable order. */
  roles: string[];
  /**
   * Where to point: the Namespace object, else the Profile CR that creates it, else a workload in the
   * namespace, with the field that names the namespace.
   */
  anchor: { resource: Resource; path: FieldPath } | null;
  /** Pipeline and notebook pod templates running there. */
  sites: PodTemplateSite[];
}

/** What `mlNamespaces` reads. */
export const ML_NAMESPACE_KINDS: readonly KindName[] = unionOfKinds(['kubeflow.org/Profile', 'Namespace'], KUBEFLOW_PRESENCE_KINDS);

const NOTEBOOK_OWNER = new Set(['Notebook']);

/** The `kubeflow` namespace (when Kubeflow is present), every profile namespace, and every namespace running pipelines or notebooks. */
export function mlNamespaces(inventory: Inventory): MlNamespace[] {
  return inventory.memo('mlNamespaces', () => {
    const found = new Map<string, { roles: Set<string>; sites: PodTemplateSite[] }>();
    const add = (name: string, role: string, site?: PodTemplateSite) => {
      const entry = found.get(name) ?? { roles: new Set<string>(), sites: [] };
      entry.roles.add(role);
      if (site) entry.sites.push(site);
      found.set(name, entry);
    };
    for (const profile of inventory.ofKind('kubeflow.org/Profile')) add(profile.ref.name, 'Kubeflow profile namespace');
    for (const namespace of inventory.ofKind('Namespace')) {
      if (isProfileNamespace(namespace.ref.name, inventory)) add(namespace.ref.name, 'Kubeflow profile namespace');
    }
    // First workload per namespace, to point at when the Namespace object is not in the input.
    const firstWorkload = new Map<string, Resource>();
    const ownerOf = templateOwners(inventory);
    for (const site of inventory.podTemplates()) {
      if (!firstWorkload.has(site.namespace)) firstWorkload.set(site.namespace, site.resource);
      if (ownerOf(site.resource)) continue;
      if (isNotebook(site)) add(site.namespace, 'runs notebooks', site);
      else if (isPipelineSpawned(site, inventory)) add(site.namespace, 'runs pipelines', site);
    }
    if (kubeflowPresent(inventory) && (inventory.get('Namespace', null, 'kubeflow') || firstWorkload.has('kubeflow'))) {
      add('kubeflow', 'the Kubeflow namespace');
    }
    return [...found.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, entry]) => ({
        name,
        roles: ROLE_ORDER.filter((role) => entry.roles.has(role)),
        anchor: anchorFor(name, entry.sites[0]?.resource ?? firstWorkload.get(name), inventory),
        sites: entry.sites,
      }));
  });
}

const ROLE_ORDER = ['the Kubeflow namespace', 'Kubeflow profile namespace', 'runs pipelines', 'runs notebooks'];

function anchorFor(name: string, workload: Resource | undefined, inventory: Inventory): MlNamespace['anchor'] {
  const own = inventory.get('Namespace', null, name) ?? inventory.get('kubeflow.org/Profile', null, name);
  if (own) return { resource: own, path: ['metadata', 'name'] };
  return workload ? { resource: workload, path: ['metadata', 'namespace'] } : null;
}

function isNotebook(site: PodTemplateSite): boolean {
  return site.resource.ref.kind === 'Notebook' || 'notebook-name' in site.labels || ownedByKind(site.resource, NOTEBOOK_OWNER);
}
