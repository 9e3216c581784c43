import { asArray, asObject } from '../core/json.js';
import { unionOfKinds } from '../core/kinds.js';
import { describeResource } from '../core/object-ref.js';
import type { Inventory, KindName } from '../core/types.js';
import { POD_TEMPLATE_KINDS } from '../inventory/pod-template-kinds.js';
import { parseImageRef } from './image-ref.js';
import { kubeflowUiOfImage } from './kubeflow-uis.js';
import { mlImageFamily } from './ml-images.js';

const ML_CUSTOM_KINDS = [
  'kubeflow.org/Notebook',
  'kubeflow.org/Profile',
  'kubeflow.org/TFJob',
  'kubeflow.org/PyTorchJob',
  'kubeflow.org/MPIJob',
  'kubeflow.org/XGBoostJob',
  'kubeflow.org/PaddleJob',
  'kubeflow.org/JAXJob',
  'kubeflow.org/ScheduledWorkflow',
  'kubeflow.org/Experiment',
  'trainer.kubeflow.org/TrainJob',
  'serving.kserve.io/InferenceService',
  'serving.kserve.io/ServingRuntime',
  'serving.kserve.io/ClusterServingRuntime',
  'ray.io/RayCluster',
  'ray.io/RayJob',
];

/** What `kubeflowPresent` reads. */
export const KUBEFLOW_PRESENCE_KINDS: readonly KindName[] = unionOfKinds(
  ['apps/Deployment', 'networking.istio.io/Gateway', 'networking.istio.io/VirtualService', 'apiextensions.k8s.io/CustomResourceDefinition', 'kubeflow.org/Profile'],
  POD_TEMPLATE_KINDS,
);

/** What `mlPlatformPresent` reads. */
export const ML_PLATFORM_KINDS: readonly KindName[] = unionOfKinds(KUBEFLOW_PRESENCE_KINDS, ML_CUSTOM_KINDS);

/** Kubeflow is installed: its dashboard, gateway or Pipelines UI is among the inputs. */
export function kubeflowPresent(inventory: Inventory): boolean {
  return inventory.memo('kubeflowPresent', () => {
    if (inventory.get('apps/Deployment', 'kubeflow', 'centraldashboard')) return true;
    if (inventory.get('apps/Deployment', 'kubeflow', 'ml-pipeline-ui')) return true;
    if (inventory.get('networking.istio.io/Gateway', 'kubeflow', 'kubeflow-gateway')) return true;
    if (inventory.ofKind('networking.istio.io/VirtualService').some((vs) => vs.ref.name === 'centraldashboard')) return true;
    if (inventory.ofKind('CustomResourceDefinition').some((crd) => crd.ref.name === 'profiles.kubeflow.org')) return true;
    if (inventory.ofKind('kubeflow.org/Profile').length > 0) return true;
    return inventory.podTemplates().some((site) =>
      // The dashboard and Pipelines UI images identify Kubeflow even when a distribution renames them.
      site.containers.some((c) => {
        const ui = typeof c.container['image'] === 'string' ? kubeflowUiOfImage(c.container['image']) : null;
        return ui === 'dashboard' || ui === 'pipelines-ui';
      }),
    );
  });
}

/** One entry of the list of ML platforms: what kfscan calls it, and what in the input shows it. */
export interface MlPlatform {
  platform: string;
  /** `Deployment mlops/mlflow runs ghcr.io/mlflow/mlflow:v2.16.2`, `RayCluster ml/train`. */
  evidence: string;
}

// Images that identify a platform by what runs (registry and mirror prefixes ignored).
const PLATFORM_IMAGES: ReadonlyArray<{ platform: string; image: RegExp }> = [
  { platform: 'JupyterHub', image: /(?:^|\/)jupyterhub\/(?:k8s-hub(?:-slim)?|configurable-http-proxy|k8s-singleuser-sample)$/ },
  { platform: 'KServe', image: /(?:^|\/)kserve\/kserve-controller$/ },
  { platform: 'MLflow', image: /(?:^|\/)(?:mlflow\/mlflow|bitnami\/mlflow|burakince\/mlflow)$/ },
  { platform: 'Ray', image: /(?:^|\/)(?:rayproject\/ray(?:-ml)?|kuberay\/operator)$/ },
];

// Custom resources that only an ML platform defines, by the platform that defines them.
const PLATFORM_KINDS: ReadonlyArray<{ platform: string; kinds: readonly KindName[] }> = [
  { platform: 'Kubeflow', kinds: ML_CUSTOM_KINDS.filter((kind) => kind.startsWith('kubeflow.org/') || kind.startsWith('trainer.kubeflow.org/')) },
  { platform: 'KServe', kinds: ML_CUSTOM_KINDS.filter((kind) => kind.startsWith('serving.kserve.io/')) },
  { platform: 'Ray', kinds: ML_CUSTOM_KINDS.filter((kind) => kind.startsWith('ray.io/')) },
];

const ARGO_WORKFLOW_KINDS = new Set(['Workflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'CronWorkflow']);
const GPU_RESOURCE = 'nvidia.com/gpu';

/**
 * The ML platforms and workloads in the input, one list for every check that needs it: Kubeflow,
 * JupyterHub, KServe, Ray, MLflow, Argo Workflows running ML images, GPU workloads, and any workload
 * running an ML framework or notebook image (TensorFlow, PyTorch, Jupyter, ...). Offline, absence checks
 * (Falco, Prometheus, growth alerts, egress, quotas) run only for such input or a whole cluster: one
 * app's manifests are not expected to ship Falco.
 */
export function mlPlatforms(inventory: Inventory): readonly MlPlatform[] {
  return inventory.memo('mlPlatforms', () => {
    const found = new Map<string, string>();
    const add = (platform: string, evidence: string) => {
      if (!found.has(platform)) found.set(platform, evidence);
    };
    if (kubeflowPresent(inventory)) add('Kubeflow', 'its dashboard, Pipelines UI, gateway or profiles');
    for (const { platform, kinds } of PLATFORM_KINDS) {
      for (const kind of kinds) {
        const resource = inventory.ofKind(kind)[0];
        if (resource) add(platform, describeResource(resource));
      }
    }
    for (const site of inventory.podTemplates()) {
      for (const c of site.containers) {
        const text = typeof c.container['image'] === 'string' ? c.container['image'] : null;
        const image = text ? parseImageRef(text) : null;
        const runs = `${describeResource(site.resource)} runs ${text}`;
        if (image) {
          const path = `${image.registry}/${image.repository}`;
          const named = PLATFORM_IMAGES.find((entry) => entry.image.test(path));
          if (named) add(named.platform, runs);
          if (mlImageFamily(image) !== null) add(ARGO_WORKFLOW_KINDS.has(site.resource.ref.kind) ? 'Argo Workflows running ML images' : 'ML workloads', runs);
        }
        if (/\bmlflow\s+(?:server|ui)\b/.test(commandText(c.container))) add('MLflow', `${describeResource(site.resource)} runs mlflow server`);
        const resources = asObject(c.container['resources']);
        if (['limits', 'requests'].some((field) => Number(asObject(resources?.[field])?.[GPU_RESOURCE] ?? 0) > 0)) {
          add('GPU workloads', `${describeResource(site.resource)} requests ${GPU_RESOURCE}`);
        }
      }
    }
    return [...found.entries()].map(([platform, evidence]) => ({ platform, evidence }));
  });
}

/** The input holds an ML platform or ML workload (see `mlPlatforms`). */
export function mlPlatformPresent(inventory: Inventory): boolean {
  return mlPlatforms(inventory).length > 0;
}

function commandText(container: Record<string, unknown>): string {
  return [...asArray(container['command']), ...asArray(container['args'])].filter((w): w is string => typeof w === 'string').join(' ');
}
