import type { ObjectRef } from './types.js';

/** `Service istio-system/istio-ingressgateway`, `Namespace kubeflow`: how reports name an object. */
export function describeObject(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
