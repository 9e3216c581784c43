import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pluginApiReport, REPORT_FILE } from '../scripts/plugin-api.mjs';
import * as pluginEntry from '../src/plugin.js';
import { POD_TEMPLATE_KINDS } from '../src/inventory/pod-template-kinds.js';

describe('the plugin API (kfscan/plugin)', () => {
  it('is what docs/plugin-api.md says: a change to it is seen in review (`npm run api` rewrites the file)', () => {
    expect(readFileSync(REPORT_FILE, 'utf8')).toBe(pluginApiReport());
  });

  it('holds at run time only the helpers a plugin may use, none of which needs kfscan running', () => {
    expect(Object.keys(pluginEntry).sort()).toEqual(['POD_TEMPLATE_KINDS', 'defineCheck', 'definePlugin']);
    expect(pluginEntry.POD_TEMPLATE_KINDS).toBe(POD_TEMPLATE_KINDS);
    const check = { meta: { id: 'x' }, run: () => [] } as never;
    expect(pluginEntry.defineCheck(check)).toBe(check);
  });
});
