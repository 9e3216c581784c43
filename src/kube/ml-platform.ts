import { unionOfKinds } from '../core/kinds.js';
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

/**
 * The input holds an ML platform or ML workload. Offline, absence checks (Falco, Prometheus, alerts)
 * only make sense for such input or a whole cluster: one app's manifests are not expected to ship Falco.
 */
export function mlPlatformPresent(inventory: Inventory): boolean {
  return inventory.memo('mlPlatformPresent', () => {
    if (kubeflowPresent(inventory)) return true;
    if (ML_CUSTOM_KINDS.some((kind) => inventory.ofKind(kind).length > 0)) return true;
    return inventory.podTemplates().some((site) =>
      site.containers.some((c) => {
        const image = typeof c.container['image'] === 'string' ? parseImageRef(c.container['image']) : null;
        return image !== null && mlImageFamily(image) !== null;
      }),
    );
  });
}
