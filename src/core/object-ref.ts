import type { ObjectRef, Resource } from './types.js';

/**
 * `Service istio-system/istio-ingressgateway`, `Namespace kubeflow`: the one way reports and messages name an
 * object (kind, then namespace/name, or the name alone for cluster-scoped objects).
 */
export function describeObject(ref: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** `describeObject` of an inventory object. */
export function describeResource(resource: Pick<Resource, 'ref'>): string {
  return describeObject(resource.ref);
}
