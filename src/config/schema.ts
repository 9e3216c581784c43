// The configuration file's JSON Schema: the loader validates with it and editors can use its published
// copy (schema/kfscan-config.schema.json, kept equal by a test). New top-level keys (`plugins:`, ...) are
// added under `properties`; unknown keys stay errors, so a typo never silently does nothing.

const stringOrList = (description: string) =>
  ({
    description,
    type: ['string', 'array'],
    minLength: 1,
    items: { type: 'string', minLength: 1 },
    minItems: 1,
  }) as const;

export const CONFIG_SCHEMA_URL = 'https://raw.githubusercontent.com/kfscan/kfscan/main/schema/kfscan-config.schema.json';

export const CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: CONFIG_SCHEMA_URL,
  title: 'kfscan configuration (.kfscan.yaml)',
  type: 'object',
  additionalProperties: false,
  properties: {
    ignore: {
      description: 'Findings to suppress. Each entry names the checks it applies to and a reason; its other conditions must all match.',
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['check', 'reason'],
        properties: {
          check: stringOrList('Check ids or aliases the entry suppresses; there is no wildcard.'),
          namespace: stringOrList('Globs on the namespace of the object, e.g. team-*'),
          resource: stringOrList('Globs on Kind/name of the object, e.g. Service/istio-ingressgateway or Deployment/trainer-*'),
          path: stringOrList("Globs on the manifest file, relative to this file's directory, e.g. deploy/legacy/**"),
          context: stringOrList('Globs on the kube context (live scans), e.g. dev-*'),
          reason: { description: 'Why the finding is accepted; shown in reports and SARIF.', type: 'string', minLength: 1, pattern: '\\S' },
          expires: {
            description: 'Last day (YYYY-MM-DD, UTC) the entry applies; after it the findings are reported again with a warning.',
            type: 'string',
            pattern: '^\\d{4}-\\d{2}-\\d{2}$',
          },
        },
      },
    },
    plugins: {
      description: 'Plugins with checks of your own (docs/plugins.md): a path relative to this file or an installed package, or { plugin, options }.',
      type: 'array',
      items: {
        description: 'A path (./plugins/acme.mjs) or package name, or a mapping with the plugin and its options.',
        type: ['string', 'object'],
        minLength: 1,
        additionalProperties: false,
        required: ['plugin'],
        properties: {
          plugin: { description: 'Path relative to this file (./plugins/acme.mjs) or package name (@acme/kfscan-rules).', type: 'string', minLength: 1 },
          options: { description: "The plugin's options, given to each of its checks as context.options.", type: 'object' },
        },
      },
    },
    exclude: {
      description: 'Paths left out of the scan (also --exclude), gitignore-style and relative to each scanned input, e.g. apps/** or **/testdata/**; .git and node_modules are always left out.',
      type: 'array',
      items: { type: 'string', minLength: 1, pattern: '\\S' },
    },
    render: {
      description: 'How kustomizations and Helm charts are rendered (docs/rendering.md). Options on the command line win.',
      type: 'object',
      additionalProperties: false,
      properties: {
        kustomizeBin: { description: 'Absolute path of the kustomize or kubectl binary to build with (also --kustomize-bin); default: kustomize, else kubectl, on PATH. Must lie outside the repository.', type: 'string', minLength: 1, pattern: '^/' },
        helmBin: { description: 'Absolute path of the helm binary (also --helm-bin); default: helm on PATH. Must lie outside the repository.', type: 'string', minLength: 1, pattern: '^/' },
        kustomizeHelm: { description: 'Let kustomize inflate helmCharts with the Helm above (kustomize --enable-helm); off by default.', type: 'boolean' },
        timeout: { description: 'Seconds one root may take to render (also --render-timeout); default 120.', type: 'number', exclusiveMinimum: 0 },
        charts: {
          description: 'Settings for Helm charts, by chart directory relative to this file.',
          type: 'object',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            properties: {
              release: { description: 'Release name; default: the chart name.', type: 'string', minLength: 1, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
              namespace: { description: 'Namespace to render into; default: default.', type: 'string', minLength: 1 },
              values: { description: 'Values files, relative to this file and inside the scanned input, applied in order over the chart defaults.', type: 'array', items: { type: 'string', minLength: 1 } },
              set: { description: 'Values as helm --set takes them (key=value), applied after the files.', type: 'array', items: { type: 'string', minLength: 1, pattern: '=' } },
            },
          },
        },
      },
    },
    report: {
      description: 'Who the reports are for (docs/consultant-audit.md); --title, --customer and --assessor win over these.',
      type: 'object',
      additionalProperties: false,
      properties: {
        title: { description: "The report's title, e.g. Kubeflow platform assessment.", type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
        customer: { description: 'Who the report is for, e.g. Example Corp.', type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
        assessor: { description: 'Who carried out the assessment.', type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
      },
    },
    views: {
      description: 'Rendered roots judged together (docs/rendering.md); by default roots that render the same objects are alternatives, each judged in its own view.',
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'roots'],
        properties: {
          name: { description: 'How findings name the view, e.g. prod.', type: 'string', minLength: 1, pattern: '\\S' },
          roots: { description: 'Kustomization or chart directories (or globs), relative to this file.', type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        },
      },
    },
  },
} as const;
