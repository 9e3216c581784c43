import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import { scanManifests } from '../src/engine/scan.js';
import { cpuMsAsync } from './helpers/cpu-time.js';
import { tempDir } from './helpers/live.js';

// The whole offline scan (parsing and every check) on manifests whose every string field holds the same
// adversarial text, at a quarter of the size and at full size: four times the text must cost about four
// times the time (test/linear-time.test.ts holds the property over every matching entry point).
const KB = 1024;
const MAX_RATIO = 9;

function adversarial(pump: string, size: number): string {
  return pump.repeat(Math.ceil(size / pump.length)).slice(0, size);
}

describe('the whole scan on hostile manifests', () => {
  // The reported cases: a command of 720 KB (56 s before), a selector of 40,000 `$(` (19 s before).
  function manifest(dir: string, text: string): string {
    const file = path.join(dir, 'hostile.json');
    const value = JSON.stringify(text);
    writeFileSync(
      file,
      `{"apiVersion":"v1","kind":"List","items":[` +
        `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ml","annotations":{"a":${value}}},"spec":{"containers":[{"name":"c","image":"tensorflow/tensorflow:latest-gpu","command":["sh","-c",${value}],"env":[{"name":"E","value":${value}}]}]}},` +
        `{"apiVersion":"v1","kind":"Service","metadata":{"name":"istio-ingressgateway","namespace":"istio-system"},"spec":{"type":"LoadBalancer","selector":{"istio":${value}}}},` +
        `{"apiVersion":"networking.istio.io/v1beta1","kind":"Gateway","metadata":{"name":"g","namespace":"kubeflow"},"spec":{"selector":{"istio":${value}},"servers":[{"port":{"number":80,"name":"http","protocol":"HTTP"},"hosts":[${value}]}]}},` +
        `{"apiVersion":"networking.istio.io/v1beta1","kind":"VirtualService","metadata":{"name":"v","namespace":"kubeflow"},"spec":{"hosts":[${value}],"gateways":[${value}],"http":[{"route":[{"destination":{"host":${value}}}]}]}}]}`,
    );
    return file;
  }

  it.each([
    ['a 720 KB download-and-chmod command', 'curl x; chmod -x os.chmod(0, tensorboard ray start xmrig-1.linux', 720],
    ['a selector of 40,000 $(', '$(', 80],
    ['a miner file name of 720 KB in one argument', 'xmrig-1.linux.linux_cuda1', 720],
    ['labels of placeholders and template braces', '{{ $(a ${b _PLACEHOLDER', 1024],
  ])('%s is scanned in linear time', async (_, pump, kb) => {
    const dir = tempDir('kfscan-linear-');
    const scan = async (size: number): Promise<number> => {
      const sub = path.join(dir, String(size));
      mkdirSync(sub);
      const file = manifest(sub, adversarial(pump, size));
      let resources = 0;
      const spent = await cpuMsAsync(async () => {
        resources = (await scanManifests([file], { cwd: sub, checks: builtinChecks })).result.scanned.resources;
      });
      expect(resources).toBe(4);
      return spent;
    };
    const small = await scan((kb * KB) / 4);
    const large = await scan(kb * KB);
    // Generous: a quadratic match alone took 19 s to 56 s here.
    expect(large < 2000 || large <= MAX_RATIO * small, `${small.toFixed(0)} ms for ${kb / 4} KB, ${large.toFixed(0)} ms for ${kb} KB`).toBe(true);
  }, 120_000);
});
