// The project's Kubernetes API server for tests and benchmarks. Import from here.
export { startApiServer, defaultCertificateAuthority } from './server.js';
export type { ApiServer, ApiServerOptions, ApiRequest, Fault, ForbidRule, Interceptor, LoggedRequest, PolicyRule } from './server.js';
export { createCertificateAuthority, type CertificateAuthority } from './tls.js';
export { kubeconfigYaml, writeKubeconfig, type KubeconfigEntry } from './kubeconfig.js';
export { CATALOGUE, GROUP_VERSIONS, catalogueEntry, type ServedResource } from './catalogue.js';
