import { asString, dig } from '../core/json.js';
import type { Inventory, PodTemplateSite, Resource } from '../core/types.js';
import { ownedByKind } from './ownership.js';

const PIPELINE_KINDS = new Set(['Workflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'CronWorkflow', 'ScheduledWorkflow']);
const WORKFLOW_OWNER = new Set(['Workflow']);
const PIPELINE_LABELS = ['workflows.argoproj.io/workflow', 'pipeline/runid'];

/**
 * The pod comes from a Kubeflow/Argo pipeline: the way the 2021 attackers ran their miners. Signals are
 * the pipeline kinds themselves, the labels and annotations KFP and Argo put on run pods, a Workflow owner,
 * or the pipeline service accounts.
 */
export function isPipelineSpawned(site: PodTemplateSite, inventory: Inventory): boolean {
  const resource = site.resource;
  if (PIPELINE_KINDS.has(resource.ref.kind)) return true;
  // The object's and the template's labels and annotations, read in place: asked of every pod template.
  if (PIPELINE_LABELS.some((key) => key in resource.labels || key in site.labels)) return true;
  const pipelineKey = (key: string): boolean => key.startsWith('pipelines.kubeflow.org/');
  if (someKey(resource.labels, pipelineKey) || someKey(site.labels, pipelineKey)) return true;
  const annotationKey = (key: string): boolean => pipelineKey(key) || key === 'workflows.argoproj.io/node-name';
  if (someKey(resource.annotations, annotationKey) || someKey(site.annotations, annotationKey)) return true;
  if (ownedByKind(resource, WORKFLOW_OWNER)) return true;
  const account = site.serviceAccountName;
  if (account === 'pipeline-runner') return true;
  return account === 'default-editor' && isProfileNamespace(site.namespace, inventory);
}

function someKey(object: Readonly<Record<string, string>>, test: (key: string) => boolean): boolean {
  for (const key in object) if (Object.hasOwn(object, key) && test(key)) return true;
  return false;
}

/** A Kubeflow user namespace: created by a Profile, or labelled as one. */
export function isProfileNamespace(namespace: string, inventory: Inventory): boolean {
  if (inventory.get('kubeflow.org/Profile', null, namespace)) return true;
  const ns = inventory.get('Namespace', null, namespace);
  if (!ns) return false;
  return ns.labels['app.kubernetes.io/part-of'] === 'kubeflow-profile' || ns.labels['pipelines.kubeflow.org/enabled'] === 'true';
}

const FINISHED_POD_PHASES = new Set(['Succeeded', 'Failed']);
const FINISHED_WORKFLOW_PHASES = new Set(['Succeeded', 'Failed', 'Error']);

/**
 * A live Pod or Argo Workflow that has finished: what it ran is history, not what runs. Definitions
 * (templates, Deployments, ScheduledWorkflows) never finish.
 */
export function runFinished(resource: Resource): boolean {
  const phase = asString(dig(resource.obj, 'status', 'phase'));
  if (phase === null) return false;
  if (resource.ref.kind === 'Pod') return FINISHED_POD_PHASES.has(phase);
  if (resource.ref.kind === 'Workflow') return FINISHED_WORKFLOW_PHASES.has(phase);
  return false;
}
