import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeObject } from '../src/core/object-ref.js';

const ROOT = path.resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('naming an object in messages', () => {
  it('is "Kind namespace/name", or "Kind name" for cluster-scoped objects', () => {
    expect(describeObject({ kind: 'Service', namespace: 'istio-system', name: 'istio-ingressgateway' })).toBe('Service istio-system/istio-ingressgateway');
    expect(describeObject({ kind: 'Namespace', namespace: null, name: 'kubeflow' })).toBe('Namespace kubeflow');
  });

  it('is written once: src/core/object-ref.ts', () => {
    // The optional `namespace/` in a template is the mark of a copy of the formatter.
    const copy = /\$\{[\w.?]*namespace\s*\?\s*`\$\{[\w.?]*namespace\}\/`\s*:\s*''\}/;
    const copies = [...sources(path.join(ROOT, 'src')), ...sources(path.join(ROOT, 'checks'))]
      .filter((file) => copy.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(ROOT, file).split(path.sep).join('/'));
    expect(copies).toEqual(['src/core/object-ref.ts']);
  });
});
