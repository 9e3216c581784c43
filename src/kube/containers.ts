import { asArray, asObject, asString } from '../core/json.js';
import type { ContainerSite, Inventory, KindName, Resource } from '../core/types.js';
import { POD_TEMPLATE_KINDS } from '../inventory/pod-template-kinds.js';
import { KFP_WORKFLOW_KINDS, kfpV2ComponentSites } from './kfp-v2.js';
import { templateOwners } from './ownership.js';

/** Every kind `workloadContainers` reads containers from: the pod-bearing kinds, KFP v2 workflows among them. */
export const CONTAINER_KINDS: readonly KindName[] = POD_TEMPLATE_KINDS;

export interface WorkloadContainer {
  readonly site: ContainerSite;
  /** The container is a Kubeflow Pipelines v2 component spec held as JSON in the workflow, not a pod spec. */
  readonly kfpComponent: boolean;
}

/**
 * Every container the cluster runs or would run: those of every pod template, plus the KFP v2 component
 * specs whose Argo templates only name a placeholder image. Copies that another input already describes
 * (a Pod of a Deployment in the input, a Workflow's pod running what the Workflow says) are left out, so
 * one problem is reported once, where it is written.
 */
export function workloadContainers(inventory: Inventory): readonly WorkloadContainer[] {
  return inventory.memo('workloadContainers', () => {
    const out: WorkloadContainer[] = [];
    const ownerOf = templateOwners(inventory);
    for (const pod of inventory.podTemplates()) {
      if (ownerOf(pod.resource)) continue;
      const workflow = owningWorkflow(pod.resource, inventory);
      for (const site of pod.containers) {
        if (workflow?.has(signature(site))) continue;
        out.push({ site, kfpComponent: false });
      }
    }
    for (const resource of workflowResources(inventory)) {
      for (const pod of kfpV2ComponentSites(resource)) {
        for (const site of pod.containers) out.push({ site, kfpComponent: true });
      }
    }
    return out;
  });
}

/** The kinds that can hold KFP v2 component specs, in the inventory's order (by group, then kind). */
function workflowResources(inventory: Inventory): Resource[] {
  const resources = [...KFP_WORKFLOW_KINDS].sort().flatMap((kind) => inventory.ofKind(kind));
  return resources.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

function owningWorkflow(resource: Resource, inventory: Inventory): ReadonlySet<string> | null {
  if (resource.ref.kind !== 'Pod') return null;
  for (const entry of asArray(resource.obj.metadata.ownerReferences)) {
    const owner = asObject(entry);
    const name = asString(owner?.['name']);
    if (owner?.['kind'] !== 'Workflow' || !name) continue;
    const workflow = inventory.get('argoproj.io/Workflow', resource.ref.namespace, name);
    if (workflow) return workflowIndex(inventory).get(workflow) ?? null;
  }
  return null;
}

/** Each Workflow's containers by image, command and args, to recognise the pods it started. */
function workflowIndex(inventory: Inventory): ReadonlyMap<Resource, ReadonlySet<string>> {
  return inventory.memo('workflowContainerIndex', () => {
    const index = new Map<Resource, Set<string>>();
    const add = (resource: Resource, site: ContainerSite): void => {
      const set = index.get(resource) ?? new Set<string>();
      set.add(signature(site));
      index.set(resource, set);
    };
    for (const pod of inventory.podTemplates()) {
      if (pod.resource.ref.kind === 'Workflow') for (const site of pod.containers) add(pod.resource, site);
    }
    for (const workflow of inventory.ofKind('argoproj.io/Workflow')) {
      for (const pod of kfpV2ComponentSites(workflow)) for (const site of pod.containers) add(workflow, site);
    }
    return index;
  });
}

// Argo's emissary executor runs the template's command behind `argoexec emissary --`.
function signature(site: ContainerSite): string {
  const { image, args } = site.container;
  let command = asArray(site.container['command']);
  const separator = command.indexOf('--');
  if (typeof command[0] === 'string' && command[0].endsWith('argoexec') && separator !== -1) command = command.slice(separator + 1);
  return JSON.stringify([image ?? null, command.length > 0 ? command : null, args ?? null]);
}

/** `Init container fetch (Worker)`, `Pipeline component train (KFP v2 spec)`: for messages. */
export function containerLabel(site: ContainerSite, kfpComponent: boolean): string {
  if (kfpComponent) return `Pipeline component ${site.pod.role ?? site.name} (KFP v2 spec)`;
  const role = site.pod.role && site.pod.role !== site.name ? ` (${site.pod.role})` : '';
  return `${CONTAINER_TYPE_LABEL[site.type]} ${site.name}${role}`;
}


const CONTAINER_TYPE_LABEL: Record<ContainerSite['type'], string> = {
  container: 'Container',
  initContainer: 'Init container',
  ephemeralContainer: 'Ephemeral container',
  sidecar: 'Sidecar',
  script: 'Script',
};
