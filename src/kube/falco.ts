import { asArray, asObject, asString, scalarText, type JsonObject } from '../core/json.js';
import { describeObject } from '../core/object-ref.js';
import type { ContainerSite, FieldPath, Inventory, PodTemplateSite, Resource } from '../core/types.js';
import { stringMap } from '../inventory/resource.js';
import { chartFalcoRuleSources, operatorFalcoRuleSources, type FalcoRuleSources } from './falco-config.js';
import { evaluateRules, type RuleState } from './falco-rules.js';
import { parseImageRef } from './image-ref.js';
import { sensorProduct } from './runtime-sensors.js';
import { daemonSetExclusion, parseTaints, parseTolerations, toleratesAny, type Exclusion, type SchedulingNode, type Taint } from './scheduling.js';

/** A runtime threat-detection deployment: Falco or an equivalent product. */
export interface RuntimeSensor {
  resource: Resource;
  product: string;
  falco: boolean;
  /** Only a DaemonSet watches every node's syscalls; a Deployment-mode Falco runs plugins (audit logs). */
  mode: 'daemonset' | 'deployment';
  /** The pod spec that decides where it runs, and its path in the resource. */
  podSpec: JsonObject;
  podSpecPath: FieldPath;
  pod: PodTemplateSite | null;
  container: ContainerSite | null;
  /** Run by the Falco operator, whose Rulesfile objects hold its rules. */
  operatorNamespace: string | null;
}

export interface ClusterNode extends SchedulingNode {
  resource: Resource;
  gpu: boolean;
}

const SENSOR_KINDS = new Set(['DaemonSet', 'Deployment', 'StatefulSet']);
const FALCO_CR = 'instance.falcosecurity.dev/Falco';
// The Falco operator's DaemonSet tolerates these unless its podTemplateSpec adds more.
const OPERATOR_DEFAULT_TOLERATIONS = [
  { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' },
  { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
];

/**
 * Taints GPU node pools carry: GKE adds `nvidia.com/gpu=present:NoSchedule` itself, EKS and AKS guides and
 * the NVIDIA GPU operator use `nvidia.com/gpu:NoSchedule`, AKS also `sku=gpu:NoSchedule`, AMD `amd.com/gpu`.
 */
export const WELL_KNOWN_GPU_TAINTS: readonly Taint[] = [
  { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
  { key: 'nvidia.com/gpu', value: '', effect: 'NoSchedule' },
  { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' },
  { key: 'sku', value: 'gpu', effect: 'NoSchedule' },
  { key: 'amd.com/gpu', value: '', effect: 'NoSchedule' },
];
const GPU_RESOURCE = /^(?:nvidia\.com\/gpu|amd\.com\/gpu|gpu\.intel\.com\/.+|nvidia\.com\/mig-.+)$/;
const GPU_LABELS = ['nvidia.com/gpu.present', 'nvidia.com/gpu.count', 'nvidia.com/gpu.product', 'cloud.google.com/gke-accelerator', 'k8s.amazonaws.com/accelerator', 'accelerator', 'feature.node.kubernetes.io/pci-10de.present'];

/** Every runtime sensor in the input, Falco first, in a stable order. Computed once per inventory. */
export function runtimeSensors(inventory: Inventory): readonly RuntimeSensor[] {
  return inventory.memo('falco.runtimeSensors', () => {
    const sensors: RuntimeSensor[] = [];
    for (const pod of inventory.podTemplates()) {
      const kind = pod.resource.ref.kind;
      if (!SENSOR_KINDS.has(kind) || pod.resource.group !== 'apps') continue;
      const match = sensorProduct(pod);
      if (!match) continue;
      const ownerCr = asArray(pod.resource.obj.metadata.ownerReferences).some((o) => asObject(o)?.['kind'] === 'Falco');
      sensors.push({
        resource: pod.resource,
        product: match.product,
        falco: match.falco,
        mode: kind === 'DaemonSet' ? 'daemonset' : 'deployment',
        podSpec: pod.spec,
        podSpecPath: pod.path,
        pod,
        container: match.container,
        operatorNamespace: ownerCr ? pod.namespace : null,
      });
    }
    for (const cr of inventory.ofKind(FALCO_CR)) {
      if (sensors.some((s) => s.operatorNamespace === cr.ref.namespace && ownedBy(s.resource, cr))) continue;
      const spec = asObject(cr.obj['spec']) ?? {};
      const template = asObject(asObject(spec['podTemplateSpec'])?.['spec']) ?? {};
      sensors.push({
        resource: cr,
        product: 'Falco',
        falco: true,
        mode: asString(spec['type']) === 'Deployment' ? 'deployment' : 'daemonset',
        podSpec: { ...template, tolerations: [...OPERATOR_DEFAULT_TOLERATIONS, ...asArray(template['tolerations'])] },
        podSpecPath: ['spec', 'podTemplateSpec', 'spec'],
        pod: null,
        container: null,
        operatorNamespace: cr.ref.namespace ?? '',
      });
    }
    return sensors.sort(
      (a, b) => Number(b.falco) - Number(a.falco) || key(a.resource).localeCompare(key(b.resource)),
    );
  });
}

/** The sensors that watch nodes: DaemonSets (and operator Falco instances of DaemonSet type). */
export function nodeSensors(inventory: Inventory): readonly RuntimeSensor[] {
  return runtimeSensors(inventory).filter((s) => s.mode === 'daemonset');
}

/**
 * Nodes that run ordinary workloads. Virtual nodes (virtual-kubelet, EKS Fargate) run pods outside any
 * node a DaemonSet could watch, and Windows nodes are outside Falco's and most sensors' reach; both are
 * left out rather than reported.
 */
export function clusterNodes(inventory: Inventory): readonly ClusterNode[] {
  return inventory.memo('falco.clusterNodes', () =>
    inventory
      .ofKind('Node')
      .filter((node) => {
        const labels = node.labels;
        if (labels['type'] === 'virtual-kubelet' || labels['eks.amazonaws.com/compute-type'] === 'fargate') return false;
        return (labels['kubernetes.io/os'] ?? labels['beta.kubernetes.io/os'] ?? 'linux') !== 'windows';
      })
      .map((node) => {
        const taints = parseTaints(asObject(node.obj['spec'])?.['taints']);
        return { resource: node, name: node.ref.name, labels: node.labels, taints, gpu: isGpuNode(node, taints) };
      })
      .sort((a, b) => a.name.localeCompare(b.name)),
  );
}

export interface UncoveredNode {
  node: ClusterNode;
  /** Why the primary sensor (Falco when there is one) does not run there. */
  exclusion: Exclusion;
}

/** Nodes on which no node sensor can get a pod, by the sensors' tolerations, nodeSelector and affinity. */
export function nodesWithoutSensor(inventory: Inventory): readonly UncoveredNode[] {
  return inventory.memo('falco.nodesWithoutSensor', () => {
    const sensors = nodeSensors(inventory);
    if (sensors.length === 0) return [];
    const out: UncoveredNode[] = [];
    for (const node of clusterNodes(inventory)) {
      const exclusions = sensors.map((sensor) => daemonSetExclusion(sensor.podSpec, node));
      if (exclusions.every((e) => e !== null)) out.push({ node, exclusion: exclusions[0]! });
    }
    return out;
  });
}

/** Whether any node sensor tolerates at least one of the usual GPU taints. */
export function sensorsTolerateGpuTaints(inventory: Inventory): boolean {
  return nodeSensors(inventory).some((sensor) => {
    const tolerations = parseTolerations(sensor.podSpec['tolerations']);
    return WELL_KNOWN_GPU_TAINTS.some((taint) => toleratesAny(tolerations, taint));
  });
}

// What installs or serves GPUs: NVIDIA's device plugin (also GKE's), GPU Operator and DCGM exporter,
// AMD's device plugin. They run only where GPU nodes are (or are about to be).
const GPU_STACK_IMAGES = /(?:^|\/)(?:nvidia\/k8s-device-plugin|nvidia-gpu-device-plugin|nvidia\/gpu-operator|cloud-native\/gpu-operator|gpu-operator|k8s\/dcgm-exporter|nvidia\/dcgm-exporter|dcgm-exporter|rocm\/k8s-device-plugin)$/;

/** What in the input shows that the cluster has GPU nodes, with its object; `null` when nothing does. */
export interface GpuHint {
  site: PodTemplateSite;
  /** `requests GPUs`, `runs nvidia/k8s-device-plugin`, `is scheduled onto GPU nodes (nodeSelector cloud.google.com/gke-accelerator)`. */
  text: string;
}

/**
 * GPU evidence in manifests without Node objects: a workload that requests GPUs, the NVIDIA device
 * plugin, GPU Operator or DCGM exporter (or AMD's device plugin), or a workload made to run on GPU node
 * pools (tolerating a GPU taint, or selecting nodes by a GPU label). Runtime sensors' own tolerations
 * say nothing about the cluster and are left out.
 */
export function gpuHint(inventory: Inventory): GpuHint | null {
  return inventory.memo('falco.gpuHint', () => {
    const sensors = new Set(runtimeSensors(inventory).map((sensor) => sensor.resource));
    let fallback: GpuHint | null = null;
    for (const site of inventory.podTemplates()) {
      for (const container of site.containers) {
        const resources = asObject(container.container['resources']);
        const keys = [...Object.keys(asObject(resources?.['limits']) ?? {}), ...Object.keys(asObject(resources?.['requests']) ?? {})];
        if (keys.some((k) => GPU_RESOURCE.test(k))) return { site, text: 'requests GPUs' };
        const image = typeof container.container['image'] === 'string' ? parseImageRef(container.container['image']) : null;
        if (!fallback && image && GPU_STACK_IMAGES.test(`${image.registry}/${image.repository}`)) fallback = { site, text: `runs ${image.repository}` };
      }
      if (fallback || sensors.has(site.resource)) continue;
      const selector = Object.keys(asObject(site.spec['nodeSelector']) ?? {}).find((key) => GPU_LABELS.includes(key));
      if (selector) fallback = { site, text: `is scheduled onto GPU nodes (nodeSelector ${selector})` };
      const toleration = parseTolerations(site.spec['tolerations']).find((t) => /^(?:nvidia\.com\/gpu|amd\.com\/gpu)$/.test(t.key));
      if (!fallback && toleration) fallback = { site, text: `tolerates the GPU node taint ${toleration.key}` };
    }
    return fallback;
  });
}

/** Pods of a DaemonSet (live input), by owner reference. */
export function daemonSetPods(inventory: Inventory, daemonSet: Resource): readonly Resource[] {
  const index = inventory.memo('falco.daemonSetPods', () => {
    const map = new Map<string, Resource[]>();
    for (const pod of inventory.ofKind('Pod')) {
      for (const entry of asArray(pod.obj.metadata.ownerReferences)) {
        const owner = asObject(entry);
        if (owner?.['kind'] !== 'DaemonSet' || typeof owner['name'] !== 'string') continue;
        const k = `${pod.ref.namespace}\0${owner['name']}`;
        const list = map.get(k);
        if (list) list.push(pod);
        else map.set(k, [pod]);
      }
    }
    return map;
  });
  return index.get(`${daemonSet.ref.namespace}\0${daemonSet.ref.name}`) ?? [];
}

export function podReady(pod: Resource): boolean {
  const conditions = asArray(asObject(pod.obj['status'])?.['conditions']);
  return conditions.some((c) => asObject(c)?.['type'] === 'Ready' && asObject(c)?.['status'] === 'True');
}

export function podNode(pod: Resource): string | null {
  return asString(asObject(pod.obj['spec'])?.['nodeName']);
}

export interface FalcoRulesAnalysis {
  sources: FalcoRuleSources;
  rules: ReadonlyMap<string, RuleState>;
}

/** The rules a Falco sensor ends up running, from its manifests. Computed once per sensor. */
export function falcoRules(inventory: Inventory, sensor: RuntimeSensor): FalcoRulesAnalysis {
  return inventory.memo(`falco.rules\0${key(sensor.resource)}`, () => {
    const sources =
      sensor.operatorNamespace !== null || !sensor.pod || !sensor.container
        ? operatorFalcoRuleSources(sensor.operatorNamespace ?? sensor.resource.ref.namespace ?? '', inventory)
        : chartFalcoRuleSources(sensor.pod, sensor.container, inventory);
    return { sources, rules: evaluateRules(sources.files, sources.selection, sources.minimumPriority, sources.priorityAt) };
  });
}

function isGpuNode(node: Resource, taints: readonly Taint[]): boolean {
  const status = asObject(node.obj['status']);
  for (const field of ['capacity', 'allocatable']) {
    for (const [name, value] of Object.entries(asObject(status?.[field]) ?? {})) {
      if (GPU_RESOURCE.test(name) && Number.parseInt(scalarText(value) ?? '', 10) > 0) return true;
    }
  }
  const labels = stringMap(node.obj.metadata.labels);
  if (GPU_LABELS.some((label) => label in labels && labels[label] !== 'false')) return true;
  return taints.some((taint) => WELL_KNOWN_GPU_TAINTS.some((gpu) => gpu.key === taint.key && (gpu.key !== 'sku' || taint.value === 'gpu')));
}

function ownedBy(resource: Resource, owner: Resource): boolean {
  return asArray(resource.obj.metadata.ownerReferences).some((o) => asObject(o)?.['kind'] === owner.ref.kind && asObject(o)?.['name'] === owner.ref.name);
}

function key(resource: Resource): string {
  return `${resource.ref.kind}\0${resource.ref.namespace ?? ''}\0${resource.ref.name}`;
}

/** `Falco DaemonSet falco/falco`, `Sysdig agent DaemonSet sysdig/sysdig-agent`, `Falco instance falco/falco`. */
export function sensorLabel(sensor: RuntimeSensor): string {
  const kind = sensor.resource.ref.kind === 'Falco' ? 'instance' : sensor.resource.ref.kind;
  return `${sensor.product} ${describeObject({ ...sensor.resource.ref, kind })}`;
}
