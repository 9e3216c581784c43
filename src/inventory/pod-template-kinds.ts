import type { KindName } from '../core/types.js';

/**
 * Every kind whose pod templates the inventory extracts by shape (`podTemplates()`), by API group: what a
 * check that reads pod templates, or containers, reads, and so what live mode lists for it. Offline, other
 * kinds with a standard `spec.template` count too; live mode judges the Pods such controllers start.
 */
export const POD_TEMPLATE_KINDS: readonly KindName[] = Object.freeze([
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
]);
