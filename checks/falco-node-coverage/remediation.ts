import type { FieldPath } from '../../src/core/types.js';
import type { Finding } from '../../src/core/types.js';
import { clusterNodes, daemonSetPods, nodesWithoutSensor, sensorLabel, WELL_KNOWN_GPU_TAINTS, type RuntimeSensor } from '../../src/kube/falco.js';
import { daemonSetTolerations, toleratesAny, type Taint } from '../../src/kube/scheduling.js';
import { patchHead, refText, slug } from '../../src/remediate/common.js';
import { falcoKitDocuments, nested, newTolerations, ownTolerations, sensorOf, type PartialFix } from '../../src/remediate/falco.js';
import { emptyOutput, type KitContext, type KitContribution } from '../../src/remediate/types.js';

/** Tolerations for the tainted nodes the sensor does not run on. */
const tolerateTaintedNodes: KitContribution = {
  area: 'falco',
  order: 1,
  generate(context) {
    const out = emptyOutput();
    const coverage = new Map<RuntimeSensor, Finding[]>();
    for (const finding of context.own) {
      const sensor = sensorOf(context.inventory, finding);
      if (sensor) coverage.set(sensor, [...(coverage.get(sensor) ?? []), finding]);
      else out.manual.push({ title: 'Nodes without a runtime sensor', findings: [finding], text: ['kfscan could not find the sensor this finding is about.'] });
    }
    for (const [sensor, addressed] of coverage) {
      const fix = tolerationsFix(sensor, context);
      if ('reason' in fix) out.manual.push({ title: `Let ${sensorLabel(sensor)} run on every node`, findings: addressed, text: [fix.reason] });
      else out.fixes.push({ ...fix, candidates: addressed });
    }
    return out;
  },
};

export const remediation: readonly KitContribution[] = [tolerateTaintedNodes, falcoKitDocuments];

function hasLiveStatus(inventory: KitContext['inventory'], sensor: RuntimeSensor): boolean {
  if (sensor.resource.ref.kind !== 'DaemonSet') return false;
  return sensor.resource.obj['status'] !== undefined || daemonSetPods(inventory, sensor.resource).length > 0;
}

function tolerationsFix(sensor: RuntimeSensor, { inventory }: KitContext): PartialFix {
  // With the sensor's live status (its pods, or the DaemonSet's counts) in the input, the fix shows only
  // once the cluster schedules the new pods: an offline rescan keeps the old status and cannot prove it.
  const live = hasLiveStatus(inventory, sensor);
  const own = ownTolerations(sensor);
  const nodes = clusterNodes(inventory);
  const wanted: Taint[] = [];
  if (nodes.length === 0) wanted.push(...WELL_KNOWN_GPU_TAINTS);
  else {
    const tolerations = daemonSetTolerations(sensor.podSpec);
    for (const { node, exclusion } of nodesWithoutSensor(inventory)) {
      if (exclusion.kind !== 'taint') continue;
      for (const taint of node.taints) {
        if ((taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !toleratesAny(tolerations, taint)) wanted.push(taint);
      }
    }
  }
  const added = newTolerations(own, wanted);
  if (added.length === 0) {
    return { reason: `The nodes ${sensorLabel(sensor)} misses are left out by a nodeSelector or node affinity, or it has no ready pod there: remove the selector or affinity that excludes them, or find out why its pods are not ready (\`kubectl get pods -n ${sensor.resource.ref.namespace ?? 'default'} -o wide\`).` };
  }
  const path: FieldPath = sensor.resource.ref.kind === 'Falco' ? ['spec', 'podTemplateSpec', 'spec'] : sensor.podSpecPath;
  const slugName = slug(sensor.resource.ref.namespace, sensor.resource.ref.name);
  const taints = [...new Set(added.map((t) => `${t['key']}${t['value'] ? `=${String(t['value'])}` : ''}:${String(t['effect'])}`))];
  return {
    id: `falco-tolerations-${slugName}`,
    area: 'falco',
    title: `Let ${sensorLabel(sensor)} run on the tainted nodes (${taints.join(', ')})`,
    explanation: [
      `Gives ${refText(sensor.resource.ref)} tolerations for ${taints.join(', ')}${nodes.length === 0 ? ' (the usual GPU node taints: the input has no Node objects, so kfscan predicts them)' : ' (taints of the nodes it does not run on)'}, keeping the ones it has. Tolerations have no merge key, so the patch carries the whole list.`,
      'A sensor must run on every node, GPU nodes above all, where the 2021 miners ran. Check `kubectl get ds -n ' + (sensor.resource.ref.namespace ?? 'default') + '` afterwards: DESIRED and READY should equal the number of nodes. With Helm, set the same list as `tolerations` in the values (falco/values.yaml has it).',
      ...(live
        ? [
            'Not provable offline: the findings come from the cluster\'s status (where the sensor\'s pods run), which only changes once the DaemonSet rolls out onto the tainted nodes; kfscan\'s rescan of the objects with the kit applied cannot show that. Confirm with `kubectl get ds` and `kfscan cluster` after applying.',
          ]
        : []),
    ],
    provableOffline: !live,
    manifests: [
      {
        path: `patches/${sensor.resource.ref.kind.toLowerCase()}-${slugName}-tolerations.yaml`,
        role: 'patch',
        objects: [nested(patchHead(sensor.resource), path, { tolerations: [...own, ...added] })],
        target: sensor.resource.ref,
      },
    ],
    addresses: [],
  };
}
