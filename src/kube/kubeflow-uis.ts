import type { PodTemplateSite } from '../core/types.js';
import { parseImageRef } from './image-ref.js';

/** The Kubeflow front doors an attacker wants: the dashboard, and the Pipelines UI and API that start runs. */
export type KubeflowUi = 'dashboard' | 'pipelines-ui' | 'pipelines-api' | 'notebooks-ui';

export const KUBEFLOW_UI_NAMES: Readonly<Record<KubeflowUi, string>> = {
  dashboard: 'Kubeflow central dashboard',
  'pipelines-ui': 'Kubeflow Pipelines UI',
  'pipelines-api': 'Kubeflow Pipelines API',
  // It starts notebook servers for users; it is a dashboard component, not a notebook server.
  'notebooks-ui': 'Kubeflow Notebooks web app',
};

// A Map: a Service named `toString` must not find Object.prototype.toString.
const BY_SERVICE_NAME: ReadonlyMap<string, KubeflowUi> = new Map([
  ['centraldashboard', 'dashboard'],
  ['ml-pipeline-ui', 'pipelines-ui'],
  ['ml-pipeline', 'pipelines-api'],
  ['jupyter-web-app-service', 'notebooks-ui'],
]);

// The central dashboard under every name it has shipped with (<=1.2, 1.3-1.6, 1.7-1.9, 1.10+), the
// Pipelines UI and the Pipelines API server: these identify the UI even when a distribution renames it.
const IMAGES: ReadonlyArray<[RegExp, KubeflowUi]> = [
  [/(?:^|\/)(?:kubeflow-images-public\/centraldashboard|notebooks\/central-dashboard|kubeflownotebookswg\/centraldashboard|kubeflow\/kubeflow\/central-dashboard)$/, 'dashboard'],
  [/(?:^|\/)(?:ml-pipeline\/frontend|kubeflow\/kfp-frontend)$/, 'pipelines-ui'],
  [/(?:^|\/)(?:ml-pipeline\/api-server|kubeflow\/kfp-api-server)$/, 'pipelines-api'],
  [/(?:^|\/)(?:kubeflow-images-public|notebooks|kubeflownotebookswg|kubeflow\/kubeflow)\/jupyter-web-app$/, 'notebooks-ui'],
];

/** Which Kubeflow UI an image is, if any. */
export function kubeflowUiOfImage(image: string): KubeflowUi | null {
  const ref = parseImageRef(image);
  if (!ref) return null;
  const full = `${ref.registry}/${ref.repository}`;
  return IMAGES.find(([pattern]) => pattern.test(full))?.[1] ?? null;
}

/** Which Kubeflow UI a Service (by its name, or the images of the pods behind it) serves. */
export function kubeflowUiOf(serviceName: string, pods: readonly PodTemplateSite[]): KubeflowUi | null {
  for (const pod of pods) {
    for (const container of pod.containers) {
      const image = container.container['image'];
      const ui = typeof image === 'string' ? kubeflowUiOfImage(image) : null;
      if (ui) return ui;
    }
  }
  return BY_SERVICE_NAME.get(serviceName) ?? null;
}
