import { falcoKitDocuments } from '../../src/remediate/falco.js';
import { emptyOutput, type KitContribution } from '../../src/remediate/types.js';

/** No sensor to patch: the steps to install Falco with the values the kit writes. */
const installFalco: KitContribution = {
  area: 'falco',
  order: 2,
  generate({ own }) {
    const out = emptyOutput();
    if (own.length === 0) return out;
    out.manual.push({
      title: 'Install Falco',
      findings: [...own],
      text: [
        'No runtime sensor watches the nodes. Install Falco as a DaemonSet with the values kfscan wrote (its miner rules, and tolerations for the node taints it saw):',
        '```sh\nhelm repo add falcosecurity https://falcosecurity.github.io/charts\nhelm upgrade --install falco falcosecurity/falco -n falco --create-namespace -f falco/values.yaml\n```',
        'Then send its alerts where someone reads them (Falcosidekick to Slack, your SIEM or Alertmanager) and rescan.',
      ],
    });
    return out;
  },
};

export const remediation: readonly KitContribution[] = [installFalco, falcoKitDocuments];
