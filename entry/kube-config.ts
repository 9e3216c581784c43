// The one part of @kubernetes/client-node that live mode uses: KubeConfig (kubeconfig files, certificates,
// tokens, exec and auth-provider plugins, proxies). `npm run build` bundles it alone into
// dist/kube-config.mjs without the generated API models, which the package's index would load too: they
// are most of its half-second start-up, and kfscan makes its own requests.
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
