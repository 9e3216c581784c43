// A plugin's `options` from .kfscan.yaml, checked against the JSON Schema the plugin declares. A mismatch
// is a mistake in the configuration, like any other: the run stops before scanning (exit 2) with the line.
import { ConfigError } from '../config/load.js';
import { didYouMean } from '../core/suggest.js';
import { deepFreeze } from '../core/freeze.js';
import type { PluginRequest } from './request.js';
import { isPlainObject } from './validate.js';

/** The options, frozen, once they fit `schema` (any mapping fits when the plugin declares none). */
export async function validOptions(request: PluginRequest, schema: unknown, label: string): Promise<Readonly<Record<string, unknown>>> {
  const given = request.options;
  if (given !== undefined && given !== null && !isPlainObject(given)) {
    throw new ConfigError(`${where(request, [])}options of ${label}: must be a mapping`);
  }
  const options = deepFreeze(JSON.parse(JSON.stringify(given ?? {})) as Record<string, unknown>);
  if (schema === undefined) return options;
  // Loaded only for plugins that declare a schema.
  const { default: AjvModule } = await import('ajv');
  const ajv = new AjvModule.default({ allErrors: true, strict: false, verbose: true });
  const validate = ajv.compile(schema as object);
  if (validate(options)) return options;
  // A misspelt key is the likeliest mistake, and it also makes a required key look missing: name it first.
  const errors = validate.errors ?? [];
  const error = errors.find((e) => e.keyword === 'additionalProperties') ?? errors[0];
  const at = (error?.instancePath ?? '').split('/').slice(1).map((part) => (/^\d+$/.test(part) ? Number(part) : part.replace(/~1/g, '/').replace(/~0/g, '~')));
  const field = at.length === 0 ? 'options' : `options.${at.join('.')}`;
  let detail = error?.message ?? 'invalid';
  if (error?.keyword === 'additionalProperties') {
    const key = String(error.params['additionalProperty']);
    const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    detail = `unknown key "${key}"${didYouMean(key, allowed)}${allowed.length ? `; allowed keys: ${allowed.join(', ')}` : ''}`;
  }
  const hint = given === undefined ? ` (give them under plugins: in .kfscan.yaml: - plugin: ${request.source}, options: {...})` : '';
  throw new ConfigError(`${where(request, at)}${field} of ${label}: ${detail}${hint}`);
}

function where(request: PluginRequest, at: readonly (string | number)[]): string {
  const location = request.locateOption?.(at) ?? request.location;
  return location ? `${location.file}:${location.line}:${location.column}: ` : '';
}
