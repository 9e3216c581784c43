// A plugin as an outside team would write it from docs/plugins.md: two checks, options, helpers, related
// locations, an undecided marker and a docs page.

// The pod-bearing kinds, which helpers.containers() and podTemplates() read (docs/plugins.md, "The inventory").
const POD_BEARING_KINDS = [
  'Pod', 'PodTemplate', 'ReplicationController', 'apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet',
  'apps/ReplicaSet', 'batch/Job', 'batch/CronJob', 'apps.openshift.io/DeploymentConfig',
  'argoproj.io/Rollout', 'argoproj.io/Workflow', 'argoproj.io/WorkflowTemplate',
  'argoproj.io/ClusterWorkflowTemplate', 'argoproj.io/CronWorkflow', 'kubeflow.org/ScheduledWorkflow',
  'kubeflow.org/Notebook', 'kubeflow.org/TFJob', 'kubeflow.org/PyTorchJob', 'kubeflow.org/MPIJob',
  'kubeflow.org/XGBoostJob', 'kubeflow.org/PaddleJob', 'kubeflow.org/JAXJob', 'kubeflow.org/Experiment',
  'trainer.kubeflow.org/TrainJob', 'trainer.kubeflow.org/TrainingRuntime',
  'trainer.kubeflow.org/ClusterTrainingRuntime', 'jobset.x-k8s.io/JobSet',
  'serving.kserve.io/InferenceService', 'serving.kserve.io/ServingRuntime', 'serving.kserve.io/ClusterServingRuntime',
  'ray.io/RayCluster', 'ray.io/RayJob', 'ray.io/RayService',
];

/** @type {import('kfscan').Check} */
const gpuOutsideGpuNamespaces = {
  meta: {
    id: 'acme-gpu-outside-gpu-namespaces',
    title: 'GPU requested outside the GPU namespaces',
    category: 'hardening',
    severity: 'medium',
    description: 'A container asks for NVIDIA GPUs in a namespace that is not one of the `gpuNamespaces` option.',
    rationale: 'GPUs are what miners want most; only vetted namespaces may use them.',
    remediation: 'Run GPU workloads in one of the GPU namespaces, or add the namespace to `gpuNamespaces` after review.',
    tags: ['MS-TA9039', 'MS-M9029'],
    needs: POD_BEARING_KINDS,
    docsUrl: 'https://wiki.acme.example/kfscan/acme-gpu-outside-gpu-namespaces',
  },
  *run(inventory, { options, helpers }) {
    const allowed = Array.isArray(options.gpuNamespaces) ? options.gpuNamespaces : [];
    for (const site of helpers.containers(inventory)) {
      const resources = site.container.resources;
      const limits = typeof resources === 'object' && resources !== null ? resources.limits : undefined;
      const gpus = typeof limits === 'object' && limits !== null ? limits['nvidia.com/gpu'] : undefined;
      if (gpus === undefined || allowed.includes(site.pod.namespace)) continue;
      const { kind, namespace, name } = site.pod.resource.ref;
      yield {
        resource: site.pod.resource,
        path: [...site.path, 'resources', 'limits', 'nvidia.com/gpu'],
        key: site.name,
        message: `Container ${site.name} in ${kind} ${namespace}/${name} requests ${String(gpus)} GPU outside the GPU namespaces`,
      };
    }
  },
};

/** @type {import('kfscan').Check} */
const notebookLoadBalancer = {
  meta: {
    id: 'acme-notebook-load-balancer',
    title: 'Notebook behind its own load balancer',
    category: 'exposure',
    severity: 'high',
    description: 'A Service of type LoadBalancer selects the pods of a Kubeflow Notebook.',
    rationale: 'Notebooks run code for whoever reaches them.',
    remediation: 'Make the Service ClusterIP and reach the notebook through the Kubeflow dashboard.',
    tags: ['MS-TA9005'],
    needs: [...POD_BEARING_KINDS, 'Service'],
  },
  *run(inventory) {
    if (inventory.readability('kubeflow.org/Notebook').state === 'forbidden') {
      yield { undecided: true, reason: 'could not read Notebooks' };
      return;
    }
    for (const notebook of inventory.ofKind('kubeflow.org/Notebook')) {
      for (const site of inventory.podTemplates().filter((s) => s.resource === notebook)) {
        for (const service of inventory.servicesSelecting(site)) {
          const spec = service.obj.spec;
          if (typeof spec !== 'object' || spec === null || spec.type !== 'LoadBalancer') continue;
          yield {
            resource: service,
            path: ['spec', 'type'],
            key: notebook.ref.name,
            message: `Service ${service.ref.namespace}/${service.ref.name} is a LoadBalancer in front of Notebook ${notebook.ref.name}`,
            related: [{ resource: notebook, path: ['metadata', 'name'], note: 'the notebook it exposes' }],
          };
        }
      }
    }
  },
};

/** @type {import('kfscan').Plugin} */
export default {
  apiVersion: 1,
  name: 'acme-gpu-policy',
  version: '2.3.0',
  checks: [gpuOutsideGpuNamespaces, notebookLoadBalancer],
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { gpuNamespaces: { type: 'array', items: { type: 'string' } } },
  },
  docs: { 'acme-notebook-load-balancer': './docs/acme-notebook-load-balancer.md' },
};
