import { parseFamiliarName } from '@swimlane/docker-reference';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeRef, effectiveTag, isMutableRef, parseImageRef } from '../src/kube/image-ref.js';
import { isOfficialTensorflow, mlImageFamily } from '../src/kube/ml-images.js';
import { propertyRuns, propertyTimeout } from './helpers/property.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
// The library's parser backtracks for up to a second on some of these short strings: about 12 ms a case.
const AGREEMENT_RUNS = propertyRuns(200);

describe('parseImageRef (distribution/reference rules)', () => {
  it.each([
    ['tensorflow/tensorflow', 'docker.io', 'tensorflow/tensorflow', null, null],
    ['python', 'docker.io', 'library/python', null, null],
    ['index.docker.io/tensorflow/tensorflow:latest-gpu', 'docker.io', 'tensorflow/tensorflow', 'latest-gpu', null],
    ['localhost:5000/tensorflow/tensorflow', 'localhost:5000', 'tensorflow/tensorflow', null, null],
    ['myreg:5000/tensorflow/tensorflow:2.1', 'myreg:5000', 'tensorflow/tensorflow', '2.1', null],
    [`gcr.io/x/y:1@${DIGEST}`, 'gcr.io', 'x/y', '1', DIGEST],
    [`tensorflow/tensorflow@${DIGEST}`, 'docker.io', 'tensorflow/tensorflow', null, DIGEST],
  ])('%s', (raw, registry, repository, tag, digest) => {
    expect(parseImageRef(raw)).toEqual({ raw, registry, repository, tag, digest });
  });

  it.each(['', '  ', 'UPPER/case', 'a b', 'x@sha256:short', '$(IMAGE)'])('refuses %j', (raw) => {
    expect(parseImageRef(raw)).toBeNull();
  });

  // The library's own regex backtracks exponentially on these; with it the test would not finish.
  it.each(['namespace:container_cpu:rate5m', `${'a'.repeat(60)}:b:c`, `${'a1'.repeat(40)}!`, `x/${'ab-'.repeat(50)}:@`])('refuses %j in linear time', (raw) => {
    expect(parseImageRef(raw)).toBeNull();
  });

  it('agrees with the library on short references it parses quickly', { timeout: propertyTimeout(AGREEMENT_RUNS, 40) }, () => {
    // Short enough that the library's backtracking stays fast; digests are covered by the cases above.
    const alphabet = fc.constantFrom(...'ab09:/.@_-A '.split(''), 'sha256:', 'localhost', 'docker.io', 'library');
    let parsed = 0;
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 8 }).map((parts) => parts.join('').slice(0, 14)), (raw) => {
        let expected: unknown = null;
        try {
          const ref = parseFamiliarName(raw.trim());
          expected = { registry: ref.domain ?? 'docker.io', repository: ref.repository ?? '', tag: ref.tag ?? null, digest: ref.digest ?? null };
        } catch {
          expected = null;
        }
        const actual = parseImageRef(raw);
        if (actual !== null) parsed++;
        expect(actual === null ? null : { registry: actual.registry, repository: actual.repository, tag: actual.tag, digest: actual.digest }).toEqual(raw.trim() === '' ? null : expected);
      }),
      { numRuns: AGREEMENT_RUNS, seed: 7 },
    );
    // Not vacuous: both sides of the grammar were reached (about a fifth of the strings are references).
    expect(parsed).toBeGreaterThan(AGREEMENT_RUNS * 0.1);
    expect(parsed).toBeLessThan(AGREEMENT_RUNS * 0.9);
  });
});

describe('mutability', () => {
  it.each([
    ['tensorflow/tensorflow', true, 'latest'],
    ['tensorflow/tensorflow:latest-gpu', true, 'latest-gpu'],
    ['tensorflow/tensorflow:nightly-jupyter', true, 'nightly-jupyter'],
    ['tensorflow/tensorflow:2.16.1-gpu', false, '2.16.1-gpu'],
    [`tensorflow/tensorflow:latest@${DIGEST}`, false, 'latest'],
    [`tensorflow/tensorflow@${DIGEST}`, false, null],
    ['localhost:5000/pytorch/pytorch', true, 'latest'],
    ['pytorch/pytorch:2.3-latest', true, '2.3-latest'],
    ['pytorch/pytorch:latestish', false, 'latestish'],
  ])('%s mutable=%s', (raw, mutable, tag) => {
    const ref = parseImageRef(raw)!;
    expect(isMutableRef(ref)).toBe(mutable);
    expect(effectiveTag(ref)).toBe(tag);
  });

  it('writes out the implicit latest', () => {
    expect(describeRef(parseImageRef('tensorflow/tensorflow')!)).toBe('docker.io/tensorflow/tensorflow:latest (no tag: implicit latest)');
  });
});

describe('ML image families', () => {
  it.each([
    ['tensorflow/tensorflow:latest', 'tensorflow'],
    ['mirror.gcr.io/tensorflow/tensorflow', 'tensorflow'],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/tensorflow/tensorflow', 'tensorflow'],
    ['tensorflow/serving', 'tensorflow-serving'],
    ['pytorch/pytorch', 'pytorch'],
    ['nvcr.io/nvidia/pytorch:24.01-py3', 'nvidia-framework'],
    ['nvidia/cuda:12.4.0-base-ubuntu22.04', 'cuda'],
    ['jupyter/scipy-notebook', 'jupyter'],
    ['quay.io/jupyter/pytorch-notebook', 'jupyter'],
    ['kubeflownotebookswg/jupyter-pytorch-cuda-full:v1.8.0', 'kubeflow-notebook'],
    ['ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-tensorflow:v1.10.0', 'kubeflow-notebook'],
    ['rayproject/ray-ml', 'ray'],
  ])('%s is %s', (raw, family) => {
    expect(mlImageFamily(parseImageRef(raw)!)).toBe(family);
  });

  it.each(['redis:alpine', 'nginx:latest', 'python:3.11', 'ubuntu', 'gcr.io/ml-pipeline/should-be-overridden-during-runtime', 'example.com/nottensorflow/tensorflow', 'docker.io/istio/proxyv2:1.22.1'])(
    '%s is not an ML image',
    (raw) => {
      expect(mlImageFamily(parseImageRef(raw)!)).toBeNull();
    },
  );

  it('recognises the official TensorFlow image behind any registry', () => {
    expect(isOfficialTensorflow(parseImageRef('harbor.local/proxy/tensorflow/tensorflow:latest')!)).toBe(true);
    expect(isOfficialTensorflow(parseImageRef('tensorflow/serving')!)).toBe(false);
  });
});
