import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import { remediation } from './remediation.js';
import { runtimeSensors, sensorLabel } from '../../src/kube/falco.js';
import { unionOfKinds } from '../../src/core/kinds.js';
import { POD_TEMPLATE_KINDS } from '../../src/inventory/pod-template-kinds.js';
import { FALCO_KIT_READS } from '../../src/remediate/falco.js';
import { ABSENCE_ANCHOR_KINDS, absenceAnchor } from '../../src/kube/ml-platform.js';

const check = defineBuiltinCheck({
  meta: {
    id: 'falco-missing',
    title: 'No runtime threat detection on the nodes',
    category: 'falco-missing',
    severity: 'high',
    description:
      'Neither Falco nor an equivalent runtime sensor (Sysdig agent, Tetragon, KubeArmor, Tracee, Aqua Enforcer, Prisma Cloud Defender, CrowdStrike Falcon, Microsoft Defender for Containers, Datadog Cloud Workload Security, GuardDuty runtime agent, NeuVector) runs as a DaemonSet. Sensors are found by image and labels, not by name; a Falco that runs as a Deployment (plugins for audit logs) does not watch the nodes.',
    rationale:
      'In 2021 the miners ran for as long as nobody looked: Falco\'s Stratum rule or a drop-and-execute rule would have flagged the XMRig and Ethminer processes within seconds of the pipeline pods starting.',
    remediation:
      'Install Falco as a DaemonSet (`helm install falco falcosecurity/falco -n falco --create-namespace`) or another runtime sensor, add tolerations for GPU and other tainted nodes, and send its alerts somewhere people read (Falcosidekick, your SIEM).',
    tags: ['MS-TA9039'],
    // FALCO_KIT_READS: the kit's miner rules name the Kubeflow namespaces, its Helm values tolerate the nodes' taints.
    needs: unionOfKinds(['apps/DaemonSet', 'apps/Deployment', 'apps/StatefulSet', 'instance.falcosecurity.dev/Falco'], POD_TEMPLATE_KINDS, FALCO_KIT_READS, ABSENCE_ANCHOR_KINDS),
    absence: true,
  },
  *run(inventory) {
    const sensors = runtimeSensors(inventory);
    if (sensors.some((sensor) => sensor.mode === 'daemonset')) return;
    const scope = inventory.wholeCluster ? 'in the cluster' : 'in the scanned input';
    const deploymentFalco = sensors.find((sensor) => sensor.falco);
    if (deploymentFalco) {
      const isCr = deploymentFalco.resource.ref.kind === 'Falco';
      yield {
        resource: deploymentFalco.resource,
        path: isCr ? ['spec', 'type'] : ['kind'],
        message: `${sensorLabel(deploymentFalco)} is the only Falco ${scope}, and a Deployment sees Kubernetes audit or cloud events, not the system calls of pods: no runtime sensor DaemonSet watches the nodes, so a miner started in a pod goes unnoticed`,
      };
      return;
    }
    const anchor = absenceAnchor(inventory);
    yield {
      resource: null,
      message: `No Falco or equivalent runtime threat-detection DaemonSet ${scope}: a miner started in a pipeline or notebook pod goes unnoticed`,
      ...(anchor ? { anchor } : {}),
    };
  },
  attackPath: ['detection'],
  remediation,
});

export default check;
