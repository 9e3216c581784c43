import type { JsonObject } from '../../src/core/json.js';
import { asArray, asObject } from '../../src/core/json.js';
import { falcoRules, sensorLabel, type RuntimeSensor } from '../../src/kube/falco.js';
import { containerFiles } from '../../src/kube/pod-files.js';
import { MANAGED_BY, patchHead, refText, slug } from '../../src/remediate/common.js';
import { falcoKitDocuments, falcoRulesText, helmHint, nested, sensorOf, type PartialFix } from '../../src/remediate/falco.js';
import { RULES_FILE_NAME } from '../../src/remediate/falco-rules-file.js';
import { emptyOutput, type KitContext, type KitContribution } from '../../src/remediate/types.js';
import { trimEnd } from '../../src/core/text-scan.js';

const RULES_CONFIGMAP = 'kfscan-falco-miner-rules';
const RULES_VOLUME = 'kfscan-miner-rules';
const PROJECTABLE = ['configMap', 'secret', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle'];

/** kfscan's miner rules in a ConfigMap, mounted where the Falco DaemonSet loads rules from. */
const loadMinerRules: KitContribution = {
  area: 'falco',
  order: 0,
  generate(context) {
    const out = emptyOutput();
    const rulesText = falcoRulesText(context.inventory);
    for (const finding of context.own) {
      const sensor = sensorOf(context.inventory, finding);
      const fix = sensor ? rulesFix(sensor, rulesText, context) : { reason: 'kfscan could not find the Falco this finding is about.' };
      if ('reason' in fix) out.manual.push({ title: `Load kfscan's miner rules into ${finding.resource ? refText(finding.resource) : 'Falco'}`, findings: [finding], text: [fix.reason, helmHint()] });
      else out.fixes.push({ ...fix, candidates: [finding] });
    }
    return out;
  },
};

export const remediation: readonly KitContribution[] = [loadMinerRules, falcoKitDocuments];

function rulesFix(sensor: RuntimeSensor, rulesText: string, { inventory }: KitContext): PartialFix {
  if (sensor.resource.ref.kind !== 'DaemonSet' || !sensor.pod || !sensor.container || sensor.operatorNamespace !== null) {
    return { reason: `${sensorLabel(sensor)} is run by the Falco operator: add the rules as a Rulesfile with inline rules (falco/${RULES_FILE_NAME}).` };
  }
  const directory = falcoRules(inventory, sensor).sources.directories[0];
  if (!directory) {
    return { reason: `${sensorLabel(sensor)} loads no rules directory, so a new rules file needs a change to its rules_files; add falco/${RULES_FILE_NAME} to them.` };
  }
  const namespace = sensor.resource.ref.namespace ?? 'default';
  const podSpec = sensor.pod.spec as JsonObject;
  const mount = containerFiles(sensor.container, inventory).volumeAt(directory);
  const volume = mount ? asArray(podSpec['volumes']).map(asObject).find((v) => v?.['name'] === mount.volumeName) ?? null : null;
  const projectable = volume !== null && (asObject(volume['projected']) !== null || PROJECTABLE.some((kind) => asObject(volume[kind]) !== null));
  const file = `${trimEnd(directory, '/')}/${RULES_FILE_NAME}`;

  let podPatch: JsonObject;
  let how: string;
  if (mount && volume && projectable) {
    // A ConfigMap or Secret volume is read-only: nothing can be mounted inside it, so the rules join it
    // as one more source of a projected volume, at the path below the mount.
    const below = directory === mount.mountPath ? '' : `${directory.slice(mount.mountPath.length + 1)}/`;
    const projected = asObject(volume['projected']);
    const sources = projected ? asArray(projected['sources']) : PROJECTABLE.filter((kind) => asObject(volume[kind])).map((kind) => ({ [kind]: withoutDefaultMode(asObject(volume[kind])!) }));
    const defaultMode = projected?.['defaultMode'] ?? PROJECTABLE.map((kind) => asObject(volume[kind])?.['defaultMode']).find((mode) => mode !== undefined);
    const replaced: JsonObject = { name: mount.volumeName };
    for (const kind of PROJECTABLE) if (volume[kind] !== undefined) replaced[kind] = null;
    replaced['projected'] = {
      ...(defaultMode !== undefined ? { defaultMode } : {}),
      sources: [...sources, { configMap: { name: RULES_CONFIGMAP, items: [{ key: RULES_FILE_NAME, path: `${below}${RULES_FILE_NAME}` }] } }],
    };
    podPatch = { volumes: [replaced] };
    how = `Volume ${mount.volumeName}, mounted at ${mount.mountPath}, becomes a projected volume that adds the ConfigMap's file as ${file} (a ConfigMap volume is read-only, so nothing can be mounted inside it).`;
  } else {
    podPatch = {
      containers: [{ name: sensor.container.name, volumeMounts: [{ name: RULES_VOLUME, mountPath: file, subPath: RULES_FILE_NAME, readOnly: true }] }],
      volumes: [{ name: RULES_VOLUME, configMap: { name: RULES_CONFIGMAP } }],
    };
    how = `The Falco container mounts the ConfigMap's file at ${file}.`;
  }
  const slugName = slug(namespace, sensor.resource.ref.name);
  return {
    id: `falco-rules-${slugName}`,
    area: 'falco',
    title: `Load kfscan's crypto-miner rules into ${sensorLabel(sensor)}`,
    explanation: [
      `Adds ConfigMap ${namespace}/${RULES_CONFIGMAP} with the rules file ${RULES_FILE_NAME} and patches ${refText(sensor.resource.ref)} so that Falco loads it from ${directory}, a directory in its rules_files. ${how}`,
      `The file defines "Detect crypto miners using the Stratum protocol", "Known Cryptominer Process Executed" and "Detect outbound connections to common miner pool ports" (enabled: Falco resolves the listed pool host names by DNS to match connections to them), and a rule for connections from the Kubeflow namespaces to ports only mining pools use. It is self-contained, so it loads next to any version of the upstream rules.`,
      'The patch changes the pod template: the DaemonSet rolls its pods. Check the Falco logs for "Loading rules from file ' + file + '" afterwards. If Falco is managed with Helm, apply falco/values.yaml with `helm upgrade` instead: the next upgrade would undo this patch.',
    ],
    manifests: [
      {
        path: `resources/configmap-${slugName}-miner-rules.yaml`,
        role: 'resource',
        objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: RULES_CONFIGMAP, namespace, labels: { ...MANAGED_BY } }, data: { [RULES_FILE_NAME]: rulesText } }],
      },
      { path: `patches/daemonset-${slugName}-miner-rules.yaml`, role: 'patch', objects: [nested(patchHead(sensor.resource), sensor.podSpecPath, podPatch)], target: sensor.resource.ref },
    ],
    addresses: [],
  };
}

function withoutDefaultMode(source: JsonObject): JsonObject {
  const { defaultMode: _ignored, ...rest } = source;
  return rest;
}
