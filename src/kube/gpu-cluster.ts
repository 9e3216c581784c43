import { asObject, dig } from '../core/json.js';
import { describeResource } from '../core/object-ref.js';
import type { Inventory, PodTemplateSite, Resource } from '../core/types.js';
import { templateOwners } from './ownership.js';

const GPU_RESOURCE = 'nvidia.com/gpu';

export interface GpuEvidence {
  /** Nodes with `nvidia.com/gpu` capacity or the GPU feature-discovery label. */
  nodes: Resource[];
  /** Workloads that request GPUs: they can only run where GPUs are. */
  workloads: PodTemplateSite[];
}

/** Whether the cluster has NVIDIA GPUs, and what shows it. */
export function gpuEvidence(inventory: Inventory): GpuEvidence {
  return inventory.memo('gpuEvidence', () => {
    const ownerOf = templateOwners(inventory);
    return {
      nodes: inventory.ofKind('Node').filter(isGpuNode),
      workloads: inventory.podTemplates().filter((site) => !ownerOf(site.resource) && requestsGpu(site)),
    };
  });
}

export function isGpuCluster(inventory: Inventory): boolean {
  const evidence = gpuEvidence(inventory);
  return evidence.nodes.length > 0 || evidence.workloads.length > 0;
}

export function isGpuNode(node: Resource): boolean {
  if (node.labels['nvidia.com/gpu.present'] === 'true') return true;
  return ['capacity', 'allocatable'].some((field) => positive(asObject(dig(node.obj, 'status', field))?.[GPU_RESOURCE]));
}

/** Whether a pod template asks for NVIDIA GPUs (limits or requests). */
export function requestsGpu(site: PodTemplateSite): boolean {
  return site.containers.some((container) => {
    const resources = asObject(container.container['resources']);
    return ['limits', 'requests'].some((field) => positive(asObject(resources?.[field])?.[GPU_RESOURCE]));
  });
}

function positive(value: unknown): boolean {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(number) && number > 0;
}

/** For messages: `GPU node gpu-1` or `workload requesting nvidia.com/gpu: Notebook team-a/train`. */
export function describeGpuEvidence(evidence: GpuEvidence): string {
  const node = evidence.nodes[0];
  if (node) return evidence.nodes.length > 1 ? `${evidence.nodes.length} GPU nodes, e.g. ${node.ref.name}` : `GPU node ${node.ref.name}`;
  const workload = evidence.workloads[0]?.resource;
  if (!workload) return 'no GPUs';
  const name = describeResource(workload);
  return evidence.workloads.length > 1 ? `${evidence.workloads.length} workloads requesting nvidia.com/gpu, e.g. ${name}` : `workload requesting nvidia.com/gpu: ${name}`;
}
