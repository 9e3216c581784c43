import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { Finding } from '../../src/core/types.js';
import { dexInstances, dexSourceName, type DexInstance } from '../../src/kube/dex.js';
import { findingsOf, patchHead, refText, slug } from '../../src/remediate/common.js';
import { emptyOutput, type GeneratorOutput, type KitContext, type KitContribution } from '../../src/remediate/types.js';

export const remediation: readonly KitContribution[] = [{ area: 'credentials', order: 0, generate: (context) => credentialFixes(context) }];

// Keys whose literal values are credentials. The patch must carry the whole config file (a ConfigMap
// key is replaced, never merged), so a config holding any of them is not copied: the kit then explains
// the edit instead. `...Env` keys name an environment variable and are fine.
const CREDENTIAL_KEY = /(?:secret|password|passwd|hash|bindpw|token|privatekey|apikey|credentials?)$/i;

/**
 * Default Dex credentials: a patch of the Dex configuration that removes the static users and turns the
 * local password database off, never carrying a password, hash or other secret. Default client and
 * cookie secrets cannot be fixed without writing a new secret into a file, so they get instructions.
 */
function credentialFixes({ inventory, findings, own }: KitContext): GeneratorOutput {
  const out = emptyOutput();
  const defaults = [...own];
  const staticUsers = defaults.filter((finding) => finding.message.startsWith('Dex static user '));
  const handled = new Set<Finding>();
  for (const dex of dexInstances(inventory).instances) {
    if (dex.config['enablePasswordDB'] !== true) continue;
    const where = dexSourceName(dex);
    const users = staticUsers.filter((finding) => finding.message.includes(` in ${where} `));
    if (users.length === 0) continue;
    users.forEach((finding) => handled.add(finding));
    // The patch also turns off the password database that mfa-not-enforced reports on the same config.
    const local = findingsOf(findings, 'mfa-not-enforced').filter(
      (finding) => finding.resource?.kind === dex.source.resource.ref.kind && finding.resource.namespace === dex.source.resource.ref.namespace && finding.resource.name === dex.source.resource.ref.name && finding.message.includes('local password database'),
    );
    const edited = withoutPasswordDb(dex);
    if (typeof edited !== 'string') {
      out.manual.push({ title: `Remove the static users from the Dex configuration in ${where}`, findings: users, text: [edited.reason, ...editByHand(dex)] });
      continue;
    }
    const key = String(dex.source.path[1]);
    const head = patchHead(dex.source.resource);
    out.fixes.push({
      id: `dex-${slug(dex.source.resource.ref.namespace, dex.source.resource.ref.name)}`,
      area: 'credentials',
      title: `Remove Dex's static users and its local password login (${where}, key ${key})`,
      explanation: [
        `Rewrites ${key} of ${where} without \`staticPasswords\` and with \`enablePasswordDB: false\`, keeping everything else (issuer, storage, clients, connectors, comments). The static users, among them the published default, can no longer log in; the file carries no password or hash.`,
        'Dex reads its configuration at start: restart it after applying (`kubectl rollout restart deployment/dex -n ' + (dex.source.resource.ref.namespace ?? 'auth') + '`).',
        'Nobody can log in through the password form afterwards. Before applying, add a connector to your identity provider to the same configuration (OIDC, SAML, Google, Microsoft, GitHub with orgs; require MFA there), or, if local accounts must stay, do not apply this patch: create each user with a new password instead (`htpasswd -nbBC 12 "" \'<new password>\' | tr -d \':\\n\'` gives the bcrypt hash; put it in the Secret that `hashFromEnv` reads, or in `staticPasswords[].hash`) and delete the default user.',
      ],
      manifests: [
        {
          path: `patches/configmap-${slug(dex.source.resource.ref.namespace, dex.source.resource.ref.name)}-dex-config.yaml`,
          role: 'patch',
          objects: [{ ...head, data: { [key]: edited } }],
          target: dex.source.resource.ref,
        },
      ],
      candidates: [...users, ...local],
      addresses: [],
    });
  }
  const unhandledUsers = staticUsers.filter((finding) => !handled.has(finding));
  if (unhandledUsers.length > 0) {
    out.manual.push({
      title: 'Static Dex users kfscan could not patch',
      findings: unhandledUsers,
      text: ['kfscan could not tie these users to a Dex configuration it can rewrite (a configuration held in a Secret, or one whose password database is switched on elsewhere). Remove the users from `staticPasswords` and set `enablePasswordDB: false`, or give each a new password, then restart Dex.'],
    });
  }
  const secrets = defaults.filter((finding) => !finding.message.startsWith('Dex static user '));
  if (secrets.length > 0) {
    out.manual.push({
      title: 'Rotate the published client and cookie secrets',
      findings: secrets,
      text: [
        'kfscan writes no secret into files, so these are steps to run: generate a new value once and set it everywhere the same secret is used (the Dex client secret is shared by Dex and oauth2-proxy or oidc-authservice), then restart the workloads that read it.',
        '```sh\nCLIENT_SECRET=$(openssl rand -base64 32 | tr -d "\\n=+/")\nCOOKIE_SECRET=$(openssl rand -hex 16)\n# Dex (Kubeflow 1.3 and later): key OIDC_CLIENT_SECRET of Secret auth/dex-oidc-client\nkubectl -n auth patch secret dex-oidc-client --type merge -p "{\\"stringData\\":{\\"OIDC_CLIENT_SECRET\\":\\"$CLIENT_SECRET\\"}}"\n# oauth2-proxy (Kubeflow 1.9 and later): keys client-secret and cookie-secret of its Secret\nkubectl -n oauth2-proxy get secret | grep oauth2-proxy   # the name may carry a kustomize hash\nkubectl -n oauth2-proxy patch secret <name> --type merge -p "{\\"stringData\\":{\\"client-secret\\":\\"$CLIENT_SECRET\\",\\"cookie-secret\\":\\"$COOKIE_SECRET\\"}}"\n# oidc-authservice (Kubeflow 1.3 to 1.8): key CLIENT_SECRET of Secret istio-system/oidc-authservice-client\nkubectl -n istio-system patch secret oidc-authservice-client --type merge -p "{\\"stringData\\":{\\"CLIENT_SECRET\\":\\"$CLIENT_SECRET\\"}}"\nkubectl -n auth rollout restart deployment/dex\n```',
        'Where the manifests come from kustomize, change `secret_params.env` / the generator literals instead, so that the next build does not bring the default back.',
      ],
    });
  }
  return out;
}

/** The configuration text without static users and with the password database off, or why not. */
export function withoutPasswordDb(dex: DexInstance): string | { reason: string } {
  if (dex.source.resource.ref.kind !== 'ConfigMap' || !dex.source.plainText) {
    return { reason: `The Dex configuration is kept in ${refText(dex.source.resource.ref)}, a Secret: kfscan does not write Secrets.` };
  }
  const document = parseDocument(dex.source.value, { keepSourceTokens: false, logLevel: 'error' });
  if (document.errors.length > 0 || !isMap(document.contents)) return { reason: 'The Dex configuration does not parse as one YAML mapping.' };
  document.delete('staticPasswords');
  document.set('enablePasswordDB', false);
  const literal = literalCredential(document.contents, []);
  if (literal) {
    return {
      reason: `The Dex configuration holds a literal credential (${literal}): a patch would have to copy it into the kit, and kfscan puts no secret into files.`,
    };
  }
  return document.toString({ lineWidth: 0 });
}

function literalCredential(node: Node | null | undefined, path: string[]): string | null {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const value = pair.value as Node | null;
      if (CREDENTIAL_KEY.test(key) && !/Env$/.test(key) && isLiteralCredential(value)) {
        return [...path, key].join('.');
      }
      const inner = literalCredential(value, [...path, key]);
      if (inner) return inner;
    }
  } else if (isSeq(node)) {
    for (const [index, item] of node.items.entries()) {
      const inner = literalCredential(item as Node, [...path, String(index)]);
      if (inner) return inner;
    }
  }
  return null;
}

/**
 * A value that would be a credential in the kit: any scalar but an empty or null one, a boolean, or a
 * reference to an environment variable (`$NAME`, `${NAME}`, which Dex expands). A number, a `!!binary`
 * value or a bcrypt hash (`$2y$...`) is a credential like any string.
 */
function isLiteralCredential(node: Node | null | undefined): boolean {
  if (node === null || node === undefined) return false;
  if (!isScalar(node)) return isMap(node) || isSeq(node) ? false : true;
  const value: unknown = node.value;
  if (value === null || value === undefined || value === '' || typeof value === 'boolean') return false;
  if (typeof value === 'string' && /^\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})$/.test(value)) return false;
  return true;
}

function editByHand(dex: DexInstance): string[] {
  const namespace = dex.source.resource.ref.namespace ?? 'auth';
  return [
    `Edit the configuration by hand: remove \`staticPasswords\` and set \`enablePasswordDB: false\` (after adding a connector to your identity provider), then \`kubectl rollout restart deployment/dex -n ${namespace}\`.`,
  ];
}
