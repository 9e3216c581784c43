import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORT_FORMATS } from '../src/reporters/index.js';
import { escapeHtml } from '../src/reporters/html/markup.js';
import { markdownCode, neutraliseRunnerCommands, terminalSafe, terminalSafeJson } from '../src/reporters/sanitize.js';
import { runCli } from './helpers/in-process.js';
import { tempDir } from './helpers/live.js';

// CI runners read workflow commands from a job's output: GitHub Actions a line starting with `::`
// (after white space) and `##[...]` anywhere, Azure Pipelines `##vso[...]` anywhere, TeamCity
// `##teamcity[...]`. Text from a scanned repository must never become one, in any format on stdout or
// in any line on stderr. The runners search with .NET's culture-aware comparison, which skips
// ignorable characters such as the soft hyphen: those are part of the payloads too.
const PAYLOADS = [
  '::add-mask::HOSTILE-mask',
  '::error::HOSTILE-error',
  '::warning file=x::HOSTILE-warning',
  '::stop-commands::HOSTILE-stop',
  '##[error]HOSTILE-old',
  '##[add-mask]HOSTILE-oldmask',
  '##vso[task.setvariable variable=HOSTILE]x',
  '##VSO[task.complete result=Failed]HOSTILE',
  "##teamcity[buildProblem description='HOSTILE']",
];
// What the payloads look like when a runner reads a line: an ignorable character taken out.
const IGNORABLE = /\u00ad|[\u200b-\u200f]|[\u2060-\u2064]|\ufeff|\u034f|\u061c/g;

/** The payloads a runner would obey in `output`, as `line: payload` for the assertion message. */
function obeyedCommands(output: string): string[] {
  const found: string[] = [];
  output.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = raw.replace(IGNORABLE, '');
    const start = line.trimStart();
    for (const payload of PAYLOADS) {
      const obeyed = payload.startsWith('::') ? start.startsWith(payload) : line.toLowerCase().includes(payload.toLowerCase());
      if (obeyed) found.push(`line ${index + 1}: ${payload} in ${JSON.stringify(raw.slice(0, 200))}`);
    }
  });
  return found;
}

/** Each payload as a manifest may carry it: alone, after a newline, a tab, odd white space or an ignorable. */
function variants(payload: string): string[] {
  return [payload, `text\n${payload}`, `\t${payload}`, `x\u2028${payload}`, `x\u00a0${payload}`, payload.replace(/^(.)/, '$1\u00ad')];
}

function hostileTree(): string {
  const dir = tempDir('kfscan-runner-');
  const payloads = PAYLOADS.flatMap(variants);
  const yamlString = (text: string): string => JSON.stringify(text);
  // File and directory names (a name cannot hold a slash or NUL, but can hold the rest).
  const sub = path.join(dir, '::error::HOSTILE-dir');
  mkdirSync(sub);
  const documents = payloads.map((payload, index) =>
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: ${yamlString(`trainer-${index}${payload}`)}`,
      `  namespace: ${yamlString(`ml${payload}`)}`,
      `  labels: {team: ${yamlString(payload)}}`,
      '  annotations:',
      `    note: ${yamlString(payload)}`,
      '    kfscan.io/ignore: egress-unrestricted',
      `    kfscan.io/ignore-reason: ${yamlString(`accepted ${payload}`)}`,
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      `        - name: ${yamlString(`c${payload}`)}`,
      `          image: ${yamlString(`tensorflow/tensorflow:latest-gpu${index % 2 ? '' : payload}`)}`,
      `          command: ["xmrig", "-o", ${yamlString(`stratum+tcp://pool.supportxmr.com:3333 ${payload}`)}]`,
    ].join('\n'),
  );
  writeFileSync(path.join(sub, '##[error]HOSTILE-file.yaml'), documents.join('\n---\n'));
  // Warnings and errors that quote the input: an unknown kind, a broken document, a bad ignore annotation.
  writeFileSync(
    path.join(dir, '::add-mask::HOSTILE-warn.yaml'),
    [
      `apiVersion: v1\nkind: ${yamlString(`Deploy${PAYLOADS[1]}`)}\nmetadata: {name: typo}`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, annotations: {kfscan.io/ignore: ${yamlString(`nope${PAYLOADS[0]}`)}}}`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "a${PAYLOADS[4]}"\ndata: |x\n`,
    ].join('\n---\n'),
  );
  writeFileSync(path.join(dir, '.kfscan.yaml'), `ignore:\n  - check: namespace-quota-missing\n    reason: ${yamlString(`waived ${PAYLOADS[2]}\n${PAYLOADS[0]}`)}\n`);
  return dir;
}

describe('CI runner commands from the input never reach the output', () => {
  const dir = hostileTree();

  it.each(REPORT_FORMATS)('--format %s: not on stdout, not on stderr (also --verbose, suppressed findings, narrow tables)', async (format) => {
    const runs = [
      await runCli(['scan', '.', '-f', format, '--fail-on', 'none', '--verbose', '--show-suppressed', '--min-severity', 'info'], { cwd: dir }),
      await runCli(['scan', '.', '-f', format, '--fail-on', 'none'], { cwd: dir, columns: 80 }),
      await runCli(['scan', '.', '-f', format, '--fail-on', 'none', '--show-suppressed'], { cwd: dir, columns: 133 }),
    ];
    for (const run of runs) {
      expect(run.code).toBe(3);
      // OpenMetrics carries counts by check, never a manifest's text: nothing of the input to break.
      if (format === 'openmetrics') expect(run.stdout).not.toContain('HOSTILE');
      else expect(run.stdout).toContain('HOSTILE');
      expect(obeyedCommands(run.stdout), `stdout of --format ${format}`).toEqual([]);
      expect(obeyedCommands(run.stderr), `stderr of --format ${format}`).toEqual([]);
    }
    // The hostile text is all there, only broken: the reader still sees what the manifest says.
    expect(runs[0]!.stderr).toContain('HOSTILE');
  });

  it('usage errors, explain and checks listings quote arguments inertly', async () => {
    for (const args of [['scan', `x${PAYLOADS[0]}`], ['scan', '.', '--checks', `\n${PAYLOADS[1]}`], ['explain', `\n${PAYLOADS[4]}`], ['scan', '--fail-on', `\n${PAYLOADS[0]}`]]) {
      const run = await runCli(args, { cwd: dir });
      expect(run.code).toBe(2);
      expect(obeyedCommands(run.stdout + run.stderr), args.join(' ')).toEqual([]);
    }
  });
});

describe('the sanitising helpers', () => {
  it('break every runner command visibly and idempotently', () => {
    for (const payload of PAYLOADS.flatMap(variants)) {
      const safe = terminalSafe(payload);
      expect(obeyedCommands(safe), payload).toEqual([]);
      expect(neutraliseRunnerCommands(safe)).toBe(safe);
      expect(safe).toContain('HOSTILE');
    }
    expect(terminalSafe('##[error]x')).toBe('##\\[error]x');
    expect(terminalSafe('::add-mask::x')).toBe(':\\:add-mask::x');
    expect(terminalSafe('  ::error::x')).toBe('  :\\:error::x');
    // IPv6 addresses and the like keep their colons.
    expect(terminalSafe('fd00:ec2::254 and std::string')).toBe('fd00:ec2::254 and std::string');
  });

  it('JSON keeps the value and loses the command', () => {
    const value = { name: '##[error]x ##vso[task.complete]y', list: ['##teamcity[z]'] };
    const text = terminalSafeJson(value);
    expect(obeyedCommands(text.replace(/HOSTILE/g, ''))).toEqual([]);
    expect(text).not.toMatch(/##[a-z]*\[/i);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('escape U+061C, U+2028, U+2029 and other invisible characters in text and JSON', () => {
    const hidden = 'a\u061cb\u2028c\u2029d\u200be\u00adf\u2060g\u{e0041}h\ufe0fi\u3164j';
    expect(terminalSafe(hidden)).toBe('a\\u061cb\\u2028c\\u2029d\\u200be\\xadf\\u2060g\\u{e0041}h\\ufe0fi\\u3164j');
    const json = terminalSafeJson({ hidden });
    expect(json).toContain('a\\u061cb\\u2028c\\u2029d\\u200be\\u00adf\\u2060g\\udb40\\udc41h\\ufe0fi\\u3164j');
    expect(json).toMatch(/^[\n\x20-\x7e]*$/);
    expect(JSON.parse(json)).toEqual({ hidden });
    // The table, Markdown and HTML reports all show text through terminalSafe.
    expect(markdownCode('a\u061cb\u2028c', { inTable: true })).toBe('`a\\u061cb\\u2028c`');
    expect(escapeHtml('a\u2029b\u061c')).toBe('a\\u2029b\\u061c');
  });
});
