import type { Resource } from '../core/types.js';

/** `Prometheus monitoring/k8s`, `Namespace team-a`: how messages name an object. */
export function describeResource(resource: Resource): string {
  return `${resource.ref.kind} ${resource.ref.namespace ? `${resource.ref.namespace}/` : ''}${resource.ref.name}`;
}
