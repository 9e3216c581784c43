import type { ImageRef } from './image-ref.js';

export type MlImageFamily =
  | 'tensorflow'
  | 'tensorflow-serving'
  | 'model-serving'
  | 'pytorch'
  | 'nvidia-framework'
  | 'cuda'
  | 'jupyter'
  | 'kubeflow-notebook'
  | 'huggingface'
  | 'rocm'
  | 'ray'
  | 'deep-learning-vm'
  | 'anaconda';

interface Pattern {
  family: MlImageFamily;
  /** Matched against `registry/repository`, anchored at a path-segment boundary so mirrors still match. */
  path: RegExp;
}

// Mirrors and pull-through caches put a prefix in front (`mirror.gcr.io/`, `<account>.dkr.ecr...
// /docker-hub/`, `harbor.local/proxy/`); the patterns match the tail so those count too.
const PATTERNS: readonly Pattern[] = [
  { family: 'tensorflow', path: /(?:^|\/)tensorflow\/tensorflow$/ },
  { family: 'tensorflow', path: /(?:^|\/)intel\/intel-optimized-tensorflow$/ },
  { family: 'tensorflow-serving', path: /(?:^|\/)tensorflow\/serving$/ },
  { family: 'pytorch', path: /(?:^|\/)pytorch\/(?:pytorch|torchserve(?:-kfs)?)$/ },
  // Model servers that KServe's runtimes and Seldon run: they load and execute the models they serve.
  { family: 'model-serving', path: /(?:^|\/)kserve\/[a-z0-9._-]*server[a-z0-9._-]*$/ },
  { family: 'model-serving', path: /(?:^|\/)(?:seldonio\/mlserver|openvino\/model_server|vllm\/vllm-openai)$/ },
  { family: 'nvidia-framework', path: /(?:^|\/)nvcr\.io\/nvidia\/(?:pytorch|tensorflow|tritonserver|nemo|jax)$/ },
  { family: 'cuda', path: /(?:^|\/)(?:nvcr\.io\/)?nvidia\/cuda$/ },
  { family: 'jupyter', path: /(?:^|\/)jupyter\/[a-z0-9._-]+-notebook$/ },
  { family: 'jupyter', path: /(?:^|\/)quay\.io\/jupyter\/[a-z0-9._-]+$/ },
  { family: 'jupyter', path: /(?:^|\/)jupyterhub\/k8s-singleuser-sample$/ },
  // Notebook images, not the jupyter-web-app that manages them.
  { family: 'kubeflow-notebook', path: /(?:^|\/)kubeflownotebookswg\/(?:jupyter|codeserver|rstudio)(?![a-z0-9._-]*-web-app$)[a-z0-9._-]*$/ },
  { family: 'kubeflow-notebook', path: /\/notebook-servers\/[a-z0-9._-]+$/ },
  { family: 'kubeflow-notebook', path: /(?:^|\/)kubeflow-images-public\/tensorflow-[a-z0-9._-]+-notebook-[a-z0-9._-]+$/ },
  { family: 'huggingface', path: /(?:^|\/)huggingface\/[a-z0-9._-]+$/ },
  { family: 'rocm', path: /(?:^|\/)rocm\/(?:pytorch|tensorflow|jax)[a-z0-9._-]*$/ },
  { family: 'ray', path: /(?:^|\/)rayproject\/ray(?:-ml)?$/ },
  { family: 'deep-learning-vm', path: /(?:^|\/)deeplearning-platform-release\/[a-z0-9._-]+$/ },
  { family: 'anaconda', path: /(?:^|\/)continuumio\/(?:anaconda3?|miniconda3?)$/ },
];

/** The ML framework or notebook family of an image, or `null` for everything else (nginx, redis, ...). */
export function mlImageFamily(ref: ImageRef): MlImageFamily | null {
  let family = families.get(ref);
  if (family === undefined) {
    const full = `${ref.registry}/${ref.repository}`;
    family = PATTERNS.find((pattern) => pattern.path.test(full))?.family ?? null;
    families.set(ref, family);
  }
  return family;
}
// Parsed references are kept per image (parseImageRef), and several analyses ask this of every container.
const families = new WeakMap<ImageRef, MlImageFamily | null>();

/** The official `tensorflow/tensorflow` image, under any registry or mirror prefix. */
export function isOfficialTensorflow(ref: ImageRef): boolean {
  return /(?:^|\/)tensorflow\/tensorflow$/.test(`${ref.registry}/${ref.repository}`);
}
