import { groupOf, qualifiedKind } from '../core/kinds.js';
import type { Finding, Inventory, KubeObject, ObjectRef, Resource } from '../core/types.js';
import { trimBoth } from '../core/text-scan.js';

/** The inventory object a finding is about, or `null` for cluster-level findings. */
export function resourceOf(inventory: Inventory, ref: ObjectRef | null): Resource | null {
  if (!ref) return null;
  return inventory.get(qualifiedKind(groupOf(ref.apiVersion), ref.kind), ref.namespace, ref.name) ?? null;
}

/** The namespace a finding is about: the Namespace or Profile itself, or a workload's namespace. */
export function namespaceOf(finding: Finding): string | null {
  const resource = finding.resource;
  if (!resource) return null;
  if (resource.kind === 'Namespace' || resource.kind === 'Profile') return resource.name;
  return resource.namespace;
}

export function findingsOf(findings: readonly Finding[], ...checkIds: string[]): Finding[] {
  return findings.filter((finding) => checkIds.includes(finding.checkId));
}

/** A file name part from object names: lower case, safe on every file system. */
export function slug(...parts: Array<string | null | undefined>): string {
  const joined = parts
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-');
  return trimBoth(joined, '-').slice(0, 120);
}

/** The object header a strategic-merge patch needs to find its target. */
export function patchHead(target: Resource): Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'> {
  return {
    apiVersion: target.ref.apiVersion,
    kind: target.ref.kind,
    metadata: { name: target.ref.name, ...(target.ref.namespace !== null ? { namespace: target.ref.namespace } : {}) },
  };
}

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'kfscan-remediate' } as const;

/** `Service istio-system/istio-ingressgateway`: the kit names objects as every report does. */
export { describeObject as refText } from '../core/object-ref.js';

/** `kubectl patch service istio-ingressgateway -n istio-system --type strategic --patch-file patches/x.yaml`. */
export function patchCommand(target: ObjectRef, file: string): string {
  const group = target.apiVersion.includes('/') ? `.${target.apiVersion.split('/')[0]}` : '';
  const namespace = target.namespace ? ` -n ${target.namespace}` : '';
  // kubectl patch falls back to a JSON merge patch for custom resources, which has the same effect on these patches.
  const type = group === '' || /^\.(?:apps|batch|networking\.k8s\.io|policy)$/.test(group) ? 'strategic' : 'merge';
  return `kubectl patch ${target.kind.toLowerCase()}${group} ${target.name}${namespace} --type ${type} --patch-file ${file}`;
}

/** Manifest text quoted into a comment or a table must stay on one line and carry no control characters. */
export function oneLine(text: string, max = 400): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}
