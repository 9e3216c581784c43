import { describeResource } from '../../src/core/object-ref.js';
import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import { asArray, asObject, asString } from '../../src/core/json.js';
import type { Draft, Inventory, Severity } from '../../src/core/types.js';
import { CONTAINER_KINDS, containerLabel, workloadContainers, type WorkloadContainer } from '../../src/kube/containers.js';
import { describeRef, effectiveTag, isMutableRef, parseImageRef } from '../../src/kube/image-ref.js';
import { isOfficialTensorflow, mlImageFamily } from '../../src/kube/ml-images.js';
import { isPipelineSpawned, runFinished } from '../../src/kube/pipelines.js';

// The two tags of the 2021 campaign; an untagged reference pulls `latest` too.
const ATTACK_TAGS = new Set(['latest', 'latest-gpu']);

const check = defineBuiltinCheck({
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
    // Profiles and Namespaces tell whether default-editor runs in a Kubeflow user namespace.
    needs: [...CONTAINER_KINDS, 'kubeflow.org/Profile', 'Namespace'],
  },
  *run(inventory) {
    for (const container of workloadContainers(inventory)) {
      const draft = judge(container, inventory);
      if (draft) yield draft;
    }
  },
  attackPath: ['workloads'],
});

function judge({ site, kfpComponent }: WorkloadContainer, inventory: Inventory): Draft | null {
  const image = asString(site.container['image']);
  if (image === null) return null;
  const ref = parseImageRef(image);
  if (!ref || mlImageFamily(ref) === null || !isMutableRef(ref)) return null;

  const pipeline = isPipelineSpawned(site.pod, inventory);
  const attackImage = isOfficialTensorflow(ref) && ATTACK_TAGS.has(effectiveTag(ref) ?? '');
  const finished = runFinished(site.pod.resource);
  const severity: Severity = finished
    ? 'low'
    : attackImage && pipeline
      ? 'critical'
      : isOfficialTensorflow(ref)
        ? 'high'
        : 'medium';

  const resource = site.pod.resource;
  return {
    resource,
    path: kfpComponent ? site.path : [...site.path, 'image'],
    severity,
    key: `${kfpComponent ? 'kfp-v2/' : ''}${site.pod.role ?? ''}/${site.type}/${site.name}`,
    message: `${containerLabel(site, kfpComponent)} in ${describeResource(resource)} runs ${describeRef(ref)}${resolvedDigest(site)}, a mutable reference${reason(attackImage, pipeline, finished)}`,
  };
}

/** What a live pod's container really pulled: the runtime reports the digest behind the tag. */
function resolvedDigest(site: WorkloadContainer['site']): string {
  if (site.pod.resource.ref.kind !== 'Pod') return '';
  const status = asObject(site.pod.resource.obj['status']);
  const field = site.type === 'initContainer' ? 'initContainerStatuses' : site.type === 'ephemeralContainer' ? 'ephemeralContainerStatuses' : 'containerStatuses';
  const entry = asArray(status?.[field]).map(asObject).find((s) => s?.['name'] === site.name);
  const digest = /@(sha256:[0-9a-f]{12})[0-9a-f]*$/.exec(asString(entry?.['imageID']) ?? '');
  return digest ? `, resolved to ${digest[1]}` : '';
}

function reason(attackImage: boolean, pipeline: boolean, finished: boolean): string {
  if (finished) return ' (the run has finished)';
  if (attackImage && pipeline) return ' in a pipeline pod: the image and launch path of the 2021 Kubeflow mining campaign';
  if (attackImage) return ': the image used in the 2021 Kubeflow mining campaign';
  return '';
}

export default check;
