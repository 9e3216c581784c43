import { parse } from 'yaml';
import { asArray, asObject, asString, type JsonObject } from '../core/json.js';
import type { ContainerSite, FieldPath, PodTemplateSite, Resource } from '../core/types.js';
import { stringMap } from '../inventory/resource.js';

const IMPLEMENTATION_PARAMETER = 'implementations-';
const IMPLEMENTATION_ANNOTATION = 'pipelines.kubeflow.org/implementations-';

/** Where each Argo-based kind keeps its workflow spec. */
const WORKFLOW_SPEC_PATHS: ReadonlyMap<string, FieldPath> = new Map([
  ['Workflow', ['spec']],
  ['WorkflowTemplate', ['spec']],
  ['ClusterWorkflowTemplate', ['spec']],
  ['CronWorkflow', ['spec', 'workflowSpec']],
  ['ScheduledWorkflow', ['spec', 'workflow', 'spec']],
]);

/** The kinds, by bare name as the inventory matches them, whose workflow spec may hold KFP v2 components. */
export const KFP_WORKFLOW_KINDS: readonly string[] = [...WORKFLOW_SPEC_PATHS.keys()];

interface Candidate {
  path: FieldPath;
  text: string;
  /** How the component is called in the DAG, when known. */
  role: string;
}

/**
 * The containers of a compiled Kubeflow Pipelines v2 run. Its Argo templates run the placeholder image;
 * the component's real image, command, args and env sit as JSON in the workflow (`spec.arguments.
 * parameters[implementations-<hash>]` since KFP 2.1, `metadata.annotations[pipelines.kubeflow.org/
 * implementations-<name>]` before, or inline in the driver task's `container` parameter or `--container`
 * argument), and the driver turns it into a `podSpecPatch` at run time. Offline, that JSON is the only
 * record of what the run executes.
 */
export function kfpV2ComponentSites(resource: Resource): PodTemplateSite[] {
  const specPath = WORKFLOW_SPEC_PATHS.get(resource.ref.kind);
  if (!specPath) return [];
  const spec = asObject(follow(resource.obj, specPath));
  if (!spec) return [];

  const roles = taskRoles(spec);
  const candidates: Candidate[] = [];
  asArray(asObject(spec['arguments'])?.['parameters']).forEach((entry, index) => {
    const parameter = asObject(entry);
    const name = asString(parameter?.['name']) ?? '';
    const value = asString(parameter?.['value']);
    if (name.startsWith(IMPLEMENTATION_PARAMETER) && value !== null) {
      candidates.push({ path: [...specPath, 'arguments', 'parameters', index, 'value'], text: value, role: roles.get(name) ?? name });
    }
  });
  for (const [key, value] of Object.entries(resource.annotations)) {
    if (key.startsWith(IMPLEMENTATION_ANNOTATION)) {
      candidates.push({ path: ['metadata', 'annotations', key], text: value, role: roles.get(key) ?? key.slice(IMPLEMENTATION_ANNOTATION.length) });
    }
  }
  asArray(spec['templates']).forEach((entry, templateIndex) => {
    const template = asObject(entry);
    if (!template) return;
    const templatePath: FieldPath = [...specPath, 'templates', templateIndex];
    inlineDriverContainers(template, templatePath, candidates);
    literalPodSpecPatch(template, templatePath, candidates);
  });

  const podMetadata = asObject(spec['podMetadata']);
  const seen = new Set<string>();
  const sites: PodTemplateSite[] = [];
  for (const candidate of candidates) {
    if (seen.has(candidate.text)) continue;
    for (const container of containerSpecs(candidate.text)) {
      seen.add(candidate.text);
      sites.push(componentSite(resource, candidate, container, spec, podMetadata));
    }
  }
  return sites;
}

/** `--container '<json>'` in a driver template, or the driver task's `container` parameter, when literal. */
function inlineDriverContainers(template: JsonObject, templatePath: FieldPath, out: Candidate[]): void {
  const args = asArray(asObject(template['container'])?.['args']);
  args.forEach((arg, index) => {
    const next = asString(args[index + 1]);
    if (arg === '--container' && next !== null) out.push({ path: [...templatePath, 'container', 'args', index + 1], text: next, role: asString(template['name']) ?? 'driver' });
  });
  asArray(asObject(template['dag'])?.['tasks']).forEach((entry, taskIndex) => {
    const task = asObject(entry);
    asArray(asObject(task?.['arguments'])?.['parameters']).forEach((p, parameterIndex) => {
      const parameter = asObject(p);
      const value = asString(parameter?.['value']);
      if (parameter?.['name'] !== 'container' || value === null) return;
      out.push({
        path: [...templatePath, 'dag', 'tasks', taskIndex, 'arguments', 'parameters', parameterIndex, 'value'],
        text: value,
        role: stripDriverSuffix(asString(task?.['name']) ?? 'component'),
      });
    });
  });
}

/** A `podSpecPatch` written out (not a `{{...}}` reference) replaces the template's containers too. */
function literalPodSpecPatch(template: JsonObject, templatePath: FieldPath, out: Candidate[]): void {
  const patch = asString(template['podSpecPatch']);
  if (patch === null) return;
  const parsed = asObject(parseLenient(patch));
  asArray(parsed?.['containers']).forEach((container) => {
    out.push({ path: [...templatePath, 'podSpecPatch'], text: JSON.stringify(container), role: asString(template['name']) ?? 'podSpecPatch' });
  });
}

/** Which DAG tasks use each implementation parameter: they name the component better than its hash. */
function taskRoles(spec: JsonObject): Map<string, string> {
  const roles = new Map<string, Set<string>>();
  for (const entry of asArray(spec['templates'])) {
    for (const taskEntry of asArray(asObject(asObject(entry)?.['dag'])?.['tasks'])) {
      const task = asObject(taskEntry);
      const taskName = asString(task?.['name']);
      if (!taskName) continue;
      for (const p of asArray(asObject(task?.['arguments'])?.['parameters'])) {
        const value = asString(asObject(p)?.['value']) ?? '';
        const reference = /\{\{\s*workflow\.(?:parameters|annotations)\.((?:pipelines\.kubeflow\.org\/)?implementations-[^}{\s]+)\s*\}\}/.exec(value);
        if (!reference) continue;
        const set = roles.get(reference[1]!) ?? new Set<string>();
        set.add(stripDriverSuffix(taskName));
        roles.set(reference[1]!, set);
      }
    }
  }
  return new Map([...roles].map(([key, names]) => [key, [...names].sort().join(', ')]));
}

function componentSite(resource: Resource, candidate: Candidate, container: JsonObject, spec: JsonObject, podMetadata: JsonObject | null): PodTemplateSite {
  const containers: ContainerSite[] = [];
  const account = asString(spec['serviceAccountName']);
  const site: PodTemplateSite = {
    resource,
    path: candidate.path,
    namespace: resource.ref.namespace ?? '',
    labels: stringMap(podMetadata?.['labels']),
    annotations: stringMap(podMetadata?.['annotations']),
    spec: { containers: [container] },
    serviceAccountName: account !== null && account !== '' ? account : null,
    containers,
    role: candidate.role,
  };
  // Argo runs the component in the pod's `main` container.
  containers.push({ pod: site, path: candidate.path, container, name: 'main', type: 'container' });
  return site;
}

/** The container specs in a component implementation: `{image, command, args, env}` as protojson writes it. */
function containerSpecs(text: string): JsonObject[] {
  if (text.includes('{{')) return [];
  const parsed = asObject(parseLenient(text));
  if (!parsed) return [];
  const image = asString(parsed['image']);
  return image !== null && image !== '' ? [parsed] : [];
}

function parseLenient(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  try {
    return trimmed.startsWith('{') ? JSON.parse(trimmed) : parse(trimmed, { maxAliasCount: 0, logLevel: 'error' });
  } catch {
    return null;
  }
}

function stripDriverSuffix(name: string): string {
  return name.endsWith('-driver') ? name.slice(0, -'-driver'.length) : name;
}

function follow(root: unknown, path: FieldPath): unknown {
  let current = root;
  for (const step of path) current = asObject(current)?.[step as string];
  return current;
}
