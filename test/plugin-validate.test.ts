// The rules docs/plugins.md states for the plugin object and its checks' metadata, one by one: each broken
// rule gives its own message, and what the docs call valid passes.
import { describe, expect, it } from 'vitest';
import { checkProblem, pluginProblem } from '../src/plugins/validate.js';

const meta = {
  id: 'acme-check',
  title: 'A title',
  category: 'hardening',
  severity: 'low',
  description: 'd',
  rationale: 'r',
  remediation: 'm',
  tags: ['MS-TA9005'],
  needs: ['Pod', 'apps/Deployment', 'Deployment', 'kubeflow.org/Notebook', 'networking.istio.io/Gateway'],
};
const check = (overrides: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({ meta: { ...meta, ...overrides }, run: () => [], ...extra });
const without = (key: string) => ({ meta: Object.fromEntries(Object.entries(meta).filter(([k]) => k !== key)), run: () => [] });
/** Message first, so that each case is named by what it expects. */
const swap = (cases: Array<[unknown, unknown]>) => cases.map(([value, message]) => [message, value] as const);
const plugin = (overrides: Record<string, unknown> = {}) => ({ apiVersion: 1, name: 'acme-policies', checks: [check()], ...overrides });

describe('the plugin object', () => {
  it('accepts the documented shape, optional fields included', () => {
    expect(pluginProblem(plugin())).toBeNull();
    expect(pluginProblem(plugin({ name: '@acme/kfscan-rules', version: '1.2.3', optionsSchema: { type: 'object' }, docs: { 'acme-check': './docs/a.md' } }))).toBeNull();
  });

  it.each(swap([
    [undefined, 'has no default export: export default { apiVersion: 1, name, checks: [...] } (docs/plugins.md)'],
    [[check()], 'exports a list by default, not a plugin object: export default { apiVersion: 1, name, checks: [...] } (docs/plugins.md)'],
    [{ name: 'x', checks: [] }, 'declares no apiVersion: add `apiVersion: 1` to its default export (docs/plugins.md)'],
    [
      plugin({ apiVersion: 2 }),
      'is written for plugin API 2, but this kfscan supports plugin API 1: use a release of the plugin made for it, or a kfscan that supports its API',
    ],
    [
      plugin({ apiVersion: '1' }),
      'is written for plugin API "1", but this kfscan supports plugin API 1: use a release of the plugin made for it, or a kfscan that supports its API',
    ],
    [plugin({ optionSchema: {} }), 'has unknown key "optionSchema" (did you mean "optionsSchema"?); a plugin has apiVersion, name, version, checks, optionsSchema, docs'],
    [plugin({ name: 'Acme Policies' }), 'needs a "name": a lower-case name like an npm package\'s (acme-policies, @acme/kfscan-rules), got "Acme Policies"'],
    [plugin({ name: undefined }), 'needs a "name": a lower-case name like an npm package\'s (acme-policies, @acme/kfscan-rules), got nothing'],
    [plugin({ version: 2 }), '"version" must be a string, got 2'],
    [plugin({ checks: [] }), 'needs "checks": a non-empty list of checks, got a list'],
    [plugin({ checks: check() }), 'needs "checks": a non-empty list of checks, got an object'],
    [plugin({ optionsSchema: [] }), '"optionsSchema" must be a JSON Schema object, got a list'],
    [plugin({ docs: { 'acme-check': 3 } }), '"docs.acme-check" must be the path of a Markdown file relative to the plugin module, got 3'],
  ]))('%s', (message, value) => {
    expect(pluginProblem(value)).toBe(message);
  });
});

describe('a check and its metadata', () => {
  it('accepts the documented shape, optional fields included', () => {
    expect(checkProblem(check())).toBeNull();
    expect(
      checkProblem(
        check(
          { tags: [], needs: [], namedSecrets: [{ namespace: 'auth', name: 'dex' }], absence: true, docsUrl: 'https://wiki.acme.example/x', aliases: ['acme-old'] },
          { secretsToRead: () => [], helper: () => 1 },
        ),
      ),
    ).toBeNull();
  });

  it.each(['id', 'title', 'category', 'severity', 'description', 'rationale', 'remediation', 'tags', 'needs'])('requires meta.%s', (key) => {
    expect(checkProblem(without(key))).toMatch(new RegExp(`^meta\\.${key} .*got nothing$`));
  });

  it.each(swap([
    [5, 'it is 5, not a check object { meta, run }'],
    [{ meta }, 'it needs a run(inventory, context) function, got nothing'],
    [{ meta, run: () => [], secretsToRead: [] }, 'secretsToRead must be a function, got a list'],
    [{ run: () => [] }, 'it needs "meta", an object with id, title, category, severity, description, rationale, remediation, tags, needs; got nothing'],
    [check({ severty: 'low' }), 'meta has unknown key "severty" (did you mean "severity"?); meta has id, title, category, severity, description, rationale, remediation, tags, needs, namedSecrets, absence, docsUrl, aliases'],
    [check({ id: 'Acme_Check' }), 'meta.id must be kebab-case (lower-case letters and digits in words joined by "-", starting with a letter, at most 64 characters), got "Acme_Check"'],
    [check({ id: 'acme--check' }), 'meta.id must be kebab-case (lower-case letters and digits in words joined by "-", starting with a letter, at most 64 characters), got "acme--check"'],
    [check({ id: '1-acme' }), 'meta.id must be kebab-case (lower-case letters and digits in words joined by "-", starting with a letter, at most 64 characters), got "1-acme"'],
    [check({ id: `a${'-b'.repeat(40)}` }), expect.stringMatching(/^meta\.id must be kebab-case .* at most 64 characters\), got "a-b-b/)],
    [check({ title: '  ' }), 'meta.title must be a non-empty string, got "  "'],
    [check({ title: 'two\nlines' }), 'meta.title must be one line'],
    [check({ remediation: 7 }), 'meta.remediation must be a non-empty string, got 7'],
    [
      check({ category: 'exposures' }),
      'meta.category must be one of exposure, auth, mfa, mutable-ml-image, miner, falco-missing, falco-rules, prometheus-missing, alerting-gap, hardening, got "exposures" (did you mean "exposure"?)',
    ],
    [check({ severity: 'urgent' }), 'meta.severity must be one of critical, high, medium, low, info, got "urgent"'],
    [check({ tags: 'MS-TA9005' }), 'meta.tags must be a list of non-empty strings (Threat Matrix ids such as MS-TA9005; [] for none), got "MS-TA9005"'],
    [check({ tags: [''] }), 'meta.tags must be a list of non-empty strings (Threat Matrix ids such as MS-TA9005; [] for none), got a list'],
    [check({ needs: 'Pod' }), 'meta.needs must be the list of kinds the check reads ([] for none), got "Pod"'],
    [check({ needs: ['pods'] }), 'meta.needs: "pods" is not a kind name: write a built-in kind bare (Service, Deployment) and others as group/Kind (kubeflow.org/Notebook)'],
    [check({ needs: [3] }), 'meta.needs: 3 is not a kind name: write a built-in kind bare (Service, Deployment) and others as group/Kind (kubeflow.org/Notebook)'],
    [
      check({ needs: ['Secret'] }),
      'meta.needs: "Secret" must not be listed: Secrets are never listed by kfscan; name the ones the check compares in meta.namedSecrets or secretsToRead()',
    ],
    [
      check({ needs: ['Notebook'] }),
      'meta.needs: "Notebook" is not a built-in kind, so live mode could not know which API to read: write it as group/Kind (e.g. kubeflow.org/Notebook)',
    ],
    [check({ namedSecrets: [{ namespace: 'auth' }] }), 'meta.namedSecrets must be a list of { namespace, name }, got a list'],
    [check({ absence: 'yes' }), 'meta.absence must be true or false, got "yes"'],
    [check({ docsUrl: 'javascript:alert(1)' }), 'meta.docsUrl must be an absolute http(s) URL, got "javascript:alert(1)"'],
    [check({ docsUrl: 'docs/x.md' }), 'meta.docsUrl must be an absolute http(s) URL, got "docs/x.md"'],
    [check({ aliases: ['Old Id'] }), 'meta.aliases must be a list of kebab-case ids, got a list'],
    [check({ aliases: ['acme-check'] }), 'meta.aliases must not repeat meta.id'],
  ]))('%s', (message, value) => {
    expect(checkProblem(value)).toEqual(message);
  });
});
