// @ts-check
// A kfscan plugin (docs/plugins.md): ML framework and notebook images must come from the registries an
// organisation approved, given in the plugin's options. Plain JavaScript, so it runs as it is; the JSDoc
// types come from kfscan/plugin (`import type` only: nothing is imported from kfscan at run time).

/** @typedef {import('kfscan/plugin').Plugin} Plugin */
/** @typedef {import('kfscan/plugin').Check} Check */
/** @typedef {import('kfscan/plugin').ImageReference} ImageReference */

// Every kind that `helpers.containers()` reads: live mode lists exactly the kinds in `needs`.
const POD_BEARING_KINDS = [
  'Pod',
  'PodTemplate',
  'ReplicationController',
  'apps/Deployment',
  'apps/StatefulSet',
  'apps/DaemonSet',
  'apps/ReplicaSet',
  'batch/Job',
  'batch/CronJob',
  'apps.openshift.io/DeploymentConfig',
  'argoproj.io/Rollout',
  'argoproj.io/Workflow',
  'argoproj.io/WorkflowTemplate',
  'argoproj.io/ClusterWorkflowTemplate',
  'argoproj.io/CronWorkflow',
  'kubeflow.org/ScheduledWorkflow',
  'kubeflow.org/Notebook',
  'kubeflow.org/TFJob',
  'kubeflow.org/PyTorchJob',
  'kubeflow.org/MPIJob',
  'kubeflow.org/XGBoostJob',
  'kubeflow.org/PaddleJob',
  'kubeflow.org/JAXJob',
  'kubeflow.org/Experiment',
  'trainer.kubeflow.org/TrainJob',
  'trainer.kubeflow.org/TrainingRuntime',
  'trainer.kubeflow.org/ClusterTrainingRuntime',
  'jobset.x-k8s.io/JobSet',
  'serving.kserve.io/InferenceService',
  'serving.kserve.io/ServingRuntime',
  'serving.kserve.io/ClusterServingRuntime',
  'ray.io/RayCluster',
  'ray.io/RayJob',
  'ray.io/RayService',
];

/**
 * `registry.acme.example` approves the whole registry; `ghcr.io/acme` only repositories below that path.
 * Docker Hub is `docker.io`, whatever the image says (`tensorflow/tensorflow`, `index.docker.io/...`).
 * @param {ImageReference} ref
 * @param {string} entry
 */
function approvedBy(ref, entry) {
  const wanted = entry.replace(/\/+$/, '').toLowerCase();
  const [host, ...rest] = wanted.split('/');
  if (ref.registry.toLowerCase() !== host) return false;
  const prefix = rest.join('/');
  return prefix === '' || ref.repository === prefix || ref.repository.startsWith(`${prefix}/`);
}

/** @type {Check} */
const unapprovedRegistry = {
  meta: {
    id: 'ml-image-unapproved-registry',
    title: 'ML image pulled from a registry that is not approved',
    category: 'hardening',
    severity: 'high',
    description:
      'A container runs an ML framework or notebook image (TensorFlow, PyTorch, Jupyter, Kubeflow notebooks, NVIDIA NGC, ...) from a registry that is not in the list of approved registries given in the plugin options.',
    rationale:
      'In the 2021 Kubeflow mining campaign the pipelines pulled tensorflow/tensorflow straight from Docker Hub. Images from your own registries are scanned, mirrored and pinned by people you trust; public ones change under you and are what attackers reach for.',
    remediation:
      'Mirror the image into an approved registry (e.g. `crane copy tensorflow/tensorflow:2.16.1 registry.acme.example/mirror/tensorflow/tensorflow:2.16.1`), reference it from there, and enforce the list with an admission policy (Kyverno, Gatekeeper or ValidatingAdmissionPolicy).',
    tags: ['MS-TA9002', 'MS-M9005.003'],
    needs: POD_BEARING_KINDS,
  },
  *run(inventory, { options, helpers }) {
    // The options schema below guarantees a non-empty list of strings.
    const registries = /** @type {string[]} */ (options['registries']);
    for (const site of helpers.containers(inventory)) {
      const image = site.container['image'];
      if (typeof image !== 'string') continue;
      const ref = helpers.parseImage(image);
      if (ref === null || !helpers.isMlImage(ref)) continue;
      if (registries.some((entry) => approvedBy(ref, entry))) continue;
      const { kind, namespace, name } = site.pod.resource.ref;
      yield {
        resource: site.pod.resource,
        path: [...site.path, 'image'],
        // One finding per container, stable across runs (the fingerprint includes it).
        key: `${site.pod.role ?? ''}/${site.type}/${site.name}`,
        message: `Container ${site.name} in ${kind} ${namespace ? `${namespace}/` : ''}${name} runs ${image.trim()} from ${ref.registry}, which is not an approved registry (${registries.join(', ')})`,
      };
    }
  },
};

/** @type {Plugin} */
export default {
  apiVersion: 1,
  name: 'approved-registries',
  version: '1.0.0',
  checks: [unapprovedRegistry],
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['registries'],
    properties: {
      registries: {
        description: 'Approved registries: a host (registry.acme.example, docker.io) or a host and path prefix (ghcr.io/acme).',
        type: 'array',
        minItems: 1,
        items: { type: 'string', minLength: 1 },
      },
    },
  },
  docs: { 'ml-image-unapproved-registry': './docs/ml-image-unapproved-registry.md' },
};
