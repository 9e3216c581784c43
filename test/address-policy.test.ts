import { describe, expect, it } from 'vitest';
import { refusal, resolveChecked } from '../src/probe/address-policy.js';

// Which addresses `--probe` may connect to, in every spelling (test/probe-policy.test.ts probes with it).
const STRICT = { allowLocal: false };
const LAB = { allowLocal: true };

describe('the probe address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:0001', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['169.254.10.20', 'link-local'],
    ['fe80::1', 'link-local'],
    ['::ffff:169.254.10.20', 'link-local'],
  ])('refuses %s (%s) unless local addresses are allowed', (address, what) => {
    expect(refusal(address, STRICT)).toBe(`${address} is a ${what} address (--probe-allow-local probes it)`);
    expect(refusal(address, LAB)).toBeNull();
  });

  it.each(['169.254.169.254', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', '2002:a9fe:a9fe::1', 'fd00:ec2::254', 'FD00:EC2:0:0:0:0:0:254', '100.100.100.200', '169.254.170.2', 'fd20:ce::254', '168.63.129.16'])(
    'always refuses the cloud metadata address %s',
    (address) => {
      expect(refusal(address, LAB)).toBe(`${address} is a cloud metadata address`);
    },
  );

  it.each(['metadata.google.internal', 'METADATA.GOOGLE.INTERNAL.', 'metadata', 'instance-data.ec2.internal'])('always refuses the metadata name %s', (name) => {
    expect(refusal(name, LAB)).toBe(`${name} is a cloud metadata service`);
  });

  it.each(['203.0.113.10', '10.0.0.7', '192.168.1.20', '2001:db8::1', 'fd12:3456::1', 'a1b2.elb.amazonaws.com'])('lets %s through (public, private or a name)', (address) => {
    expect(refusal(address, STRICT)).toBeNull();
  });

  it('checks every address a name resolves to, and hands on the one it checked', async () => {
    const answers: Record<string, string[]> = {
      'lb.example': ['203.0.113.10'],
      'mixed.example': ['203.0.113.10', '127.0.0.1'],
      'imds.example': ['169.254.169.254'],
      'six.example': ['::ffff:127.0.0.1'],
    };
    const resolver = (name: string): Promise<string[]> => Promise.resolve(answers[name] ?? []);
    expect(await resolveChecked('lb.example', STRICT, resolver)).toEqual({ address: '203.0.113.10', refused: null });
    expect(await resolveChecked('mixed.example', STRICT, resolver)).toEqual({ address: null, refused: 'mixed.example resolves to 127.0.0.1 is a loopback address (--probe-allow-local probes it)' });
    expect(await resolveChecked('imds.example', LAB, resolver)).toEqual({ address: null, refused: 'imds.example resolves to 169.254.169.254 is a cloud metadata address' });
    expect(await resolveChecked('six.example', STRICT, resolver)).toMatchObject({ address: null });
    expect(await resolveChecked('nowhere.example', STRICT, resolver)).toEqual({ address: null, refused: 'name not resolved' });
  });
});

