import { asArray, asObject, scalarText } from '../core/json.js';
import type { ContainerSite, PodTemplateSite } from '../core/types.js';
import { imageName } from './image-ref.js';

export interface SensorProduct {
  /** `Falco`, `Sysdig agent`, ... */
  product: string;
  falco: boolean;
  /** The container that runs the sensor (Falco's engine container, for its configuration). */
  container: ContainerSite;
}

// The Falco engine under its published names (and its pre-2020 name); sidekick, exporter, falcoctl and
// the driver loader are helpers and detect nothing.
const FALCO_IMAGE = /(?:^|\/)(?:falcosecurity|sysdig)\/falco(?:-no-driver|-distroless)?$/;

// Other runtime threat detection, recognised by image (registry and mirror prefixes ignored). Names of
// third-party products are from vendor documentation; images are matched rather than object names.
const OTHER_SENSORS: ReadonlyArray<{ product: string; image: RegExp }> = [
  { product: 'Sysdig agent', image: /(?:^|\/)sysdig\/agent(?:-slim|-kmodule)?$/ },
  { product: 'Tetragon', image: /(?:^|\/)cilium\/tetragon$/ },
  { product: 'KubeArmor', image: /(?:^|\/)kubearmor\/kubearmor(?:-ubi)?$/ },
  { product: 'Tracee', image: /(?:^|\/)aquasec\/tracee$/ },
  { product: 'Aqua Enforcer', image: /(?:^|\/)(?:aquasec|registry\.aquasec\.com)\/enforcer$/ },
  { product: 'Prisma Cloud Defender', image: /(?:^|\/)twistlock\/defender$/ },
  { product: 'CrowdStrike Falcon sensor', image: /(?:^|\/)falcon-sensor$/ },
  { product: 'Microsoft Defender for Containers', image: /(?:^|\/)azuredefender\/[^/]{0,200}(?:\/[^/]{0,200}){0,4}collector$/ },
  { product: 'Amazon GuardDuty runtime agent', image: /(?:^|\/)aws-guardduty-agent$/ },
  { product: 'NeuVector Enforcer', image: /(?:^|\/)neuvector\/enforcer$/ },
];

// Vendors whose images come from private registries under changing paths: their DaemonSet names, which
// their installers fix, are the stable mark.
const SENSOR_DAEMONSET_NAMES: ReadonlyMap<string, string> = new Map([
  ['twistlock-defender-ds', 'Prisma Cloud Defender'],
  ['microsoft-defender-collector-ds', 'Microsoft Defender for Containers'],
  ['aws-guardduty-agent', 'Amazon GuardDuty runtime agent'],
]);

const DATADOG_AGENT = /(?:^|\/)(?:datadog|datadoghq)\/agent$/;

/**
 * The runtime threat-detection product a pod template runs, if any. Falco is found by its engine image,
 * or by the chart's labels together with a container named `falco` (a private rebuild); a Datadog agent
 * counts only with Cloud Workload Security on, since the plain agent only collects metrics.
 */
export function sensorProduct(pod: PodTemplateSite): SensorProduct | null {
  let product = products.get(pod);
  if (product === undefined) {
    product = findSensorProduct(pod);
    products.set(pod, product);
  }
  return product;
}
// Asked of every container of every pod template (is it a sensor's?), answered once per template: sites
// are made once per object and never change.
const products = new WeakMap<PodTemplateSite, SensorProduct | null>();

function findSensorProduct(pod: PodTemplateSite): SensorProduct | null {
  const runtime = pod.containers.filter((c) => c.type !== 'initContainer');
  for (const container of runtime) {
    const path = imagePath(container);
    if (path !== null && FALCO_IMAGE.test(path)) return { product: 'Falco', falco: true, container };
  }
  const labels = { ...pod.resource.labels, ...pod.labels };
  const falcoLabels = labels['app.kubernetes.io/name'] === 'falco' || (labels['app'] === 'falco' && labels['role'] === 'security');
  const named = runtime.find((c) => c.name === 'falco');
  if (falcoLabels && named) return { product: 'Falco', falco: true, container: named };

  for (const container of runtime) {
    const path = imagePath(container);
    if (path === null) continue;
    const other = OTHER_SENSORS.find((sensor) => sensor.image.test(path));
    if (other) return { product: other.product, falco: false, container };
    if (DATADOG_AGENT.test(path) && runtime.some(datadogRuntimeSecurity)) return { product: 'Datadog Cloud Workload Security', falco: false, container };
  }
  const byName = SENSOR_DAEMONSET_NAMES.get(pod.resource.ref.name);
  if (byName && pod.resource.ref.kind === 'DaemonSet' && runtime[0]) return { product: byName, falco: false, container: runtime[0] };
  return null;
}

/** Datadog's `security-agent` container, or runtime security switched on in the agent's environment. */
function datadogRuntimeSecurity(container: ContainerSite): boolean {
  if (container.name === 'security-agent') return true;
  return asArray(container.container['env']).some((entry) => {
    const env = asObject(entry);
    return env?.['name'] === 'DD_RUNTIME_SECURITY_CONFIG_ENABLED' && scalarText(env['value'])?.toLowerCase() === 'true';
  });
}

export function imagePath(container: ContainerSite): string | null {
  return imageName(container.container['image']);
}
