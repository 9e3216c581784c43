import { describe, expect, it } from 'vitest';
import { redactCredentials, redactDeep } from '../src/core/credentials.js';
import { excerptOf } from '../src/probe/redact.js';

// What looks like a credential in text kfscan prints is replaced, wherever it sits in the text.
describe('redactCredentials', () => {
  it.each([
    ['stratum+tcp://wallet.worker:S3cretPass@pool.example:3333', 'stratum+tcp://<redacted>@pool.example:3333'],
    ['the Stratum mining URL stratum+ssl://u:p@ss@pool.example', 'the Stratum mining URL stratum+ssl://<redacted>@pool.example'],
    ['server https://admin:hunter22@10.0.0.1:6443/?token=abcdef123&x=1', 'server https://<redacted>@10.0.0.1:6443/?token=<redacted>&x=1'],
    ['https://ghp_0123456789abcdef@github.com/org/repo.git', 'https://<redacted>@github.com/org/repo.git'],
    ['--password=hunter22 --user=bob', '--password=<redacted> --user=bob'],
    ['POOL_PASS=x1y2z3 and client-secret: "abcdef"', 'POOL_PASS=<redacted> and client-secret: <redacted>'],
    ['{"clientSecret":"abc12345","id":"x"}', '{"clientSecret":"<redacted>"'],
    ['key id AKIAIOSFODNN7EXAMPLE in env', 'key id <redacted> in env'],
    ['Authorization: Bearer abc.def.ghi123', 'Authorization: Bearer <redacted>'],
    ['Authorization: Digest username="admin", realm="x"', 'Authorization: Digest <redacted>, realm="x"'],
    ['jwt eyJhbGciOiJI.eyJzdWIiOiIx.c2lnbmF0dXJl here', 'jwt <redacted> here'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIabc\n-----END RSA PRIVATE KEY----- after', '<redacted> after'],
  ])('%s', (text, expected) => {
    expect(redactCredentials(text).startsWith(expected) || redactCredentials(text) === expected, redactCredentials(text)).toBe(true);
  });

  it('leaves ordinary text, env references and IOC hosts alone', () => {
    for (const text of [
      'Service istio-system/istio-ingressgateway is type LoadBalancer',
      'the Stratum mining URL stratum+tcp://pool.supportxmr.com:3333',
      'Dex static user admin@kubeflow.org has the published default password',
      'hashFromEnv=DEX_HASH password=$DEX_PASSWORD token=${TOKEN}',
      'image docker.io/tensorflow/tensorflow:latest-gpu',
      'https://github.com/kfscan/kfscan/blob/main/checks/x/README.md',
      'Secret: forbidden (skipped (--no-secrets))',
      // kfscan's own advice on images: a digest is no HTTP Digest credential.
      'Pin the image by digest (`tensorflow/tensorflow:2.16.1-gpu@sha256:...`) or at least a version tag',
    ]) {
      expect(redactCredentials(text)).toBe(text);
    }
  });

  it('redacts every string of a structure', () => {
    expect(redactDeep({ a: ['x https://u:p@h/', 1, null], b: { c: 'token=abcd1234' } })).toEqual({ a: ['x https://<redacted>@h/', 1, null], b: { c: 'token=<redacted>' } });
  });
});

describe('probe excerpts', () => {
  it('carry no user information, plain password or AWS key id', () => {
    for (const [body, type] of [
      ['{"user":"a","password":"hunt3r2!x","endpoint":"https://admin:s3cr3tpw@db.internal/x","key":"AKIAIOSFODNN7EXAMPLE"}', 'application/json'],
      ['login ok password=hunt3r2!x see https://admin:s3cr3tpw@db.internal/ AKIAIOSFODNN7EXAMPLE', 'text/plain'],
      ['<html><title>db https://admin:s3cr3tpw@db.internal AKIAIOSFODNN7EXAMPLE</title></html>', 'text/html'],
    ] as const) {
      const excerpt = excerptOf(body, type)!;
      expect(excerpt).not.toMatch(/hunt3r2|s3cr3tpw|AKIAIOSFODNN7EXAMPLE/);
    }
  });
});
