import type { KubeObject } from '../../src/core/types.js';

// Validation against the OpenAPI schema of each kind, as published in the kubernetes-models packages
// (generated from Kubernetes' OpenAPI document and, for prometheus-operator, from its CRDs). The models
// check types, required fields, enums, formats (quantities, durations) and patterns; they let unknown
// fields through, as the API server's non-strict decoding does.

const CUSTOM_MODULES: Record<string, string> = {
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
};

/** Throws with the schema errors when the object is not valid for its kind; returns the module used. */
export async function validateAgainstSchema(object: KubeObject): Promise<string> {
  const apiVersion = String(object.apiVersion);
  const base = CUSTOM_MODULES[apiVersion] ?? `kubernetes-models/${apiVersion}`;
  const module = `${base}/${object.kind}`;
  const loaded = (await import(module)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = loaded[object.kind] ?? loaded['default'];
  if (!Model) throw new Error(`no schema model for ${apiVersion} ${object.kind}`);
  new Model(object).validate();
  return module;
}
