import { stringify } from 'yaml';
import { MINER_NAMES, MINER_PORTS } from '../kube/miner-iocs.js';
import { POOL_HOSTS } from '../kube/mining-pools.js';
import { MINER_PROCESS_RULE, POOL_RULE, STRATUM_RULE } from '../kube/falco-rules.js';

// kfscan's own Falco rules against miners. The two rules kfscan checks for keep their upstream names, so
// that kfscan's own check of Falco's rules (and anyone who greps for them) finds them, and a later install of
// the sandbox set replaces rather than duplicates them. Lists and macros carry a `kfscan_` prefix and do
// not lean on upstream macros (spawned_process, rfc_1918_addresses): the file loads on its own, next to
// any version of the upstream rules, from the Falco 0.2x of 2021 to today's.

export const RULES_FILE_NAME = 'kfscan-miner-rules.yaml';
export const ML_POOL_PORT_RULE = 'kfscan: connection to a mining-pool port from an ML namespace';

// Ports of Falco's miner_ports list that ordinary services also use: a connection to them alone says
// nothing, so the port-only rule leaves them out.
const ORDINARY_PORTS = new Set([25, 8000, 8001, 8008, 8080, 8118, 8333, 8888, 8899, 9332]);

const PRIVATE_NETWORKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16'];

const MITRE = ['mitre_impact', 'T1496', 'kfscan'];

export interface FalcoRuleItem {
  rule?: string;
  macro?: string;
  list?: string;
  [key: string]: unknown;
}

/**
 * The rules: Stratum URLs in a new process's command line, a process named like a known miner,
 * connections to known pool hosts (any port), and, in the namespaces where Kubeflow runs pipelines and
 * notebooks, connections to the ports only mining pools use.
 */
export function minerRuleItems(mlNamespaces: readonly string[]): FalcoRuleItem[] {
  const stratumPorts = [...MINER_PORTS].filter((port) => !ORDINARY_PORTS.has(port)).sort((a, b) => a - b);
  const items: FalcoRuleItem[] = [
    { list: 'kfscan_miner_binaries', items: [...MINER_NAMES] },
    // The maintained list (src/kube/data/mining-pools.json, with its sources): Falco's miner_domains and
    // the pools it predates. `fd.sip.name` only matches names written out in full, so these are hosts.
    { list: 'kfscan_miner_pool_hosts', items: [...POOL_HOSTS] },
    { list: 'kfscan_stratum_ports', items: stratumPorts },
    { list: 'kfscan_private_networks', items: PRIVATE_NETWORKS.map((net) => `"${net}"`) },
    { macro: 'kfscan_spawned_process', condition: 'evt.type in (execve, execveat) and evt.dir = <' },
    {
      macro: 'kfscan_outbound_connection',
      condition:
        'evt.type = connect and evt.dir = < and (fd.typechar = 4 or fd.typechar = 6) and fd.sip != "0.0.0.0" and not fd.snet in (kfscan_private_networks) and (evt.rawres >= 0 or evt.res = EINPROGRESS)',
    },
    {
      rule: STRATUM_RULE,
      desc: 'A new process names a mining pool by a Stratum URL (stratum+tcp, stratum+ssl, stratum2+...) in its command line, as XMRig and Ethminer did in the 2021 Kubeflow campaign. Written by kfscan remediate; same name as the upstream sandbox rule.',
      condition:
        'kfscan_spawned_process and (proc.cmdline contains "stratum+tcp" or proc.cmdline contains "stratum+ssl" or proc.cmdline contains "stratum+tls" or proc.cmdline contains "stratum2+tcp" or proc.cmdline contains "stratum2+ssl")',
      output:
        'Crypto miner started with a Stratum URL (command=%proc.cmdline process=%proc.name parent=%proc.pname user=%user.name container=%container.id image=%container.image.repository namespace=%k8s.ns.name pod=%k8s.pod.name)',
      priority: 'CRITICAL',
      tags: ['host', 'container', 'process', ...MITRE],
    },
    {
      rule: MINER_PROCESS_RULE,
      desc: 'A process runs under the name of a known crypto miner (XMRig, Ethminer, T-Rex, lolMiner, ...). Written by kfscan remediate; same name as the upstream sandbox rule.',
      condition: 'kfscan_spawned_process and proc.name in (kfscan_miner_binaries)',
      output:
        'Known crypto miner process started (process=%proc.name command=%proc.cmdline parent=%proc.pname user=%user.name container=%container.id image=%container.image.repository namespace=%k8s.ns.name pod=%k8s.pod.name)',
      priority: 'CRITICAL',
      tags: ['host', 'container', 'process', ...MITRE],
    },
    {
      rule: POOL_RULE,
      desc: 'A process connects to a known mining pool host, on any port. Falco resolves the pool host names in the list by DNS to match them, which is why the upstream rule ships disabled; kfscan enables it. Written by kfscan remediate; same name as the upstream sandbox rule.',
      condition: 'kfscan_outbound_connection and fd.sip.name in (kfscan_miner_pool_hosts)',
      output:
        'Connection to a crypto-mining pool (connection=%fd.name pool=%fd.sip.name process=%proc.name command=%proc.cmdline user=%user.name container=%container.id image=%container.image.repository namespace=%k8s.ns.name pod=%k8s.pod.name)',
      priority: 'CRITICAL',
      tags: ['host', 'container', 'network', ...MITRE],
    },
  ];
  if (mlNamespaces.length > 0) {
    items.push(
      { list: 'kfscan_ml_namespaces', items: [...mlNamespaces] },
      {
        rule: ML_POOL_PORT_RULE,
        desc: 'A pod in a namespace where Kubeflow runs pipelines or notebooks connects to a public address on a port that mining pools use and ordinary services do not (3333, 4444, 14444, 45700, ...). Written by kfscan remediate from the namespaces it found.',
        condition: 'kfscan_outbound_connection and k8s.ns.name in (kfscan_ml_namespaces) and fd.sport in (kfscan_stratum_ports)',
        output:
          'ML pod connected to a mining-pool port (connection=%fd.name process=%proc.name command=%proc.cmdline container=%container.id image=%container.image.repository namespace=%k8s.ns.name pod=%k8s.pod.name)',
        priority: 'WARNING',
        tags: ['container', 'network', ...MITRE],
      },
    );
  }
  return items;
}

/** The rules file as Falco reads it: a YAML list of lists, macros and rules, in dependency order. */
export function minerRulesFile(mlNamespaces: readonly string[]): string {
  const header = [
    '# Falco rules written by kfscan remediate: crypto-miner detection for the Kubeflow attack path.',
    '# Self-contained (own lists and macros), valid for Falco 0.26 and later; load it as a rules file',
    '# (rules_files, a rules.d directory, or the Helm chart customRules).',
  ].join('\n');
  return `${header}\n${stringify(minerRuleItems(mlNamespaces), { lineWidth: 0 })}`;
}
