// `kfscan/plugin`: what a plugin is written against (plugin API 1), and nothing else. docs/plugins.md
// describes each part; docs/plugin-api.md is the surface as the compiler sees it, kept in step by a test.
// A plugin needs nothing from here at run time: a plain object with the right shape is a plugin. The
// helpers below only give editors and the compiler something to check it against.
import type { Check, Plugin } from './core/types.js';

export type {
  Category,
  Check,
  CheckContext,
  CheckHelpers,
  CheckMeta,
  ContainerSite,
  Draft,
  FieldPath,
  ImageReference,
  Inventory,
  KindName,
  KubeObject,
  LabelSelector,
  LabelSelectorRequirement,
  ObjectMeta,
  ObjectRef,
  Origin,
  Plugin,
  PodTemplateSite,
  Readability,
  RelatedLocation,
  Resource,
  Severity,
  SourceLocation,
  Undecided,
} from './core/types.js';

/**
 * The pod-bearing kinds: what `inventory.podTemplates()`, `podTemplatesMatching()` and
 * `helpers.containers()` read. A check that calls them lists all of these in `meta.needs`.
 */
export { POD_TEMPLATE_KINDS } from './inventory/pod-template-kinds.js';

/** Returns the check as it is: for type checking and editor help in plain JavaScript. */
export function defineCheck(check: Check): Check {
  return check;
}

/** Returns the plugin as it is: for type checking and editor help in plain JavaScript. */
export function definePlugin(plugin: Plugin): Plugin {
  return plugin;
}
