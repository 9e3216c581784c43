import { describe, expect, it } from 'vitest';
import { mlPlatforms } from '../src/kube/ml-platform.js';
import { inventoryFromYaml } from './helpers/inventory.js';

// One list of what counts as an ML platform, for every absence check's scope.
const workload = (kind: string, image: string, extra = '') => `
apiVersion: apps/v1
kind: ${kind}
metadata: {name: w, namespace: ns}
spec:
  template:
    spec:
      containers:
        - name: c
          image: ${image}
${extra}`;

describe('mlPlatforms', () => {
  it.each([
    ['Kubeflow', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: centraldashboard, namespace: kubeflow}\nspec: {template: {spec: {containers: [{name: c, image: x}]}}}'],
    ['JupyterHub', workload('Deployment', 'quay.io/jupyterhub/k8s-hub:4.0.0')],
    ['JupyterHub', workload('Deployment', 'jupyterhub/configurable-http-proxy:4.5.0')],
    ['KServe', 'apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: m, namespace: ns}\nspec: {predictor: {model: {modelFormat: {name: sklearn}}}}'],
    ['KServe', workload('Deployment', 'kserve/kserve-controller:v0.14.0')],
    ['Ray', 'apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {name: r, namespace: ns}\nspec: {headGroupSpec: {template: {spec: {containers: [{name: h, image: rayproject/ray:2.40.0}]}}}}'],
    ['MLflow', workload('Deployment', 'ghcr.io/mlflow/mlflow:v2.16.2')],
    ['MLflow', workload('Deployment', 'python:3.11', '          command: [mlflow, server, --port, "5000"]')],
    ['Argo Workflows running ML images', 'apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: t, namespace: ns}\nspec: {templates: [{name: a, container: {image: "pytorch/pytorch:2.3.0"}}]}'],
    ['GPU workloads', workload('Deployment', 'registry.example.com/render:1', '          resources: {limits: {nvidia.com/gpu: 1}}')],
    ['ML workloads', workload('StatefulSet', 'jupyter/scipy-notebook:2024-01-01')],
  ])('finds %s', (platform, yaml) => {
    expect(mlPlatforms(inventoryFromYaml(yaml)).map((p) => p.platform)).toContain(platform);
  });

  it.each([
    ['a web shop', workload('Deployment', 'redis:7.2')],
    ['an Argo workflow building an app', 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: ci, namespace: ci}\nspec: {templates: [{name: a, container: {image: "golang:1.23"}}]}'],
    ['a GPU count of zero', workload('Deployment', 'nginx:1.27', '          resources: {limits: {nvidia.com/gpu: 0}}')],
  ])('finds nothing in %s', (_name, yaml) => {
    expect(mlPlatforms(inventoryFromYaml(yaml))).toEqual([]);
  });
});
