import { asObject, asString } from '../core/json.js';
import type { Inventory, PodTemplateSite, Resource } from '../core/types.js';
import { serviceSelector } from '../inventory/inventory.js';
import { stringMap } from '../inventory/resource.js';
import type { ServiceHost } from './hosts.js';


export function serviceType(service: Resource): string {
  return asString(asObject(service.obj['spec'])?.['type']) ?? 'ClusterIP';
}

/** A Service's selector as labels; empty when it has none (headless, ExternalName, manual Endpoints). */
export function selectorLabels(service: Resource): Record<string, string> {
  return stringMap(serviceSelector(service));
}

/** Pod templates a Service sends traffic to: same namespace, matching its (non-empty) selector. */
export function podsBehindService(inventory: Inventory, service: Resource): readonly PodTemplateSite[] {
  const selector = selectorLabels(service);
  if (Object.keys(selector).length === 0) return [];
  return inventory.podTemplatesMatching(service.ref.namespace ?? 'default', selector);
}

/** Services a host names; with an unknown (placeholder) namespace, every Service of that name. */
export function servicesForHost(inventory: Inventory, host: ServiceHost): readonly Resource[] {
  if (host.namespace !== null) {
    const found = inventory.get('Service', host.namespace, host.name);
    return found ? [found] : [];
  }
  return inventory.ofKind('Service').filter((service) => service.ref.name === host.name);
}
