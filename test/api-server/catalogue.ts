// The APIs the test server can serve, written from the discovery documents of real clusters and the CRDs
// of the projects concerned (not derived from kfscan's own tables, so that tests compare two sources).

export interface ServedResource {
  group: string;
  /** Versions that serve this resource, the group's preferred one first. */
  versions: readonly string[];
  kind: string;
  /** Plural name in URLs and RBAC. */
  resource: string;
  namespaced: boolean;
  /** A custom resource: served only when installed; its list items keep kind and apiVersion. */
  custom: boolean;
  verbs: readonly string[];
  subresources: readonly string[];
}

const READ_WRITE = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

type Row = [kind: string, resource: string, scope: 'ns' | 'cluster', versions?: readonly string[], subresources?: readonly string[]];

function group(name: string, versions: readonly string[], custom: boolean, rows: readonly Row[]): ServedResource[] {
  return rows.map(([kind, resource, scope, only, subresources]) => ({
    group: name,
    versions: only ?? versions,
    kind,
    resource,
    namespaced: scope === 'ns',
    custom,
    verbs: READ_WRITE,
    subresources: subresources ?? (custom ? ['status'] : []),
  }));
}

/** Group versions in the order a real server prefers them. */
export const GROUP_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  '': ['v1'],
  apps: ['v1'],
  batch: ['v1'],
  'networking.k8s.io': ['v1'],
  'rbac.authorization.k8s.io': ['v1'],
  'apiextensions.k8s.io': ['v1'],
  'admissionregistration.k8s.io': ['v1'],
  policy: ['v1'],
  'storage.k8s.io': ['v1'],
  'scheduling.k8s.io': ['v1'],
  'node.k8s.io': ['v1'],
  'discovery.k8s.io': ['v1'],
  autoscaling: ['v2', 'v1'],
  'authorization.k8s.io': ['v1'],
  'networking.istio.io': ['v1', 'v1beta1', 'v1alpha3'],
  'security.istio.io': ['v1', 'v1beta1'],
  'gateway.networking.k8s.io': ['v1', 'v1beta1'],
  'route.openshift.io': ['v1'],
  'argoproj.io': ['v1alpha1'],
  'kubeflow.org': ['v1', 'v1beta1', 'v1alpha1'],
  'trainer.kubeflow.org': ['v1alpha1'],
  'serving.kserve.io': ['v1beta1', 'v1alpha1'],
  'monitoring.coreos.com': ['v1', 'v1alpha1'],
  'monitoring.googleapis.com': ['v1'],
  'operator.victoriametrics.com': ['v1beta1'],
  'cilium.io': ['v2'],
  'crd.projectcalico.org': ['v1'],
  'ray.io': ['v1'],
  'jobset.x-k8s.io': ['v1alpha2'],
  'kyverno.io': ['v1'],
  'templates.gatekeeper.sh': ['v1'],
  'apps.openshift.io': ['v1'],
  'projectcalico.org': ['v3'],
  'instance.falcosecurity.dev': ['v1alpha1'],
  'artifact.falcosecurity.dev': ['v1alpha1'],
  'cloud.google.com': ['v1'],
  'networking.gke.io': ['v1'],
  'elbv2.k8s.aws': ['v1beta1'],
  'install.istio.io': ['v1alpha1'],
};

const v = (name: string): readonly string[] => GROUP_VERSIONS[name]!;

export const CATALOGUE: readonly ServedResource[] = [
  ...group('', v(''), false, [
    ['Pod', 'pods', 'ns', undefined, ['status', 'log', 'exec', 'ephemeralcontainers']],
    ['Service', 'services', 'ns', undefined, ['status', 'proxy']],
    ['Node', 'nodes', 'cluster', undefined, ['status', 'proxy']],
    ['Namespace', 'namespaces', 'cluster', undefined, ['status', 'finalize']],
    ['ConfigMap', 'configmaps', 'ns'],
    ['Secret', 'secrets', 'ns'],
    ['ServiceAccount', 'serviceaccounts', 'ns', undefined, ['token']],
    ['Endpoints', 'endpoints', 'ns'],
    ['ResourceQuota', 'resourcequotas', 'ns', undefined, ['status']],
    ['LimitRange', 'limitranges', 'ns'],
    ['PersistentVolume', 'persistentvolumes', 'cluster', undefined, ['status']],
    ['PersistentVolumeClaim', 'persistentvolumeclaims', 'ns', undefined, ['status']],
    ['ReplicationController', 'replicationcontrollers', 'ns', undefined, ['scale', 'status']],
    ['PodTemplate', 'podtemplates', 'ns'],
    ['Event', 'events', 'ns'],
  ]),
  ...group('apps', v('apps'), false, [
    ['Deployment', 'deployments', 'ns', undefined, ['scale', 'status']],
    ['StatefulSet', 'statefulsets', 'ns', undefined, ['scale', 'status']],
    ['DaemonSet', 'daemonsets', 'ns', undefined, ['status']],
    ['ReplicaSet', 'replicasets', 'ns', undefined, ['scale', 'status']],
    ['ControllerRevision', 'controllerrevisions', 'ns'],
  ]),
  ...group('batch', v('batch'), false, [
    ['Job', 'jobs', 'ns', undefined, ['status']],
    ['CronJob', 'cronjobs', 'ns', undefined, ['status']],
  ]),
  ...group('networking.k8s.io', v('networking.k8s.io'), false, [
    ['Ingress', 'ingresses', 'ns', undefined, ['status']],
    ['IngressClass', 'ingressclasses', 'cluster'],
    ['NetworkPolicy', 'networkpolicies', 'ns'],
  ]),
  ...group('rbac.authorization.k8s.io', v('rbac.authorization.k8s.io'), false, [
    ['Role', 'roles', 'ns'],
    ['RoleBinding', 'rolebindings', 'ns'],
    ['ClusterRole', 'clusterroles', 'cluster'],
    ['ClusterRoleBinding', 'clusterrolebindings', 'cluster'],
  ]),
  ...group('apiextensions.k8s.io', v('apiextensions.k8s.io'), false, [['CustomResourceDefinition', 'customresourcedefinitions', 'cluster', undefined, ['status']]]),
  ...group('admissionregistration.k8s.io', v('admissionregistration.k8s.io'), false, [
    ['ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', 'cluster'],
    ['MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', 'cluster'],
    ['ValidatingAdmissionPolicy', 'validatingadmissionpolicies', 'cluster', undefined, ['status']],
    ['ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings', 'cluster'],
  ]),
  ...group('policy', v('policy'), false, [['PodDisruptionBudget', 'poddisruptionbudgets', 'ns', undefined, ['status']]]),
  ...group('storage.k8s.io', v('storage.k8s.io'), false, [['StorageClass', 'storageclasses', 'cluster']]),
  ...group('scheduling.k8s.io', v('scheduling.k8s.io'), false, [['PriorityClass', 'priorityclasses', 'cluster']]),
  ...group('node.k8s.io', v('node.k8s.io'), false, [['RuntimeClass', 'runtimeclasses', 'cluster']]),
  ...group('discovery.k8s.io', v('discovery.k8s.io'), false, [['EndpointSlice', 'endpointslices', 'ns']]),
  ...group('autoscaling', v('autoscaling'), false, [['HorizontalPodAutoscaler', 'horizontalpodautoscalers', 'ns', undefined, ['status']]]),
  ...group('authorization.k8s.io', v('authorization.k8s.io'), false, [
    ['SelfSubjectAccessReview', 'selfsubjectaccessreviews', 'cluster'],
    ['SelfSubjectRulesReview', 'selfsubjectrulesreviews', 'cluster'],
  ]).map((resource) => ({ ...resource, verbs: ['create'] })),

  ...group('networking.istio.io', v('networking.istio.io'), true, [
    ['Gateway', 'gateways', 'ns'],
    ['VirtualService', 'virtualservices', 'ns'],
    ['DestinationRule', 'destinationrules', 'ns'],
    ['ServiceEntry', 'serviceentries', 'ns'],
    ['Sidecar', 'sidecars', 'ns'],
    ['EnvoyFilter', 'envoyfilters', 'ns', ['v1alpha3']],
  ]),
  ...group('security.istio.io', v('security.istio.io'), true, [
    ['AuthorizationPolicy', 'authorizationpolicies', 'ns'],
    ['RequestAuthentication', 'requestauthentications', 'ns'],
    ['PeerAuthentication', 'peerauthentications', 'ns'],
  ]),
  ...group('gateway.networking.k8s.io', v('gateway.networking.k8s.io'), true, [
    ['Gateway', 'gateways', 'ns'],
    ['HTTPRoute', 'httproutes', 'ns'],
    ['GRPCRoute', 'grpcroutes', 'ns', ['v1']],
    ['GatewayClass', 'gatewayclasses', 'cluster'],
    ['ReferenceGrant', 'referencegrants', 'ns', ['v1beta1']],
    ['TCPRoute', 'tcproutes', 'ns', ['v1alpha2']],
    ['TLSRoute', 'tlsroutes', 'ns', ['v1alpha2']],
    ['UDPRoute', 'udproutes', 'ns', ['v1alpha2']],
  ]),
  ...group('route.openshift.io', v('route.openshift.io'), true, [['Route', 'routes', 'ns']]),
  ...group('apps.openshift.io', v('apps.openshift.io'), true, [['DeploymentConfig', 'deploymentconfigs', 'ns']]),
  ...group('argoproj.io', v('argoproj.io'), true, [
    ['Workflow', 'workflows', 'ns'],
    ['WorkflowTemplate', 'workflowtemplates', 'ns'],
    ['ClusterWorkflowTemplate', 'clusterworkflowtemplates', 'cluster'],
    ['CronWorkflow', 'cronworkflows', 'ns'],
    ['Rollout', 'rollouts', 'ns'],
  ]),
  ...group('kubeflow.org', v('kubeflow.org'), true, [
    ['Notebook', 'notebooks', 'ns', ['v1', 'v1beta1']],
    ['Profile', 'profiles', 'cluster', ['v1', 'v1beta1']],
    ['TFJob', 'tfjobs', 'ns', ['v1']],
    ['PyTorchJob', 'pytorchjobs', 'ns', ['v1']],
    ['MPIJob', 'mpijobs', 'ns', ['v1']],
    ['XGBoostJob', 'xgboostjobs', 'ns', ['v1']],
    ['PaddleJob', 'paddlejobs', 'ns', ['v1']],
    ['JAXJob', 'jaxjobs', 'ns', ['v1']],
    ['ScheduledWorkflow', 'scheduledworkflows', 'ns', ['v1beta1']],
    ['Experiment', 'experiments', 'ns', ['v1beta1']],
    ['Viewer', 'viewers', 'ns', ['v1beta1']],
    ['PodDefault', 'poddefaults', 'ns', ['v1alpha1']],
  ]),
  ...group('trainer.kubeflow.org', v('trainer.kubeflow.org'), true, [
    ['TrainJob', 'trainjobs', 'ns'],
    ['TrainingRuntime', 'trainingruntimes', 'ns'],
    ['ClusterTrainingRuntime', 'clustertrainingruntimes', 'cluster'],
  ]),
  ...group('serving.kserve.io', v('serving.kserve.io'), true, [
    ['InferenceService', 'inferenceservices', 'ns', ['v1beta1']],
    ['ServingRuntime', 'servingruntimes', 'ns', ['v1alpha1']],
    ['ClusterServingRuntime', 'clusterservingruntimes', 'cluster', ['v1alpha1']],
  ]),
  ...group('monitoring.coreos.com', v('monitoring.coreos.com'), true, [
    ['Prometheus', 'prometheuses', 'ns', ['v1']],
    ['Alertmanager', 'alertmanagers', 'ns', ['v1']],
    ['ServiceMonitor', 'servicemonitors', 'ns', ['v1']],
    ['PodMonitor', 'podmonitors', 'ns', ['v1']],
    ['Probe', 'probes', 'ns', ['v1']],
    ['PrometheusRule', 'prometheusrules', 'ns', ['v1']],
    ['PrometheusAgent', 'prometheusagents', 'ns', ['v1alpha1']],
    ['AlertmanagerConfig', 'alertmanagerconfigs', 'ns', ['v1alpha1']],
    ['ScrapeConfig', 'scrapeconfigs', 'ns', ['v1alpha1']],
    ['ThanosRuler', 'thanosrulers', 'ns', ['v1']],
  ]),
  ...group('monitoring.googleapis.com', v('monitoring.googleapis.com'), true, [
    ['PodMonitoring', 'podmonitorings', 'ns'],
    ['ClusterPodMonitoring', 'clusterpodmonitorings', 'cluster'],
    ['ClusterNodeMonitoring', 'clusternodemonitorings', 'cluster'],
    ['Rules', 'rules', 'ns'],
    ['ClusterRules', 'clusterrules', 'cluster'],
    ['GlobalRules', 'globalrules', 'cluster'],
    ['OperatorConfig', 'operatorconfigs', 'ns'],
  ]),
  ...group('operator.victoriametrics.com', v('operator.victoriametrics.com'), true, [
    ['VMAgent', 'vmagents', 'ns'],
    ['VMSingle', 'vmsingles', 'ns'],
    ['VMCluster', 'vmclusters', 'ns'],
    ['VMRule', 'vmrules', 'ns'],
    ['VMAlert', 'vmalerts', 'ns'],
    ['VMServiceScrape', 'vmservicescrapes', 'ns'],
    ['VMPodScrape', 'vmpodscrapes', 'ns'],
    ['VMNodeScrape', 'vmnodescrapes', 'ns'],
  ]),
  ...group('cilium.io', v('cilium.io'), true, [
    ['CiliumNetworkPolicy', 'ciliumnetworkpolicies', 'ns'],
    ['CiliumClusterwideNetworkPolicy', 'ciliumclusterwidenetworkpolicies', 'cluster'],
  ]),
  ...group('crd.projectcalico.org', v('crd.projectcalico.org'), true, [
    ['NetworkPolicy', 'networkpolicies', 'ns'],
    ['GlobalNetworkPolicy', 'globalnetworkpolicies', 'cluster'],
    ['GlobalNetworkSet', 'globalnetworksets', 'cluster'],
  ]),
  // Cloud load-balancer policies that put authentication or limits in front of an Ingress.
  ...group('cloud.google.com', v('cloud.google.com'), true, [['BackendConfig', 'backendconfigs', 'ns']]),
  ...group('networking.gke.io', v('networking.gke.io'), true, [['GCPBackendPolicy', 'gcpbackendpolicies', 'ns']]),
  ...group('elbv2.k8s.aws', v('elbv2.k8s.aws'), true, [['IngressClassParams', 'ingressclassparams', 'cluster']]),
  ...group('install.istio.io', v('install.istio.io'), true, [['IstioOperator', 'istiooperators', 'ns']]),
  // Calico's own API server (projectcalico.org/v3) beside the CRDs it stores them in.
  ...group('projectcalico.org', v('projectcalico.org'), true, [
    ['NetworkPolicy', 'networkpolicies', 'ns'],
    ['GlobalNetworkPolicy', 'globalnetworkpolicies', 'cluster'],
  ]),
  // The Falco operator (falcosecurity/falco-operator).
  ...group('instance.falcosecurity.dev', v('instance.falcosecurity.dev'), true, [['Falco', 'falcos', 'ns']]),
  ...group('artifact.falcosecurity.dev', v('artifact.falcosecurity.dev'), true, [
    ['Rulesfile', 'rulesfiles', 'ns'],
    ['Config', 'configs', 'ns'],
  ]),
  ...group('ray.io', v('ray.io'), true, [
    ['RayCluster', 'rayclusters', 'ns'],
    ['RayJob', 'rayjobs', 'ns'],
    ['RayService', 'rayservices', 'ns'],
  ]),
  ...group('jobset.x-k8s.io', v('jobset.x-k8s.io'), true, [['JobSet', 'jobsets', 'ns']]),
  ...group('kyverno.io', v('kyverno.io'), true, [
    ['ClusterPolicy', 'clusterpolicies', 'cluster'],
    ['Policy', 'policies', 'ns'],
  ]),
  ...group('templates.gatekeeper.sh', v('templates.gatekeeper.sh'), true, [['ConstraintTemplate', 'constrainttemplates', 'cluster']]),
];

export function catalogueEntry(groupName: string, kind: string): ServedResource | undefined {
  return CATALOGUE.find((entry) => entry.group === groupName && entry.kind === kind);
}
