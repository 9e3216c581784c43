import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChild, sandboxEnv } from '../src/render/child.js';
import { isRemote } from '../src/render/kustomization-refs.js';
import { copiedSecretValues, redactor } from '../src/render/redact.js';
import { toolErrorLine } from '../src/render/tool-errors.js';
import { kfscan } from './helpers/cli.js';
import { docs, trainer, writeTree } from './helpers/tree.js';

const KUBECTL = path.join(process.env['KFSCAN_TEST_RENDER_TOOLS'] ?? '', 'kubectl');
const hasPinnedTools = process.env['KFSCAN_TEST_RENDER_TOOLS'] !== undefined;

describe('the render sandbox, behind the checks that refuse remote and out-of-root files', () => {
  it.skipIf(!hasPinnedTools)('makes a remote base that got through fail at once, without the network: no proxy, no git transport', async () => {
    const dir = writeTree({ 'kustomization.yaml': 'resources: ["https://github.com/kubeflow/manifests//common/dex/base?ref=v1.3.0"]\n' });
    const home = mkdtempSync(path.join(os.tmpdir(), 'kfscan-sandbox-'));
    const started = Date.now();
    const run = await runChild(KUBECTL, ['kustomize', dir], { env: sandboxEnv({ home, allowNetwork: false, parentEnv: process.env }), cwd: home, timeoutMs: 20_000, maxOutputBytes: 1e6 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/127\.0\.0\.1:9|transport 'https' not allowed/);
  });

  it('passes nothing of the caller\u2019s environment on', () => {
    const env = sandboxEnv({ home: '/tmp/h', allowNetwork: false, parentEnv: { GITHUB_TOKEN: 'x', AWS_SECRET_ACCESS_KEY: 'y', KUBECONFIG: '/root/.kube/config', PATH: '/opt/evil' } });
    expect(Object.values(env).join(' ')).not.toMatch(/\bx\b|\by\b|\/root|\/opt\/evil/);
    expect(env['HOME']).toBe('/tmp/h');
    expect(env['GIT_ALLOW_PROTOCOL']).toBe('');
    expect(env['HTTPS_PROXY']).toBe('http://127.0.0.1:9');
    const remote = sandboxEnv({ home: '/tmp/h', allowNetwork: true, parentEnv: { HTTPS_PROXY: 'http://proxy:3128', GITHUB_TOKEN: 'x' } });
    expect(remote['HTTPS_PROXY']).toBe('http://proxy:3128');
    expect(remote['GITHUB_TOKEN']).toBeUndefined();
  });

  describe('a tool that hangs or floods', () => {
    // A stand-in that answers `version` as kustomize does, then misbehaves on `build`.
    const fake = (build: string): string => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'kfscan-fake-kustomize-'));
      const file = path.join(dir, 'kustomize');
      writeFileSync(file, `#!/bin/sh\nif [ "$1" = version ] && [ -z "$2" ]; then echo v5.0.0; exit 0; fi\nif [ "$1" = version ]; then exit 1; fi\n${build}\n`);
      chmodSync(file, 0o755);
      return file;
    };
    const tree = () => writeTree({ 'app/kustomization.yaml': 'resources: [a.yaml]\n', 'app/a.yaml': docs(trainer('a', 'tensorflow/tensorflow:latest')) });

    it('is stopped at the timeout, naming the root', () => {
      const started = Date.now();
      const run = kfscan(['scan', '.', '-f', 'json', '--fail-on', 'none', '--kustomize-bin', fake('sleep 60'), '--render-timeout', '1'], { cwd: tree() });
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(run.code).toBe(3);
      expect(JSON.parse(run.stdout).errors).toEqual([{ file: 'app', message: 'kustomization not rendered: kustomize build timed out after 1 s (its YAML files are scanned as they are)' }]);
    });

    it('is stopped past --max-file-size of output', () => {
      const run = kfscan(['scan', '.', '-f', 'json', '--fail-on', 'none', '--kustomize-bin', fake('yes "a: b"'), '--max-file-size', '1'], { cwd: tree() });
      expect(run.code).toBe(3);
      expect(JSON.parse(run.stdout).errors[0].message).toBe('kustomization not rendered: kustomize build rendered output above the 1.0 MB limit (raise it with --max-file-size) (its YAML files are scanned as they are)');
    });
  });
});

describe('remote references', () => {
  it.each([
    ['https://github.com/org/repo//base?ref=v1', true],
    ['git::https://example.com/repo.git', true],
    ['git@github.com:org/repo.git//base', true],
    ['ssh://git@example.com/repo', true],
    ['github.com/kubernetes-sigs/kustomize/examples/multibases?ref=v1.0.6', true],
    ['oci://registry.example/charts', true],
    ['../base', false],
    ['overlays/prod', false],
    ['deployment.yaml', false],
    ['/abs/path', false],
  ])('%s is remote: %s', (value, remote) => {
    expect(isRemote(value)).toBe(remote);
  });
});

describe('secret values kustomize copied', () => {
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { token: Buffer.from('s3cr3t-value').toString('base64') }, stringData: { plain: 'plain-secret' } };
  const copiedInto = (name: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name } });

  it('are those found in another object but not in its source text', () => {
    const copied = copiedSecretValues([
      { obj: secret, sourceText: null },
      { obj: copiedInto('app-plain-secret'), sourceText: 'name: app-$(PLAIN)' },
      { obj: copiedInto(`x-${secret.data.token}`), sourceText: 'name: x-$(TOKEN)' },
      // Written by the user into both files: not kfscan's to hide.
      { obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 's3cr3t-value' } }, sourceText: 'a: s3cr3t-value' },
    ]);
    expect(copied.sort()).toEqual([secret.data.token, 'plain-secret'].sort());
  });

  it('are redacted in every string of a report, whatever they hold, in linear time', () => {
    const redact = redactor(['a.b*c(', 'x'.repeat(30)]);
    expect(redact({ message: 'name a.b*c( and a.b*c(', list: ['x'.repeat(31)], n: 3 })).toEqual({ message: 'name <redacted> and <redacted>', list: ['<redacted>x'], n: 3 });
    const long = `${'a'.repeat(200_000)}!`;
    const hostile = redactor(['a'.repeat(100) + 'b']);
    const started = Date.now();
    expect(hostile(long)).toBe(long);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('tool errors', () => {
  it('keep paths and drop quoted content, which comes from the scanned files', () => {
    const dir = writeTree({ 'app/kustomization.yaml': '' });
    expect(toolErrorLine(`E1206 21:54:19.896258   31362 run.go:72] "command failed" err="invalid Kustomization: yaml: unknown anchor 'MY-SECRET' referenced"`, dir)).toBe("invalid Kustomization: yaml: unknown anchor '…' referenced");
    expect(toolErrorLine('E1206 22:09:43.494998   22911 run.go:72] "command failed" err=<\n\tconsidering field \'spec/x\' of object D: wrong node kind\n\timage: secret-looking\n >\n', dir)).toBe("considering field '…' of object D: wrong node kind");
    expect(toolErrorLine('Error: You may need to run `helm dependency build` to fetch missing dependencies: `x`', dir)).toBe('You may need to run `helm dependency build` to fetch missing dependencies: `…`');
    expect(toolErrorLine("# Warning: 'vars' is deprecated\nError: accumulating resources from 'app/kustomization.yaml': bad `value-SECRET`", dir)).toBe("accumulating resources from 'app/kustomization.yaml': bad `…`");
  });
});
