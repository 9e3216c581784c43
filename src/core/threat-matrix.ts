// The Microsoft Threat Matrix for Kubernetes (github.com/microsoft/Threat-Matrix-for-Kubernetes, CC BY 4.0):
// the ids checks carry as tags, with their titles and pages, so that a report can give a legend of the tags
// it uses and link each to its upstream page. Titles and page paths are the matrix's own (docs/techniques
// and docs/mitigations, as of its January 2023 revision); the site builds one page per file.

const SITE = 'https://microsoft.github.io/Threat-Matrix-for-Kubernetes/';

export interface ThreatMatrixEntry {
  id: string;
  title: string;
  /** `technique` (MS-TA) or `mitigation` (MS-M). */
  kind: 'technique' | 'mitigation';
  /** The tactic a technique belongs to (`Initial Access`, `Impact`, ...). */
  tactic: string | null;
  url: string;
}

// id: [title, page path on the site, tactic]
const MATRIX: Readonly<Record<string, readonly [string, string, string?]>> = {
  'MS-M9001': ['Multi-factor authentication', 'mitigations/MS-M9001 Multi-factor Authentication'],
  'MS-M9002': ['Restrict access to the API server using IP firewall', 'mitigations/MS-M9002 Restrict access to the API server using IP firewall'],
  'MS-M9003': ['Adhere to least-privilege principle', 'mitigations/MS-M9003 Adhere to least-privilege principle'],
  'MS-M9004': ['Secure CI/CD environment', 'mitigations/MS-M9004 Secure CI CD environment'],
  'MS-M9005': ['Image assurance policy', 'mitigations/MS-M9005'],
  'MS-M9005.001': ['Gate generated images in CI/CD pipeline', 'mitigations/MS-M9005/MS-M9005.001 Gate generated images in CI CD pipeline'],
  'MS-M9005.002': ['Gate images pushed to registries', 'mitigations/MS-M9005/MS-M9005.002 Gate images pushed to registries'],
  'MS-M9005.003': ['Gate images deployed to Kubernetes cluster', 'mitigations/MS-M9005/MS-M9005.003 Gate images deployed to Kubenertes cluster'],
  'MS-M9006': ['Enable Just In Time access to API server', 'mitigations/MS-M9006 Enable Just In Time access to API server'],
  'MS-M9007': ['Network intrusion prevention', 'mitigations/MS-M9007 Network Intrusion Prevention'],
  'MS-M9008': ['Limit access to services over network', 'mitigations/MS-M9008 Limit Access to Services Over Network'],
  'MS-M9009': ['Require strong authentication to services', 'mitigations/MS-M9009 Require Strong Authentication to Services'],
  'MS-M9010': ['Restrict exec commands on pods', 'mitigations/MS-M9010 Restrict Exec Commands on Pods'],
  'MS-M9011': ['Restrict container runtime using LSM', 'mitigations/MS-M9011 Restrict Container Runtime using LSM'],
  'MS-M9012': ['Remove tools from container images', 'mitigations/MS-M9012 Remove Tools from Container Images'],
  'MS-M9013': ['Restrict over permissive containers', 'mitigations/MS-M9013 Restrict over permissive containers'],
  'MS-M9014': ['Network segmentation', 'mitigations/MS-M9014 Network Segmentation'],
  'MS-M9015': ['Avoid running management interface on containers', 'mitigations/MS-M9015 Avoid Running Management Interface on Containers'],
  'MS-M9016': ['Restrict file and directory permissions', 'mitigations/MS-M9016 Restrict File and Directory Permissions'],
  'MS-M9017': ['Ensure that pods meet defined Pod Security Standards', 'mitigations/MS-M9017 Ensure that pods meet defined Pod Security Standards'],
  'MS-M9018': ['Restricting cloud metadata API access', 'mitigations/MS-M9018 Restricting cloud metadata API access'],
  'MS-M9019': ['Allocate specific identities to pods', 'mitigations/MS-M9019 Allocate specific identities to pods'],
  'MS-M9020': ['Collect logs to remote data storage', 'mitigations/MS-M9020 Collect Logs to Remote Data Storage'],
  'MS-M9021': ['Restrict the usage of unauthenticated APIs in the cluster', 'mitigations/MS-M9021 Restrict the usage of unauthenticated APIs in the Cluster'],
  'MS-M9022': ['Use managed secret store', 'mitigations/MS-M9022 Use Managed Secret Store'],
  'MS-M9023': ['Remove unused secrets from the cluster', 'mitigations/MS-M9023 Remove unused secrets from the cluster'],
  'MS-M9024': ['Restrict access to etcd', 'mitigations/MS-M9024 Restrict access to etcd'],
  'MS-M9025': ['Disable service account auto mount', 'mitigations/MS-M9025 Disable Service Account Auto Mount'],
  'MS-M9026': ['Avoid using plain text credentials', 'mitigations/MS-M9026 Avoid using plain text credentials in configuration files'],
  'MS-M9027': ['Use NodeRestriction admission controller', 'mitigations/MS-M9027 Use NodeRestriction Admission Controller'],
  'MS-M9028': ['Use CNIs that are not prone to ARP poisoning', 'mitigations/MS-M9028 Use CNIs that are not prone to ARP poisoning'],
  'MS-M9029': ['Set requests and limits for containers', 'mitigations/MS-M9029 Set requests and limits for containers'],
  'MS-M9030': ['Use cloud storage provider', 'mitigations/MS-M9030 Use Cloud Storage Provider'],
  'MS-M9031': ['Implement data backup strategy', 'mitigations/MS-M9031 Implement Data Backup Strategy'],
  'MS-M9032': ['Avoid using web-hosted manifest for Kubelet', 'mitigations/MS-M9032 Avoid using web-hosted manifest for Kubelet'],
  'MS-TA9001': ['Using cloud credentials', 'techniques/Using Cloud Credentials', 'Initial Access'],
  'MS-TA9002': ['Compromised image In registry', 'techniques/Compromised Image In Registry', 'Initial Access'],
  'MS-TA9003': ['Kubeconfig file', 'techniques/Kubeconfig file', 'Initial Access'],
  'MS-TA9004': ['Application vulnerability', 'techniques/Application Vulnerability', 'Initial Access'],
  'MS-TA9005': ['Exposed sensitive interfaces', 'techniques/Exposed sensitive interfaces', 'Initial Access'],
  'MS-TA9006': ['Exec into container', 'techniques/Exec into container', 'Execution'],
  'MS-TA9007': ['Bash or cmd inside container', 'techniques/bash or cmd inside container', 'Execution'],
  'MS-TA9008': ['New container', 'techniques/New Container', 'Execution'],
  'MS-TA9009': ['Application exploit (RCE)', 'techniques/Application Exploit (RCE)', 'Execution'],
  'MS-TA9010': ['SSH server running inside container', 'techniques/SSH server running inside container', 'Execution'],
  'MS-TA9011': ['Sidecar injection', 'techniques/Sidecar Injection', 'Execution'],
  'MS-TA9012': ['Backdoor container', 'techniques/Backdoor container', 'Persistence'],
  'MS-TA9013': ['Writable hostPath mount', 'techniques/Writable hostPath mount', 'Persistence'],
  'MS-TA9014': ['Kubernetes CronJob', 'techniques/Kubernetes CronJob', 'Persistence'],
  'MS-TA9015': ['Malicious admission controller', 'techniques/Malicious admission controller', 'Persistence'],
  'MS-TA9016': ['Container service account', 'techniques/container service account', 'Credential Access'],
  'MS-TA9017': ['Static pods', 'techniques/Static Pods', 'Persistence'],
  'MS-TA9018': ['Privileged container', 'techniques/Privileged container', 'Privilege Escalation'],
  'MS-TA9019': ['Cluster-admin binding', 'techniques/Cluster-admin binding', 'Privilege Escalation'],
  'MS-TA9020': ['Access cloud resources', 'techniques/Access cloud resources', 'Privilege Escalation'],
  'MS-TA9021': ['Clear container logs', 'techniques/Clear container logs', 'Defense Evasion'],
  'MS-TA9022': ['Delete Kubernetes events', 'techniques/Delete K8S events', 'Defense Evasion'],
  'MS-TA9023': ['Pod or container name similarity', 'techniques/Pod or container name similarily', 'Defense Evasion'],
  'MS-TA9024': ['Connect from proxy server', 'techniques/Connect from Proxy server', 'Defense Evasion'],
  'MS-TA9025': ['List Kubernetes secrets', 'techniques/List K8S secrets', 'Credential Access'],
  'MS-TA9026': ['Mount service principal', 'techniques/Mount service principal', 'Credential Access'],
  'MS-TA9027': ['Application credentials in configuration files', 'techniques/Application credentials in configuration files', 'Credential Access'],
  'MS-TA9028': ['Access Managed Identity credentials', 'techniques/Access managed identity credentials', 'Credential Access'],
  'MS-TA9029': ['Access Kubernetes API server', 'techniques/Access the K8S API server', 'Discovery'],
  'MS-TA9030': ['Access Kubelet API', 'techniques/Access Kubelet API', 'Discovery'],
  'MS-TA9031': ['Network mapping', 'techniques/Network mapping', 'Discovery'],
  'MS-TA9033': ['Instance Metadata API', 'techniques/Instance Metadata API', 'Discovery'],
  'MS-TA9034': ['Cluster internal networking', 'techniques/Cluster internal networking', 'Lateral Movement'],
  'MS-TA9035': ['CoreDNS poisoning', 'techniques/CoreDNS poisoning', 'Lateral Movement'],
  'MS-TA9036': ['ARP poisoning and IP spoofing', 'techniques/ARP poisoning and IP spoofing', 'Lateral Movement'],
  'MS-TA9037': ['Images from a private registry', 'techniques/images from a private registry', 'Collection'],
  'MS-TA9038': ['Data destruction', 'techniques/Data destruction', 'Impact'],
  'MS-TA9039': ['Resource hijacking', 'techniques/Resource hijacking', 'Impact'],
  'MS-TA9040': ['Denial of service', 'techniques/Denial of service', 'Impact'],
  'MS-TA9041': ['Collecting data from pod', 'techniques/Collecting Data from Pod', 'Collection'],
};

/** The entry for a tag, or `null` for a tag that is not a Threat Matrix id this version knows (a plugin's own). */
export function threatMatrixEntry(tag: string): ThreatMatrixEntry | null {
  const entry = Object.prototype.hasOwnProperty.call(MATRIX, tag) ? MATRIX[tag] : undefined;
  if (!entry) return null;
  const [title, page, tactic] = entry;
  return {
    id: tag,
    title,
    kind: tag.startsWith('MS-TA') ? 'technique' : 'mitigation',
    tactic: tactic ?? null,
    url: `${SITE}${page.split('/').map(encodeURIComponent).join('/')}/`,
  };
}
