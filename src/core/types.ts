// The data model shared by loaders, the engine, checks and reporters. This file is also the
// public API for plugin authors, so everything here is plain data and interfaces, no I/O.

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export type Category =
  | 'exposure'
  | 'auth'
  | 'mfa'
  | 'mutable-ml-image'
  | 'miner'
  | 'falco-missing'
  | 'falco-rules'
  | 'prometheus-missing'
  | 'alerting-gap'
  | 'hardening';

/** A path into a Kubernetes object, e.g. `['spec', 'template', 'spec', 'containers', 0, 'image']`. */
export type FieldPath = readonly (string | number)[];

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  /** Effective namespace; `null` for cluster-scoped kinds. */
  namespace: string | null;
  name: string;
}

export interface SourceLocation {
  /** Path relative to the working directory, with forward slashes; `<stdin>` for standard input. */
  file: string;
  line: number;
  column: number;
  /**
   * Set when the line is not the field's own (a field that kustomize or a Helm template sets): says what
   * the line is instead. The engine adds it to the finding's message; reports never show it as a field.
   */
  note?: string;
}

export type Origin =
  /** `root`: the rendered kustomization or Helm chart the object came from, relative to its input. */
  | { type: 'file'; file: string; docIndex: number; itemIndex: number | null; root?: string }
  | { type: 'cluster'; context: string };

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion?: string; kind?: string; name?: string; controller?: boolean }>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface Resource {
  readonly ref: ObjectRef;
  /** API group without version: `''` for the core group, `apps`, `networking.istio.io`, ... */
  readonly group: string;
  readonly obj: KubeObject;
  readonly origin: Origin;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /**
   * Position of a field in the source file, or of its nearest existing parent; `null` for live objects. A
   * function of its own, not a method: it is handed on from one object to another.
   */
  readonly locate: (path: FieldPath) => SourceLocation | null;
}

/**
 * A kind as checks name it: `Service` (any group), or `group/Kind` when the kind name is ambiguous
 * (`networking.istio.io/Gateway` versus `gateway.networking.k8s.io/Gateway`). In `meta.needs`, live mode
 * reads a bare name as the built-in kind of that name (`Service` is core's, not knative's): qualify
 * custom kinds there.
 */
export type KindName = string;

export type LabelSelectorRequirement = {
  key: string;
  /** The four Kubernetes defines, or whatever else a manifest says (`string & {}` keeps the four visible to editors). */
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | (string & {});
  values?: string[];
};

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface ContainerSite {
  readonly pod: PodTemplateSite;
  /** Path from the resource root to the container object. */
  readonly path: FieldPath;
  readonly container: Readonly<Record<string, unknown>>;
  readonly name: string;
  readonly type: 'container' | 'initContainer' | 'ephemeralContainer' | 'sidecar' | 'script';
}

/** Anything that becomes pods: a Pod, a workload's pod template, an Argo template, a TFJob replica spec. */
export interface PodTemplateSite {
  readonly resource: Resource;
  /** Path from the resource root to the pod spec (or Argo template) that holds the containers. */
  readonly path: FieldPath;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: Readonly<Record<string, unknown>>;
  readonly serviceAccountName: string | null;
  readonly containers: readonly ContainerSite[];
  /** Free-form role inside the resource: replica type (`Worker`), Argo template name, ... */
  readonly role: string | null;
}

export type Readability =
  | { state: 'readable' }
  /** RBAC denied the list; checks that need this kind cannot decide. */
  | { state: 'forbidden'; reason: string }
  /** The API does not exist on this cluster (CRD not installed): the kind is known to be empty. */
  | { state: 'not-installed' };

export interface Inventory {
  readonly mode: 'manifests' | 'cluster';
  /** Kube context in cluster mode, `null` offline. */
  readonly context: string | null;
  /**
   * True when the input is known to be a whole cluster (live mode, or offline with `--whole-cluster`),
   * so that the absence of a thing means it is not there.
   */
  readonly wholeCluster: boolean;
  all(): readonly Resource[];
  ofKind(kind: KindName): readonly Resource[];
  inNamespace(kind: KindName, namespace: string): readonly Resource[];
  get(kind: KindName, namespace: string | null, name: string): Resource | undefined;
  /** Every pod template of every pod-bearing kind, computed once. */
  podTemplates(): readonly PodTemplateSite[];
  /** Pod templates in `namespace` (or any namespace when `null`) whose labels match the selector. */
  podTemplatesMatching(namespace: string | null, selector: LabelSelector | Record<string, string>): readonly PodTemplateSite[];
  /** Services in the pod's namespace whose non-empty `spec.selector` matches the pod labels. */
  servicesSelecting(site: PodTemplateSite): readonly Resource[];
  /** Whether a kind could be read; offline every kind is readable (what is absent is absent). */
  readability(kind: KindName): Readability;
  /**
   * Memoises an analysis that several checks share (the exposure graph, the Dex configuration), so it is
   * computed once per inventory.
   */
  memo<T>(key: string, compute: () => T): T;
}

export interface CheckMeta {
  /** Stable kebab-case id; never changes once shipped. */
  id: string;
  title: string;
  category: Category;
  /** Default severity; a finding may raise or lower it. */
  severity: Severity;
  /** What the check detects, in a sentence or two. */
  description: string;
  /** Why it matters in the Kubeflow cryptomining attack. */
  rationale: string;
  remediation: string;
  /** Microsoft Threat Matrix for Kubernetes technique and mitigation ids. */
  tags: string[];
  /** Kinds the check reads; live mode lists exactly these. Never list `Secret` here: use `namedSecrets`. */
  needs: KindName[];
  /**
   * The few Secrets the check compares against known defaults, by namespace and name. Live mode reads
   * exactly these by GET (never a cluster-wide LIST of Secrets), and not at all with `--no-secrets`, in
   * which case `inventory.readability('Secret')` is `forbidden` and the check must say it could not decide.
   */
  namedSecrets?: Array<{ namespace: string; name: string }>;
  /**
   * `true` for checks that report the absence of something: offline they run only on whole-cluster
   * input or input holding an ML platform, and a forbidden kind makes them undecided.
   */
  absence?: boolean;
  /**
   * Absolute http(s) docs URL; built-in checks get `<homepage>/blob/main/checks/<id>/README.md`. A plugin
   * check without one has none (reports then show no link, JSON an empty `docsUrl`).
   */
  docsUrl?: string;
  /** Former ids that ignore annotations and config may still use. */
  aliases?: string[];
}

export interface RelatedLocation {
  resource: Resource;
  path?: FieldPath;
  note: string;
}

/** What a check reports: the engine adds ids, severity defaults, locations and fingerprints. */
export interface Draft {
  resource: Resource | null;
  message: string;
  /** Field that shows the problem; the engine turns it into file:line. */
  path?: FieldPath;
  severity?: Severity;
  /** Distinguishes several findings of one check on one resource (a container name, say). */
  key?: string;
  /** The other resources on the path that led to the finding (entry point, gateway, route). */
  related?: RelatedLocation[];
}

/** A check that could not reach a verdict, e.g. because RBAC hid a kind it needs. */
export interface Undecided {
  undecided: true;
  reason: string;
}

export interface CheckContext {
  /**
   * Options for this check from the configuration file, `{}` when none. A plugin's checks get the
   * `options` of the plugin's entry under `plugins:` in `.kfscan.yaml`.
   */
  readonly options: Readonly<Record<string, unknown>>;
  /** Kubernetes knowledge kfscan's own checks use, lent to every check (plugin API 1). */
  readonly helpers: CheckHelpers;
}

/** An image reference parsed by the distribution reference rules that container runtimes follow. */
export interface ImageReference {
  /** Registry host with port, normalised: `docker.io` for Docker Hub in all its spellings. */
  registry: string;
  /** Repository path without the registry: `library/python`, `tensorflow/tensorflow`. */
  repository: string;
  /** `null` when none is written (a runtime then pulls `latest`, unless a digest pins the image). */
  tag: string | null;
  /** `sha256:...`, or `null`. */
  digest: string | null;
}

export interface CheckHelpers {
  /** Parses `image` as a runtime would, or `null` for a reference a runtime would refuse. */
  parseImage(image: string): ImageReference | null;
  /**
   * Whether an image is an ML framework or notebook image (TensorFlow, PyTorch, serving, Jupyter,
   * Kubeflow notebooks, NVIDIA NGC, ...), under any registry or mirror prefix: the images kfscan's mutable-image check judges.
   */
  isMlImage(image: string | ImageReference): boolean;
  /** Kubernetes label-selector semantics: an empty selector matches everything, `null` nothing. */
  matchesLabelSelector(selector: LabelSelector | null | undefined, labels: Readonly<Record<string, string>>): boolean;
  /**
   * Every container the input runs or would run, each reported once where it is written: a Pod that a
   * Deployment (or a Workflow) in the input describes is left out, and Kubeflow Pipelines v2 components
   * are included. Reads the pod-bearing kinds: list them in `meta.needs`.
   */
  containers(inventory: Inventory): readonly ContainerSite[];
}

export interface Check {
  readonly meta: CheckMeta;
  run(inventory: Inventory, context: CheckContext): Iterable<Draft | Undecided>;
  /**
   * Secrets the check compares whose names only the other objects tell (a Deployment's secretKeyRef to
   * a generated `oauth2-proxy-h675gf55ht`). Live mode calls it after listing and reads them by GET, like
   * `meta.namedSecrets`; offline the Secrets are simply among the inputs. An `optional` Secret is read when
   * RBAC allows it: a refusal is not a gap in the scan's coverage (the check judges the Secrets it could
   * read), as for the many Secrets pods use, which a minimal role does not grant.
   */
  secretsToRead?(inventory: Inventory): Iterable<{ namespace: string; name: string; optional?: boolean }>;
}

/**
 * What a plugin module exports by default (plugin API 1): a plain object, so that a plugin needs nothing
 * from kfscan at run time. docs/plugins.md describes every field.
 */
export interface Plugin {
  /** The plugin API the plugin is written against; kfscan refuses versions it does not support. */
  apiVersion: 1;
  /** The plugin's name, as error messages and reports show it: lower case, e.g. `acme-policies` or `@acme/kfscan-rules`. */
  name: string;
  version?: string;
  checks: readonly Check[];
  /**
   * JSON Schema (draft-07) of the plugin's `options` in `.kfscan.yaml`; kfscan validates them before
   * scanning, so a mistake stops the run with the file and line instead of silently doing nothing.
   */
  optionsSchema?: Readonly<Record<string, unknown>>;
  /** Markdown pages for `kfscan explain`, by check id: paths relative to the plugin module. */
  docs?: Readonly<Record<string, string>>;
}

/** A plugin that was loaded, as reports name it. */
export interface PluginInfo {
  name: string;
  version: string | null;
  /** The path or package as the command line or the configuration file gave it. */
  source: string;
  /** Ids of the plugin's checks that were loaded. */
  checks: string[];
}

export interface Finding {
  checkId: string;
  title: string;
  severity: Severity;
  category: Category;
  resource: ObjectRef | null;
  location: SourceLocation | null;
  context: string | null;
  message: string;
  remediation: string;
  docsUrl: string;
  fingerprint: string;
  /** Short, stable name of the finding for people (`KF-3a9c2f`): derived from the fingerprint. */
  id: string;
  /** Not serialised to JSON: extra locations for SARIF and the table. */
  related: Array<{ resource: ObjectRef; location: SourceLocation | null; note: string }>;
  /** Not serialised to JSON: the field path, for logical locations. */
  fieldPath: FieldPath;
  /** What `kfscan cluster --probe` saw at the entry points behind the finding; absent without `--probe`. */
  evidence?: Evidence[];
  /**
   * The rendered kustomization roots or Helm charts the finding comes from, relative to their input;
   * absent for plain files and live objects (and for absence findings that hold in every view).
   */
  roots?: string[];
  /** Not serialised to JSON: what the HTML report shows of the object, secrets redacted; absent unless asked for. */
  excerpt?: Excerpt;
}

/**
 * A few lines that show a finding: its source around the flagged field (`source`), or the relevant fields
 * of a live object as YAML (`object`). Secret values are redacted; the number of lines and their length are bounded.
 */
export interface Excerpt {
  kind: 'source' | 'object';
  /** The file the lines come from (`source`); `null` for objects. */
  file: string | null;
  lines: Array<{ line: number; text: string }>;
  /** The line of the flagged field, when one is. */
  highlight: number | null;
}

/**
 * How an entry point answered plain requests from where kfscan ran: a Kubeflow page or API served without
 * login (`unauthenticated`), a login in the way (`login-required`), something else (`answered`), no
 * connection (`unreachable`), no external address in the cluster's objects (`no-address`), or the probe's
 * time ran out first (`not-probed`).
 */
export type ProbeOutcome = 'unauthenticated' | 'login-required' | 'answered' | 'unreachable' | 'no-address' | 'not-probed';

/** The certificate an HTTPS entry point presented. */
export interface TlsFacts {
  /** It chains to a CA that Node.js trusts (its bundled roots, plus `NODE_EXTRA_CA_CERTS`). */
  trusted: boolean;
  /** Why it is not trusted, as OpenSSL names it (`DEPTH_ZERO_SELF_SIGNED_CERT`, `CERT_HAS_EXPIRED`, ...). */
  error: string | null;
  /** It names the host asked for (the Host header's name, or the address). */
  validForHost: boolean;
  selfSigned: boolean;
  expired: boolean;
  subject: string | null;
  issuer: string | null;
  /** End of validity, ISO 8601. */
  validTo: string | null;
}

/** One GET the probe sent, and what came back; redirect targets and excerpts are stripped of secrets. */
export interface ProbeRequest {
  method: 'GET';
  /** The URL asked for; its host is the Host header (and TLS server name). */
  url: string;
  /** Where the connection went: an address taken from the cluster's objects. */
  address: string;
  status: number | null;
  redirect: string | null;
  contentType: string | null;
  excerpt: string | null;
  tls: TlsFacts | null;
  /** Why there was no answer: `connection refused`, `timed out after 5 s`, ... */
  error: string | null;
}

export interface Evidence {
  source: 'probe';
  /** The entry point the requests went to. */
  entry: ObjectRef;
  outcome: ProbeOutcome;
  /** One sentence, also appended to the finding's message. */
  summary: string;
  requests: ProbeRequest[];
}

/**
 * Why a finding is not reported: a waiver written in the scanned tree, a `kfscan.io/ignore` annotation or
 * an entry of the configuration file (SARIF `inSource`), or the baseline given on the command line (SARIF
 * `external`). Suppressed findings stay in every machine-readable report, so none vanishes without a trace.
 */
export interface Suppression {
  kind: 'inSource' | 'external';
  via: 'annotation' | 'namespace-annotation' | 'config' | 'baseline';
  /** The reason given, or a note that none was. */
  justification: string;
  /** Where the suppression is written: the annotation in the manifest, or the config entry; `null` live and for the baseline. */
  location: SourceLocation | null;
  /** The object that carries the annotation; `null` for config entries. */
  resource: ObjectRef | null;
  /** `YYYY-MM-DD`, the last day it applies; `null` when it does not expire. */
  expires: string | null;
}

export interface SuppressedFinding extends Finding {
  suppression: Suppression;
}

/** What the report filters (`--min-severity`, `--baseline`) left out, so that readers know it is there. */
export interface ReportFilters {
  minSeverity: Severity | null;
  belowMinSeverity: number;
  /** The baseline file as given on the command line. */
  baseline: string | null;
  inBaseline: number;
}

export interface InputError {
  file?: string;
  line?: number;
  column?: number;
  context?: string;
  resource?: string;
  message: string;
}

export interface CoverageGap {
  resource: string;
  namespace?: string;
  /** A single object that could not be read (a named Secret). */
  name?: string;
  reason: string;
  context?: string;
}

export interface UndecidedCheck {
  checkId: string;
  reason: string;
  context: string | null;
}

/**
 * Who a report is for and by whom (`--title`, `--customer`, `--assessor`, or `report:` in .kfscan.yaml).
 * Free text that anyone who can edit the configuration wrote: reports show it as text, never as markup.
 */
export interface Engagement {
  title: string | null;
  customer: string | null;
  assessor: string | null;
}

/** What a live scan learnt about one cluster it read. */
export interface ClusterFacts {
  context: string;
  /** `gitVersion` of the API server's GET /version (`v1.29.3-eks-adc7111`); `null` when it did not answer. */
  kubernetesVersion: string | null;
  /** The managed platform where the version or the nodes show it (`Amazon EKS`, `Google GKE`, `k3s`, ...). */
  platform: string | null;
}

/** A kustomization root or Helm chart found among the inputs, relative to the working directory. */
export interface RenderedInput {
  path: string;
  type: 'kustomize' | 'helm';
  /** `false` when it could not be rendered (its YAML files were then scanned as they are). */
  rendered: boolean;
}

/** When, on what and with which checks a scan ran: what a report states so that a reader can trust it. */
export interface Provenance {
  /** ISO 8601 UTC, when the scan started. */
  scannedAt: string;
  inputs: {
    /** Files and directories as given (offline). */
    paths: string[];
    roots: RenderedInput[];
    /** One per context scanned (live). */
    clusters: ClusterFacts[];
    /** Namespaces of the objects scanned, and of the Namespace objects. */
    namespaces: string[];
    /** Kinds that could not be read in some context or namespace (live: RBAC). */
    unreadableKinds: string[];
  };
  /** Ids of the checks that ran (selected, and in scope for this input). */
  checks: string[];
}

export interface ScanTarget {
  mode: 'manifests' | 'cluster';
  paths?: string[];
  contexts?: string[];
}

export interface ScanResult {
  target: ScanTarget;
  findings: Finding[];
  errors: InputError[];
  warnings: InputError[];
  coverage: { unreadable: CoverageGap[]; undecided: UndecidedCheck[] };
  /** Metadata of every check that ran, for reporters (SARIF rules, docs links). */
  checks: CheckMeta[];
  /** How much was scanned. */
  scanned: { resources: number; files: number; contexts: number };
  /** First file scanned: SARIF places cluster-wide findings there, as GitHub needs a file per result. */
  anchorFile: string | null;
  /**
   * Absence checks that were selected but not run because the offline input is neither a whole cluster nor
   * holds an ML platform, so reporters do not mistake "not run" for "nothing found". Absent means none.
   */
  outOfScope?: string[];
  /** Findings an annotation or the configuration suppressed: left out of `findings` and the exit code. */
  suppressed?: SuppressedFinding[];
  /** Set when `--min-severity` or `--baseline` left findings out. */
  filtered?: ReportFilters;
  /** Plugins whose checks were loaded; absent or empty when none was. */
  plugins?: PluginInfo[];
  /** When and on what the scan ran; absent in results made by hand. */
  provenance?: Provenance;
}
