import { asString } from '../src/core/json.js';
import type { Check, ContainerSite, Draft, Inventory, Severity } from '../src/core/types.js';
import { describeRef, effectiveTag, isMutableRef, parseImageRef } from '../src/kube/image-ref.js';
import { isOfficialTensorflow, mlImageFamily } from '../src/kube/ml-images.js';
import { templateOwner } from '../src/kube/ownership.js';
import { isPipelineSpawned, podPhase } from '../src/kube/pipelines.js';

// The two tags of the 2021 campaign; an untagged reference pulls `latest` too.
const ATTACK_TAGS = new Set(['latest', 'latest-gpu']);
const FINISHED_PHASES = new Set(['Succeeded', 'Failed']);

const check: Check = {
  meta: {
    id: 'mutable-ml-image',
    title: 'ML framework image referenced by a mutable tag',
    category: 'mutable-ml-image',
    severity: 'high',
    description:
      'A container runs an ML framework or notebook image (TensorFlow, PyTorch, serving, Jupyter, Kubeflow notebooks, NVIDIA NGC, ...) by a mutable reference: `latest`, `latest-gpu` and other rolling tags, or no tag, without a digest. Critical for tensorflow/tensorflow latest/latest-gpu in a pipeline pod, high for other mutable TensorFlow images, medium for other ML images.',
    rationale:
      'The 2021 attackers ran their miners in pipeline pods using the official tensorflow/tensorflow:latest and latest-gpu images; mutable public images are what they rely on and what makes a run impossible to audit afterwards.',
    remediation:
      'Pin the image by digest (`tensorflow/tensorflow:2.16.1-gpu@sha256:...`) or at least a version tag, mirror it into your own registry, and enforce allowed registries with an admission policy (Kyverno, Gatekeeper or ValidatingAdmissionPolicy).',
    tags: ['MS-TA9002', 'MS-TA9008'],
    needs: [
      'Pod',
      'apps/Deployment',
      'apps/StatefulSet',
      'apps/DaemonSet',
      'apps/ReplicaSet',
      'batch/Job',
      'batch/CronJob',
      'argoproj.io/Workflow',
      'argoproj.io/WorkflowTemplate',
      'argoproj.io/ClusterWorkflowTemplate',
      'argoproj.io/CronWorkflow',
      'kubeflow.org/ScheduledWorkflow',
      'kubeflow.org/Notebook',
      'kubeflow.org/TFJob',
      'kubeflow.org/PyTorchJob',
      'kubeflow.org/MPIJob',
      'kubeflow.org/Profile',
      'trainer.kubeflow.org/TrainJob',
      'Namespace',
    ],
  },
  *run(inventory) {
    for (const site of inventory.podTemplates()) {
      if (templateOwner(site.resource, inventory)) continue;
      for (const container of site.containers) {
        const draft = judge(container, inventory);
        if (draft) yield draft;
      }
    }
  },
};

function judge(site: ContainerSite, inventory: Inventory): Draft | null {
  const image = asString(site.container['image']);
  if (image === null) return null;
  const ref = parseImageRef(image);
  if (!ref || mlImageFamily(ref) === null || !isMutableRef(ref)) return null;

  const pipeline = isPipelineSpawned(site.pod, inventory);
  const attackImage = isOfficialTensorflow(ref) && ATTACK_TAGS.has(effectiveTag(ref) ?? '');
  const finished = FINISHED_PHASES.has(podPhase(site.pod) ?? '');
  const severity: Severity = finished
    ? 'low'
    : attackImage && pipeline
      ? 'critical'
      : isOfficialTensorflow(ref)
        ? 'high'
        : 'medium';

  const resource = site.pod.resource;
  const where = `${resource.ref.kind} ${resource.ref.namespace ? `${resource.ref.namespace}/` : ''}${resource.ref.name}`;
  const role = site.pod.role ? ` (${site.pod.role})` : '';
  return {
    resource,
    path: [...site.path, 'image'],
    severity,
    key: `${site.pod.role ?? ''}/${site.type}/${site.name}`,
    message: `${capitalise(site.type)} ${site.name}${role} in ${where} runs ${describeRef(ref)}, a mutable reference${reason(attackImage, pipeline, finished)}`,
  };
}

function reason(attackImage: boolean, pipeline: boolean, finished: boolean): string {
  if (finished) return ' (the pod has finished)';
  if (attackImage && pipeline) return ' in a pipeline pod: the image and launch path of the 2021 Kubeflow mining campaign';
  if (attackImage) return ': the image used in the 2021 Kubeflow mining campaign';
  return '';
}

function capitalise(text: string): string {
  return text === 'initContainer' ? 'Init container' : text === 'ephemeralContainer' ? 'Ephemeral container' : text[0]!.toUpperCase() + text.slice(1);
}

export default check;
