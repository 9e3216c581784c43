import type { ContainerSite, FieldPath, PodTemplateSite, Resource } from '../core/types.js';
import { asObject, type JsonObject } from '../core/json.js';
import { stringMap } from './resource.js';
import { append } from '../core/arrays.js';

type Json = JsonObject;

interface RawSite {
  path: FieldPath;
  spec: Json;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  serviceAccountName: string | null;
  role: string | null;
  /** Argo templates and trainer specs hold containers in their own shapes, not a PodSpec. */
  shape: 'pod' | 'argo' | 'single';
}

const WORKLOAD_TEMPLATE_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'Notebook',
  'Rollout',
  'DeploymentConfig',
]);
const ARGO_KINDS = new Set(['Workflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate']);
// Paths are read-only: the sites of every Pod, and of every Deployment, share theirs.
const POD_SPEC: FieldPath = ['spec'];
const WORKLOAD_TEMPLATE: FieldPath = ['spec', 'template'];
const CRONJOB_TEMPLATE: FieldPath = ['spec', 'jobTemplate', 'spec', 'template'];
const extendedPaths = new WeakMap<FieldPath, Map<string, FieldPath>>();

/** `base` + `relative`, one array for all sites that share `base`. */
function extend(base: FieldPath, relative: FieldPath): FieldPath {
  let known = extendedPaths.get(base);
  if (!known) {
    known = new Map();
    extendedPaths.set(base, known);
  }
  const key = relative.join('\0');
  let path = known.get(key);
  if (!path) {
    path = [...base, ...relative];
    known.set(key, path);
  }
  return path;
}
const INFERENCE_COMPONENTS = ['predictor', 'transformer', 'explainer'];

// Sites depend on the resource alone: live mode extracts them as pages arrive, the inventory then finds them.
const extracted = new WeakMap<Resource, PodTemplateSite[]>();

/**
 * Every place in a resource that defines containers, whatever the kind: the Kubernetes workloads,
 * Argo workflows (the way Kubeflow Pipelines runs), training-operator jobs, Kubeflow notebooks, KServe,
 * Katib and Trainer. Checks that look at images or commands read these instead of walking kinds.
 */
export function extractPodTemplates(resource: Resource): PodTemplateSite[] {
  let sites = extracted.get(resource);
  if (!sites) {
    sites = rawSites(resource).map((raw) => buildSite(resource, raw));
    extracted.set(resource, sites);
  }
  return sites;
}


function rawSites(resource: Resource): RawSite[] {
  const obj = resource.obj as Json;
  const spec = asObject(obj['spec']);
  const kind = resource.ref.kind;
  if (kind === 'Pod') return spec ? [podSite(POD_SPEC, spec, resource.labels, resource.annotations, null)] : [];
  if (kind === 'PodTemplate') return templateSite(['template'], obj['template'], null);
  if (!spec) return [];

  if (kind === 'CronJob') return templateSite(CRONJOB_TEMPLATE, asObject(asObject(spec['jobTemplate'])?.['spec'])?.['template'], null);
  if (WORKLOAD_TEMPLATE_KINDS.has(kind)) return templateSite(WORKLOAD_TEMPLATE, spec['template'], null);
  if (ARGO_KINDS.has(kind)) return argoSites(['spec'], spec);
  if (kind === 'CronWorkflow') return argoSites(['spec', 'workflowSpec'], asObject(spec['workflowSpec']));
  if (kind === 'ScheduledWorkflow') {
    return argoSites(['spec', 'workflow', 'spec'], asObject(asObject(spec['workflow'])?.['spec']));
  }
  if (kind === 'InferenceService') {
    return INFERENCE_COMPONENTS.flatMap((component) => {
      const part = asObject(spec[component]);
      return part ? [podSite(['spec', component], part, {}, {}, component)] : [];
    });
  }
  if (kind === 'ServingRuntime' || kind === 'ClusterServingRuntime') {
    // A runtime's spec is a pod spec (containers, volumes, ...); multi-node runtimes add `workerSpec`.
    const worker = asObject(spec['workerSpec']);
    return [podSite(POD_SPEC, spec, {}, {}, 'runtime'), ...(worker ? [podSite(['spec', 'workerSpec'], worker, {}, {}, 'worker')] : [])];
  }
  if (kind === 'Experiment') {
    // A trial is usually a Job, but may be a TFJob or PyTorchJob with replica specs.
    const trialJobSpec = asObject(asObject(asObject(spec['trialTemplate'])?.['trialSpec'])?.['spec']);
    const trialPath: FieldPath = ['spec', 'trialTemplate', 'trialSpec', 'spec'];
    const replicas = trialJobSpec ? replicaSpecSites(trialJobSpec, trialPath) : [];
    return replicas.length > 0 ? replicas : templateSite([...trialPath, 'template'], trialJobSpec?.['template'], 'trial');
  }
  if (kind === 'TrainJob') {
    const trainer = asObject(spec['trainer']);
    return trainer ? [{ path: ['spec', 'trainer'], spec: trainer, labels: {}, annotations: {}, serviceAccountName: null, role: 'trainer', shape: 'single' }] : [];
  }
  if (kind === 'TrainingRuntime' || kind === 'ClusterTrainingRuntime' || kind === 'JobSet') {
    return jobSetSites(kind === 'JobSet' ? ['spec'] : ['spec', 'template', 'spec'], kind === 'JobSet' ? spec : asObject(asObject(spec['template'])?.['spec']));
  }
  const rayClusterSpec = RAY_CLUSTER_SPEC.get(kind);
  if (rayClusterSpec) return rayClusterSites(rayClusterSpec, resource);
  const replicaSites = replicaSpecSites(spec, ['spec']);
  if (replicaSites.length > 0) return replicaSites;
  // Unknown kinds with a standard pod template (operators, OpenShift, Knative) still count.
  if (asObject(asObject(spec['template'])?.['spec'])) return templateSite(WORKLOAD_TEMPLATE, spec['template'], null);
  return [];
}

// Where KubeRay kinds keep their RayCluster spec. A Map: a kind named `constructor` must find nothing.
const RAY_CLUSTER_SPEC: ReadonlyMap<string, FieldPath> = new Map([
  ['RayCluster', ['spec']],
  ['RayJob', ['spec', 'rayClusterSpec']],
  ['RayService', ['spec', 'rayClusterConfig']],
]);

/**
 * The head and worker groups of a Ray cluster, with the labels KubeRay gives their pods
 * (`ray.io/node-type`, `ray.io/cluster`), so that Services selecting them are found.
 */
function rayClusterSites(base: FieldPath, resource: Resource): RawSite[] {
  let spec: unknown = resource.obj;
  for (const key of base) spec = asObject(spec)?.[key as string];
  const cluster = asObject(spec);
  if (!cluster) return [];
  const clusterLabel = { 'ray.io/cluster': resource.ref.name };
  const head = templateSite([...base, 'headGroupSpec', 'template'], asObject(cluster['headGroupSpec'])?.['template'], 'head').map((site) => ({
    ...site,
    labels: { ...site.labels, ...clusterLabel, 'ray.io/node-type': 'head' },
  }));
  const workers = (Array.isArray(cluster['workerGroupSpecs']) ? cluster['workerGroupSpecs'] : []).flatMap((group, index) => {
    const groupObj = asObject(group);
    const role = typeof groupObj?.['groupName'] === 'string' ? groupObj['groupName'] : 'worker';
    return templateSite([...base, 'workerGroupSpecs', index, 'template'], groupObj?.['template'], role).map((site) => ({
      ...site,
      labels: { ...site.labels, ...clusterLabel, 'ray.io/node-type': 'worker' },
    }));
  });
  return [...head, ...workers];
}

/** TFJob `tfReplicaSpecs`, PyTorchJob `pytorchReplicaSpecs`, MPIJob, XGBoostJob, PaddleJob, JAXJob, ... */
function replicaSpecSites(spec: Json, base: FieldPath): RawSite[] {
  const sites: RawSite[] = [];
  for (const [field, value] of Object.entries(spec)) {
    if (!field.endsWith('ReplicaSpecs')) continue;
    const replicas = asObject(value);
    if (!replicas) continue;
    for (const [role, replica] of Object.entries(replicas)) {
      append(sites, templateSite([...base, field, role, 'template'], asObject(replica)?.['template'], role));
    }
  }
  return sites;
}

function jobSetSites(base: FieldPath, spec: Json | null): RawSite[] {
  const jobs = spec?.['replicatedJobs'];
  if (!Array.isArray(jobs)) return [];
  return jobs.flatMap((job, index) => {
    const jobObj = asObject(job);
    const template = asObject(asObject(jobObj?.['template'])?.['spec'])?.['template'];
    const role = typeof jobObj?.['name'] === 'string' ? jobObj['name'] : null;
    return templateSite([...base, 'replicatedJobs', index, 'template', 'spec', 'template'], template, role);
  });
}

function templateSite(templatePath: FieldPath, template: unknown, role: string | null): RawSite[] {
  const templateObj = asObject(template);
  const podSpec = asObject(templateObj?.['spec']);
  if (!templateObj || !podSpec) return [];
  const metadata = asObject(templateObj['metadata']);
  return [podSite(extend(templatePath, ['spec']), podSpec, stringMap(metadata?.['labels']), stringMap(metadata?.['annotations']), role)];
}

function podSite(path: FieldPath, spec: Json, labels: Record<string, string>, annotations: Record<string, string>, role: string | null): RawSite {
  return { path, spec, labels, annotations, serviceAccountName: serviceAccountOf(spec), role, shape: 'pod' };
}

function argoSites(base: FieldPath, spec: Json | null): RawSite[] {
  if (!spec) return [];
  const templates = spec['templates'];
  if (!Array.isArray(templates)) return [];
  const podMetadata = asObject(spec['podMetadata']);
  const workflowLabels = stringMap(podMetadata?.['labels']);
  const workflowAnnotations = stringMap(podMetadata?.['annotations']);
  const workflowAccount = serviceAccountOf(spec);
  return templates.flatMap((template, index) => {
    const t = asObject(template);
    if (!t) return [];
    const metadata = asObject(t['metadata']);
    return [
      {
        path: [...base, 'templates', index],
        spec: t,
        labels: { ...workflowLabels, ...stringMap(metadata?.['labels']) },
        annotations: { ...workflowAnnotations, ...stringMap(metadata?.['annotations']) },
        serviceAccountName: serviceAccountOf(t) ?? workflowAccount,
        role: typeof t['name'] === 'string' ? t['name'] : null,
        shape: 'argo' as const,
      },
    ];
  });
}

function buildSite(resource: Resource, raw: RawSite): PodTemplateSite {
  const containers: ContainerSite[] = [];
  const site: { -readonly [K in keyof PodTemplateSite]: PodTemplateSite[K] } = {
    resource,
    path: raw.path,
    namespace: resource.ref.namespace ?? '',
    labels: raw.labels,
    annotations: raw.annotations,
    spec: raw.spec,
    serviceAccountName: raw.serviceAccountName,
    containers,
    role: raw.role,
  };
  const add = (relative: FieldPath, value: unknown, type: ContainerSite['type'], fallbackName?: string): void => {
    const container = asObject(value);
    if (!container) return;
    const name = typeof container['name'] === 'string' ? container['name'] : (fallbackName ?? raw.role ?? type);
    containers.push({ pod: site, path: extend(raw.path, relative), container, name, type });
  };
  const addList = (field: string, type: ContainerSite['type'], prefix: FieldPath = []): void => {
    const source = prefix.length === 0 ? raw.spec[field] : asObject(raw.spec[prefix[0] as string])?.[field];
    if (Array.isArray(source)) source.forEach((c, i) => add([...prefix, field, i], c, type));
  };

  if (raw.shape === 'single') {
    add([], raw.spec, 'container');
  } else {
    addList('initContainers', 'initContainer');
    addList('containers', 'container');
    addList('ephemeralContainers', 'ephemeralContainer');
    if (raw.shape === 'argo') {
      // Argo names the container of a `container` or `script` template `main`.
      add(['container'], raw.spec['container'], 'container', 'main');
      add(['script'], raw.spec['script'], 'script', 'main');
      addList('containers', 'container', ['containerSet']);
      addList('sidecars', 'sidecar');
    }
  }
  // An array grown by push keeps room for 16 more entries; a cluster has a hundred thousand of these.
  site.containers = containers.slice();
  return site;
}

function serviceAccountOf(spec: Json): string | null {
  const name = spec['serviceAccountName'] ?? spec['serviceAccount'];
  return typeof name === 'string' && name !== '' ? name : null;
}

