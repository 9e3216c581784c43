import { describeResource } from '../../src/core/object-ref.js';
import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import { remediation } from './remediation.js';
import { asObject } from '../../src/core/json.js';
import type { Draft, FieldPath, Inventory, RelatedLocation } from '../../src/core/types.js';
import {
  clusterNodes,
  daemonSetPods,
  gpuHint,
  nodeSensors,
  nodesWithoutSensor,
  podNode,
  podReady,
  sensorLabel,
  sensorsTolerateGpuTaints,
  type ClusterNode,
  type RuntimeSensor,
} from '../../src/kube/falco.js';
import { describeExclusion, type Exclusion } from '../../src/kube/scheduling.js';
import { unionOfKinds } from '../../src/core/kinds.js';
import { POD_TEMPLATE_KINDS } from '../../src/inventory/pod-template-kinds.js';
import { FALCO_KIT_READS } from '../../src/remediate/falco.js';

const check = defineBuiltinCheck({
  meta: {
    id: 'falco-node-coverage',
    title: 'Runtime sensor does not cover every node',
    category: 'falco-missing',
    severity: 'high',
    description:
      'Falco (or an equivalent DaemonSet sensor) cannot run on some nodes: taints it does not tolerate (GPU taints above all), a nodeSelector or required node affinity that leaves them out. With Node objects the nodes are named; without them kfscan predicts for the usual GPU taints, and only when the input shows GPUs (a GPU request, the NVIDIA device plugin or GPU Operator, a workload made for GPU node pools). With live status (Pods, DaemonSet status) it also reports nodes where no sensor pod is ready. High on GPU nodes, medium otherwise.',
    rationale:
      'The 2021 attackers mined on GPUs with Ethminer. GPU node pools are usually tainted (GKE adds nvidia.com/gpu=present:NoSchedule by itself) and the Falco chart tolerates only control-plane taints, so the nodes that matter most are the ones Falco never runs on.',
    remediation:
      'Give the sensor DaemonSet tolerations for every taint in the cluster (`tolerations: [{operator: Exists}]` covers all), drop nodeSelector/affinity rules that leave nodes out, and check `kubectl get ds -n falco` shows as many ready pods as there are nodes.',
    tags: ['MS-TA9039'],
    // FALCO_KIT_READS: the kit's miner rules name the Kubeflow namespaces, its Helm values tolerate the nodes' taints.
    needs: unionOfKinds(['apps/DaemonSet', 'Node', 'Pod', 'instance.falcosecurity.dev/Falco'], POD_TEMPLATE_KINDS, FALCO_KIT_READS),
    absence: true,
  },
  *run(inventory) {
    const sensors = nodeSensors(inventory);
    const primary = sensors[0];
    if (!primary) return;
    const nodes = clusterNodes(inventory);
    if (nodes.length === 0) {
      yield* predictGpuCoverage(inventory, primary);
      yield* statusWithoutNodes(primary);
      return;
    }
    yield* excludedNodes(inventory, sensors, primary);
    yield* liveCoverage(inventory, sensors, primary, nodes);
  },
  attackPath: ['detection'],
  remediation,
});

/** Nodes no sensor can be scheduled on, grouped by GPU and reason. */
function* excludedNodes(inventory: Inventory, sensors: readonly RuntimeSensor[], primary: RuntimeSensor): Generator<Draft> {
  const groups = new Map<string, { gpu: boolean; exclusion: Exclusion; nodes: ClusterNode[] }>();
  for (const { node, exclusion } of nodesWithoutSensor(inventory)) {
    const reason = describeExclusion(exclusion);
    const groupKey = `${node.gpu}\0${reason}`;
    const group = groups.get(groupKey) ?? { gpu: node.gpu, exclusion, nodes: [] };
    group.nodes.push(node);
    groups.set(groupKey, group);
  }
  const subject = sensors.length === 1 ? `${sensorLabel(primary)} cannot run` : `None of the runtime sensors (${sensors.map(sensorLabel).join(', ')}) can run`;
  for (const [groupKey, group] of [...groups].sort(([a], [b]) => (a < b ? 1 : -1))) {
    yield {
      resource: primary.resource,
      path: exclusionPath(primary, group.exclusion),
      severity: group.gpu ? 'high' : 'medium',
      key: groupKey,
      message: `${subject} on ${nodeList(group.nodes, group.gpu)}: ${describeExclusion(group.exclusion)}${sensors.length > 1 ? ` by ${sensorLabel(primary)}` : ''}${group.gpu ? ', so a GPU miner there goes unseen' : ''}`,
      related: nodesRelated(group.nodes),
    };
  }
}

/**
 * Where the sensor really runs: with its Pods in the input, the nodes it can run on that have no ready
 * sensor pod; with only the DaemonSet status, its ready count against those nodes.
 */
function* liveCoverage(inventory: Inventory, sensors: readonly RuntimeSensor[], primary: RuntimeSensor, nodes: readonly ClusterNode[]): Generator<Draft> {
  const excluded = new Set(nodesWithoutSensor(inventory).map((u) => u.node.name));
  const eligible = nodes.filter((node) => !excluded.has(node.name));
  const pods = sensors.flatMap((sensor) => (sensor.resource.ref.kind === 'DaemonSet' ? daemonSetPods(inventory, sensor.resource) : []));
  if (pods.length > 0) {
    const ready = new Set(pods.filter(podReady).map(podNode).filter((n): n is string => n !== null));
    const missing = eligible.filter((node) => !ready.has(node.name));
    for (const gpu of [true, false]) {
      const group = missing.filter((node) => node.gpu === gpu);
      if (group.length === 0) continue;
      yield {
        resource: primary.resource,
        path: primary.resource.ref.kind === 'DaemonSet' ? ['status'] : primary.podSpecPath,
        severity: gpu ? 'high' : 'medium',
        key: `live/${gpu}`,
        message: `${sensorLabel(primary)}${sensors.length > 1 ? ' (or another runtime sensor)' : ''} has no ready pod on ${nodeList(group, gpu)} it can run on${gpu ? ', so a GPU miner there goes unseen' : ''}`,
        related: nodesRelated(group),
      };
    }
    return;
  }
  const status = daemonSetStatus(primary);
  if (!status || sensors.length > 1 || status.ready >= eligible.length) return;
  yield {
    resource: primary.resource,
    path: ['status', 'numberReady'],
    severity: 'medium',
    key: 'live/status',
    message: `${sensorLabel(primary)} reports ${status.ready} ready pod${status.ready === 1 ? '' : 's'} (status.numberReady; desiredNumberScheduled ${status.desired}) for the ${eligible.length} node${eligible.length === 1 ? '' : 's'} it can run on`,
  };
}

/**
 * Without Node objects: would the sensors run on nodes with the usual GPU taints? Predicted only when the
 * input shows GPU nodes exist (a GPU request, the NVIDIA device plugin or GPU Operator, a workload made
 * for GPU node pools): without GPUs there is no GPU taint to miss.
 */
function* predictGpuCoverage(inventory: Inventory, primary: RuntimeSensor): Generator<Draft> {
  if (sensorsTolerateGpuTaints(inventory)) return;
  const hint = gpuHint(inventory);
  if (!hint) return;
  yield {
    resource: primary.resource,
    path: [...primary.podSpecPath, 'tolerations'],
    severity: 'high',
    key: 'predicted-gpu',
    message: `${sensorLabel(primary)} tolerates none of the usual GPU node taints (nvidia.com/gpu, sku=gpu, amd.com/gpu), so it would not run on GPU node pools tainted that way (GKE taints them nvidia.com/gpu=present:NoSchedule by default) and a GPU miner there would go unseen; predicted, as the input has no Node objects; ${describeResource(hint.site.resource)} ${hint.text}, so the cluster has GPU nodes`,
    related: [{ resource: hint.site.resource, path: hint.site.path, note: 'GPU evidence' }],
  };
}

function* statusWithoutNodes(primary: RuntimeSensor): Generator<Draft> {
  const status = daemonSetStatus(primary);
  if (!status || status.ready >= status.desired) return;
  yield {
    resource: primary.resource,
    path: ['status', 'numberReady'],
    severity: 'medium',
    key: 'live/status',
    message: `${sensorLabel(primary)} has ${status.ready} ready pod${status.ready === 1 ? '' : 's'} of ${status.desired} scheduled (status.numberReady, status.desiredNumberScheduled): the other nodes run without it`,
  };
}

function daemonSetStatus(sensor: RuntimeSensor): { ready: number; desired: number } | null {
  if (sensor.resource.ref.kind !== 'DaemonSet') return null;
  const status = asObject(sensor.resource.obj['status']);
  const ready = status?.['numberReady'];
  const desired = status?.['desiredNumberScheduled'];
  return typeof ready === 'number' && typeof desired === 'number' ? { ready, desired } : null;
}

function exclusionPath(sensor: RuntimeSensor, exclusion: Exclusion): FieldPath {
  switch (exclusion.kind) {
    case 'taint':
      return [...sensor.podSpecPath, 'tolerations'];
    case 'node-selector':
      return [...sensor.podSpecPath, 'nodeSelector', exclusion.key];
    case 'affinity':
      return [...sensor.podSpecPath, 'affinity', 'nodeAffinity'];
  }
}

function nodeList(nodes: readonly ClusterNode[], gpu: boolean): string {
  const names = nodes.slice(0, 5).map((n) => n.name);
  const more = nodes.length > 5 ? ` and ${nodes.length - 5} more` : '';
  return `${nodes.length} ${gpu ? 'GPU ' : ''}node${nodes.length === 1 ? '' : 's'} (${names.join(', ')}${more})`;
}

function nodesRelated(nodes: readonly ClusterNode[]): RelatedLocation[] {
  return nodes.slice(0, 3).map((node) => ({ resource: node.resource, path: node.taints.length > 0 ? ['spec', 'taints'] : [], note: 'node without the sensor' }));
}


export default check;
