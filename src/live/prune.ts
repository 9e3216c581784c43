import { asObject } from '../core/json.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
// Longer strings (scripts, configuration files) rarely repeat; pooling them would only cost lookups.
const POOLED_LENGTH = 128;

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

/**
 * Makes equal strings one string. Thousands of pods repeat the same namespaces, images, labels, mount
 * paths and tolerations; JSON.parse gives each its own copy. Sharing them cuts a large cluster's objects
 * by about a third. One pool per context, dropped with it.
 */
export class StringPool {
  private readonly strings = new Map<string, string>();

  share(value: unknown): unknown {
    if (typeof value === 'string') {
      if (value.length > POOLED_LENGTH) return value;
      const pooled = this.strings.get(value);
      if (pooled !== undefined) return pooled;
      this.strings.set(value, value);
      return value;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = this.share(value[i]);
    } else if (typeof value === 'object' && value !== null) {
      const object = value as Record<string, unknown>;
      for (const key of Object.keys(object)) object[key] = this.share(object[key]);
    }
    return value;
  }
}
