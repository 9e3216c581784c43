import { asObject } from '../core/json.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Drops the parts of a live object that no check reads and that make up much of its size, so that a
 * cluster of 50,000 pods fits in memory: `managedFields` (often a third of a pod's JSON), the copy of the
 * whole object kubectl keeps in the last-applied annotation, ConfigMap `binaryData`, and the image list
 * nodes report (dozens of long names per node). Spec, labels, annotations, owner references and status
 * stay: checks read pod phases, load balancer addresses, node addresses and taints, DaemonSet counts.
 */
export function pruneLiveObject(object: Record<string, unknown>, kind: string): void {
  const metadata = asObject(object['metadata']);
  if (metadata) {
    delete metadata['managedFields'];
    const annotations = asObject(metadata['annotations']);
    if (annotations) delete annotations[LAST_APPLIED];
  }
  if (kind === 'ConfigMap') delete object['binaryData'];
  if (kind === 'Node') delete asObject(object['status'])?.['images'];
}
