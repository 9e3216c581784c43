// Excerpts quote manifests, and manifests hold credentials in every shape: each shape is redacted, and
// excerpts stay short.
import { describe, expect, it } from 'vitest';
import { MAX_LINE, MAX_OBJECT_LINES, fileRedactor, objectExcerpt, sourceExcerpt } from '../src/evidence/excerpt.js';
import { REDACTED } from '../src/evidence/redact.js';
import { secretValues } from '../src/evidence/secret-values.js';
import { inventoryFromYaml as inventory } from './helpers/inventory.js';

const SECRET = 'S3cr3tValue-';

function excerptOf(text: string, line: number, file = 'x.yaml', known: string[] = []): string[] {
  return sourceExcerpt(file, text, line, 1, fileRedactor(file, text, known))!.lines.map((l) => l.text);
}

describe('excerpt redaction', () => {
  it.each([
    ['a key that names a credential', `password: ${SECRET}1`],
    ['a quoted key', `"client_secret": "${SECRET}2"`],
    ['a config file line', `cookie_secret = "${SECRET}3"`],
    ['a flag', `  - --cookie-secret=${SECRET}4`],
    ['an env entry in flow style', `  - {name: DB_PASSWORD, value: ${SECRET}5}`],
    ['a password flag and its word', `command: [xmrig, -o, pool:3333, -p, ${SECRET}6]`],
    ['a bcrypt hash', `hash: "$2y$10$${'a'.repeat(53)}"`],
    ['a JWT', `note: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.c2lnbmF0dXJlLXZhbHVl`],
  ])('%s', (_name, line) => {
    const lines = excerptOf(['kind: ConfigMap', 'data:', `  ${line}`, 'x: y'].join('\n'), 3);
    expect(lines.join('\n')).not.toMatch(/S3cr3t|\$2y\$|eyJhbGci/);
    expect(lines.join('\n')).toContain(REDACTED);
  });

  it('env values on the line after their name, block scalars under secret names, and private keys', () => {
    const text = ['env:', '  - name: API_TOKEN', `    value: ${SECRET}7`, 'password: |', `  ${SECRET}8`, `  ${SECRET}9`, 'tls: |', '  -----BEGIN PRIVATE KEY-----', `  ${SECRET}10`, '  -----END PRIVATE KEY-----', 'after: ok'].join('\n');
    const lines = excerptOf(text, 6).concat(excerptOf(text, 9));
    expect(lines.join('\n')).not.toContain('S3cr3t');
    expect(lines).toContain('after: ok');
  });

  it('the data of Secret documents, next to the flagged object, in YAML and JSON', () => {
    const yaml = ['apiVersion: v1', 'kind: Service', 'metadata: {name: a}', '---', 'apiVersion: v1', 'kind: Secret', 'metadata: {name: s}', 'data:', `  opaque: ${Buffer.from(SECRET).toString('base64')}`, `  other: ${SECRET}11`, 'type: Opaque'].join('\n');
    const lines = excerptOf(yaml, 6);
    expect(lines.join('\n')).not.toMatch(/S3cr3t|UzNjcjN0/);
    expect(lines).toContain('  opaque: <redacted>');
    expect(lines).toContain('kind: Secret');
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { a: `${SECRET}12` } }, null, 2);
    expect(excerptOf(json, 4, 'x.json').join('\n')).not.toContain('S3cr3t');
    expect(excerptOf(`password=${SECRET}13\nuser=admin`, 1, 'secret.env')).toEqual(['password=<redacted>', 'user=<redacted>']);
  });

  it('values the objects show to be secret, wherever they appear again', () => {
    const objects = inventory(
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata: {name: s, namespace: ml}',
        `stringData: {key: "${SECRET}14"}`,
        '---',
        'apiVersion: v1',
        'kind: Pod',
        'metadata: {name: p, namespace: ml}',
        `spec: {containers: [{name: c, image: i, args: ["--password", "${SECRET}15"], env: [{name: ADMIN_PASS, value: "${SECRET}16"}]}]}`,
      ].join('\n'),
    );
    const known = secretValues([objects]);
    expect(known).toEqual(expect.arrayContaining([`${SECRET}14`, `${SECRET}15`, `${SECRET}16`]));
    const elsewhere = ['note: the value is ' + `${SECRET}14`, `banner: ${SECRET}16 here`].join('\n');
    expect(excerptOf(elsewhere, 1, 'other.yaml', known).join('\n')).not.toContain('S3cr3t');
  });
});

describe('excerpt bounds', () => {
  it('seven numbered lines around the flagged one, long lines cut around its column', () => {
    const text = Array.from({ length: 40 }, (_, i) => `line${i + 1}: ${'v'.repeat(i === 19 ? 5000 : 3)}`).join('\n');
    const excerpt = sourceExcerpt('x.yaml', text, 20, 4000, fileRedactor('x.yaml', text, []))!;
    expect(excerpt.lines.map((l) => l.line)).toEqual([17, 18, 19, 20, 21, 22, 23]);
    expect(excerpt.highlight).toBe(20);
    for (const l of excerpt.lines) expect(l.text.length).toBeLessThanOrEqual(MAX_LINE + 2);
    expect(sourceExcerpt('x.yaml', text, 99, 1, fileRedactor('x.yaml', text, []))).toBeNull();
  });

  it('a live object shows its name and the flagged field with its siblings, Secret data and secret values redacted', () => {
    const objects = inventory(
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: trainer, namespace: ml, labels: {a: b}}',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        `        - {name: sidecar, image: "busybox:1"}`,
        `        - {name: train, image: "tensorflow/tensorflow:latest", env: [{name: AWS_SECRET_ACCESS_KEY, value: "${SECRET}17"}], args: [${Array.from({ length: 40 }, (_, i) => `a${i}`).join(', ')}]}`,
        '---',
        'apiVersion: v1',
        'kind: Secret',
        'metadata: {name: s, namespace: ml}',
        `data: {k: ${Buffer.from(`${SECRET}18`).toString('base64')}}`,
      ].join('\n'),
    );
    const deployment = objects.get('Deployment', 'ml', 'trainer')!;
    const excerpt = objectExcerpt(deployment.obj, ['spec', 'template', 'spec', 'containers', 1, 'image'], []);
    const text = excerpt.lines.map((l) => l.text).join('\n');
    expect(text).toContain('name: trainer');
    expect(excerpt.lines.find((l) => l.line === excerpt.highlight)!.text).toBe('          image: tensorflow/tensorflow:latest');
    expect(text).not.toContain('S3cr3t');
    expect(text).not.toContain('sidecar');
    expect(excerpt.lines.length).toBeLessThanOrEqual(MAX_OBJECT_LINES);
    const secret = objectExcerpt(objects.get('Secret', 'ml', 's')!.obj, ['data', 'k'], []);
    expect(secret.lines.map((l) => l.text).join('\n')).not.toMatch(/S3cr3t|UzNjcjN0/);
    expect(secret.lines.find((l) => l.line === secret.highlight)!.text).toBe('  k: <redacted>');
  });
});
