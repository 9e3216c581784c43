// The published package, tested the way a user gets it: `npm pack` (which builds through `prepack`), then
// `npm install --omit=dev <tarball>` into an empty folder and the `kfscan` binary run from there. That install
// is the GitHub Action's own, with its `version` input naming the tarball: one install of the package serves
// the action's test and the installed-package tests (an npm install is seconds of CPU). The pack
// runs in a copy of the project, so that its `prepack` rebuild cannot disturb the other tests that run the
// built CLI meanwhile, and so that the copy holds every file of the project: `files` must leave out what
// users do not need.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction, type ActionRun } from './helpers/action.js';
import { spawnCollect, type Collected } from './helpers/process.js';
import { kfscan, kfscanAsync, ROOT } from './helpers/cli.js';
import { startApiServer, writeKubeconfig } from './api-server/index.js';
import { githubCodeScanningProblems, sarifSchemaErrors } from './helpers/sarif-schema.js';
import { sharedParseHost } from '../scripts/shared-parse-host.mjs';

interface PackageJson {
  name: string;
  version: string;
  bin: Record<string, string>;
  files: string[];
  engines: { node: string };
  exports: Record<string, unknown>;
  types: string;
  homepage?: string;
  repository?: { type: string; url: string };
  bugs?: { url: string };
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as PackageJson;
const SLOW = 600_000;

async function sh(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Collected> {
  // No update check or funding notes: the output is parsed, and the test must not wait on them.
  const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...options.env };
  return spawnCollect(command, args, { cwd: options.cwd, env });
}

function must(run: Collected, what: string): Collected {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}\n${run.stdout}\n${run.stderr}`);
  return run;
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}

const demoWorkspace = (): string => {
  const dir = mkdtempSync(path.join(work, 'workspace-'));
  cpSync(path.join(ROOT, 'fixtures', 'demo'), path.join(dir, 'deploy'), { recursive: true });
  return dir;
};

let work: string;
let freshCheckoutAction: ActionRun;
let versionAction: ActionRun;
let versionWorkspace: string;
let pack: Collected;
let tarball: string;
let tarballFiles: string[];
let installDir: string;
let installed: string;

/** A copy of the project as a fresh clone would have it, with the dependencies `npm ci` installed. */
function checkoutCopy(name: string): string {
  const copy = path.join(work, name);
  const leftOut = new Set(['node_modules', 'dist', '.git', 'coverage', 'test-artifacts']);
  cpSync(ROOT, copy, { recursive: true, filter: (source) => !leftOut.has(path.basename(source)) && !source.endsWith('.tgz') });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  return copy;
}

// The slow steps (builds, npm install) run here, overlapping where they do not depend on each other.
beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'kfscan-package-'));
  const packing = (async () => {
    pack = must(await sh('npm', ['pack', '--json', '--pack-destination', work], { cwd: checkoutCopy('checkout-to-pack') }), 'npm pack');
    const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = path.join(work, packed!.filename);
    tarballFiles = packed!.files.map((file) => file.path).sort();
  })();
  // The action used from a checkout that was never built builds itself first (its `version` input empty).
  const building = runAction({ paths: 'deploy' }, { workspace: demoWorkspace(), actionPath: checkoutCopy('checkout-of-action') });
  // The install starts as soon as the tarball is there, while the fresh checkout may still be building.
  const installing = packing.then(() => {
    versionWorkspace = demoWorkspace();
    return runAction(
      { paths: 'deploy', version: tarball, 'fail-on': 'none' },
      // The npm cache that `npm ci` filled serves the dependencies when the registry is away.
      { workspace: versionWorkspace, runnerTemp: path.join(work, 'runner'), env: { npm_config_prefer_offline: 'true' } },
    );
  });
  [freshCheckoutAction, versionAction] = await Promise.all([building, installing]);
  // The action installs into a prefix of its own: `npm install --omit=dev <tarball>` in an empty folder.
  installDir = path.join(versionAction.runnerTemp, 'kfscan-npm');
  installed = path.join(installDir, 'node_modules', 'kfscan');
  if (!existsSync(installed)) throw new Error(`the action did not install the tarball\n${versionAction.stdout}\n${versionAction.stderr}`);
}, SLOW);

afterAll(() => {
  // Removes the symbolic links to node_modules, never what they point at.
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The installed `kfscan` command, run through the link npm made in node_modules/.bin (shebang and mode included). */
function installedKfscan(args: string[], cwd = installDir): Promise<Collected> {
  return sh(path.join(installDir, 'node_modules', '.bin', 'kfscan'), args, {
    cwd,
    // A fixed scan time, so that reports of the installed package and of the development build compare.
    env: { PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env['PATH'] ?? ''}`, HOME: process.env['HOME'] ?? os.tmpdir(), SOURCE_DATE_EPOCH: '1773480413' },
  });
}


/**
 * A TypeScript program as a plugin author's compiler builds it, with two savings that leave what it checks
 * of kfscan unchanged: the programs of this file parse the files they share once (TypeScript's libraries are
 * most of them), and TypeScript's own default libraries are not type-checked again (skipDefaultLibCheck):
 * they are the same for every package, while kfscan's published declarations still are (skipLibCheck stays
 * as the author set it).
 */
function pluginAuthorProgram(rootNames: string[], options: ts.CompilerOptions): ts.Program {
  const checked = { ...options, skipDefaultLibCheck: true };
  return ts.createProgram({ rootNames, options: checked, host: sharedParseHost(checked, parsedFiles) });
}
const parsedFiles = new Map<string, ts.SourceFile | undefined>();

/** The check folders: each ships its page, checks/<id>/README.md. */
function checkIds(): string[] {
  return readdirSync(path.join(ROOT, 'checks'), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

describe('the tarball', () => {
  const allowed = [
    /^(package\.json|README\.md|LICENSE|SECURITY\.md|CHANGELOG\.md)$/,
    /^bin\/kfscan\.js$/,
    // The CLI is one bundle with chunks it loads on demand, live mode's kubeconfig handling another, with the
    // licences of what they bundle; the package entry point is the (runtime-empty) module of the public types.
    /^dist\/kfscan\.mjs$/,
    /^dist\/chunks\/[\w-]+\.mjs$/,
    /^dist\/([\w-]+|chunks\/[\w-]+)\.mjs\.LEGAL\.txt$/,
    /^dist\/(kube-config|context-worker)\.mjs$/,
    /^dist\/src\/(index|plugin|inventory\/pod-template-kinds)\.js$/,
    // Declarations of the public API only: the entry points, what kfscan/plugin exports and src/core.
    /^dist\/src\/(index|plugin|inventory\/pod-template-kinds|core\/[\w-]+)\.d\.ts$/,
    /^checks\/[a-z0-9-]+\/README\.md$/,
    /^fixtures\/demo\/[\w.-]+$/,
  ];

  it('packs cleanly, building through prepack', () => {
    expect(pack.stderr).toContain('> tsc -p tsconfig.build.json && node scripts/bundle.mjs');
    expect(pack.stderr).not.toMatch(/npm warn/i);
  });

  it('holds only what users need: no tests, sources, other fixtures or development files', () => {
    expect(tarballFiles.filter((file) => !allowed.some((pattern) => pattern.test(file)))).toEqual([]);
    expect(tarballFiles.filter((file) => /(^|\/)test\/|\.test\.|\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
  });

  it('holds everything users need: the bundled CLI, the entry point, the docs pages, the demo and the legal files', () => {
    const modules = ['dist/kfscan.mjs', 'dist/kube-config.mjs', 'dist/context-worker.mjs', 'dist/src/index.js'];
    const docs = checkIds().map((id) => `checks/${id}/README.md`);
    const demo = readdirSync(path.join(ROOT, 'fixtures', 'demo')).map((file) => `fixtures/demo/${file}`);
    const required = ['package.json', 'README.md', 'LICENSE', 'SECURITY.md', 'CHANGELOG.md', pkg.bin['kfscan']!, 'dist/src/index.d.ts', 'dist/src/core/types.d.ts'];
    expect([...required, ...modules, ...docs, ...demo].filter((file) => !tarballFiles.includes(file))).toEqual([]);
    expect(docs.length).toBeGreaterThan(0);
  });

  it('points at no project site (none exists: reports name the pages the package ships) and declares its entry points', () => {
    expect([pkg.homepage, pkg.repository, pkg.bugs]).toEqual([undefined, undefined, undefined]);
    expect(pkg.engines.node).toMatch(/^>=20\.\d+\.\d+$/);
    expect(pkg.types).toBe('./dist/src/index.d.ts');
    expect(pkg.exports['.']).toEqual({ types: './dist/src/index.d.ts', default: './dist/src/index.js' });
    expect(pkg.exports['./plugin']).toEqual({ types: './dist/src/plugin.d.ts', default: './dist/src/plugin.js' });
  });
});

describe('kfscan installed from the tarball with production dependencies only', () => {
  it('prints the version from package.json', async () => {
    const run = await installedKfscan(['--version']);
    expect(run).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('lists its checks and explains one from the shipped docs pages', async () => {
    const checks = await installedKfscan(['checks', '--format', 'json']);
    expect(checks.code).toBe(0);
    const listed = (JSON.parse(checks.stdout) as { checks: Array<{ id: string }> }).checks;
    expect(listed.map((check) => check.id)).toContain('kubeflow-dashboard-exposed');
    expect(listed.length).toBe(checkIds().length);
    const explain = await installedKfscan(['explain', 'ingress-gateway-exposed']);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain('kubectl port-forward');
    expect(explain.stdout).toMatch(/Fails/);
  });

  it('scans the bundled demo with the same results as the development build', async () => {
    const fromPackage = await installedKfscan(['scan', 'fixtures/demo', '-f', 'json'], installed);
    const fromSource = kfscan(['scan', 'fixtures/demo', '-f', 'json'], { env: { SOURCE_DATE_EPOCH: '1773480413' } });
    expect(fromPackage.code).toBe(1);
    expect(fromPackage.stdout).toBe(fromSource.stdout);
    const report = JSON.parse(fromPackage.stdout);
    expect(report.tool).toEqual({ name: 'kfscan', version: pkg.version });
    expect(report.summary.critical).toBeGreaterThan(0);
  });

  it('scans the demo by its installed path, as the README shows, and writes table and SARIF reports', async () => {
    const sarif = path.join(work, 'demo.sarif');
    const run = await installedKfscan(['scan', 'node_modules/kfscan/fixtures/demo', '--no-color', '--report', `sarif=${sarif}`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^CRITICAL \(\d+\)/m);
    expect(run.stdout).toMatch(/^kfscan: \d+ findings \(.*critical.*\) in \d+ resources from 4 files$/m);
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('node_modules/kfscan/fixtures/demo/istio.yaml');
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(githubCodeScanningProblems(log)).toEqual([]);
    expect(log.runs[0].tool.driver.version).toBe(pkg.version);
  });

  it('scans a fleet of contexts on every core (its worker threads are in the package), as the development build does', async () => {
    const api = await startApiServer({ fixtures: [path.join(ROOT, 'fixtures', 'demo')] });
    try {
      const kubeconfig = writeKubeconfig(path.join(work, 'fleet-kubeconfig'), ['a', 'b', 'c', 'd'].map((name) => ({ name, server: api })));
      const args = ['cluster', '--kubeconfig', kubeconfig, '--all-contexts', '-f', 'json', '--verbose'];
      const [fromPackage, fromSource] = await Promise.all([installedKfscan(args), kfscanAsync(args, { env: { SOURCE_DATE_EPOCH: '1773480413' } })]);
      if (os.availableParallelism() >= 2) expect(fromPackage.stderr).toContain(`kfscan: 4 contexts read on ${Math.min(os.availableParallelism(), 4)} threads at once\n`);
      expect(fromPackage.code).toBe(1);
      expect((JSON.parse(fromPackage.stdout) as { fleet: Array<{ status: string }> }).fleet.map((entry) => entry.status)).toEqual(['scanned', 'scanned', 'scanned', 'scanned']);
      expect(fromPackage.stdout).toBe(fromSource.stdout);
    } finally {
      await api.close();
    }
  });

  it('installed no development-only package', () => {
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages)
      .filter(([key, entry]) => key.startsWith('node_modules/') && entry.dev === true)
      .map(([key]) => key);
    expect(devOnly).toContain('node_modules/typescript');
    expect(devOnly.filter((key) => existsSync(path.join(installDir, key)))).toEqual([]);
  });

  it('prints no PDF without playwright-core (an optional peer dependency) and says how to get it and a browser', async () => {
    expect(pkg.peerDependenciesMeta['playwright-core']?.optional).toBe(true);
    expect(existsSync(path.join(installDir, 'node_modules', 'playwright-core'))).toBe(false);
    const pdf = path.join(installDir, 'report.pdf');
    const run = await installedKfscan(['scan', 'fixtures/demo', '--fail-on', 'none', '-f', 'json', '--report', `pdf=${pdf}`], installed);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--report pdf needs the package playwright-core');
    expect(run.stderr).toContain('npm install --global playwright-core@');
    expect(run.stderr).toContain('KFSCAN_CHROMIUM');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(pdf)).toBe(false);
  });

  it('imports nothing at run time but Node built-ins, its dependencies and its own shipped files', () => {
    const builtins = new Set(builtinModules);
    const problems: string[] = [];
    const scripts = listFiles(installed).filter((file) => /\.m?js$/.test(file));
    expect(scripts).toContain('dist/kfscan.mjs');
    for (const file of scripts) {
      const { importedFiles } = ts.preProcessFile(readFileSync(path.join(installed, file), 'utf8'), true, true);
      for (const { fileName: specifier } of importedFiles) {
        if (specifier.startsWith('.')) {
          if (!existsSync(path.resolve(installed, path.dirname(file), specifier))) problems.push(`${file}: ${specifier} is not in the package`);
        } else if (!specifier.startsWith('node:') && !builtins.has(specifier)) {
          const name = specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
          // An optional peer dependency is imported only where it is needed, and its absence is an error message.
          const optionalPeer = name in pkg.peerDependencies && pkg.peerDependenciesMeta[name]?.optional === true;
          if (!(name in pkg.dependencies) && !optionalPeer) problems.push(`${file}: ${specifier} is not a production dependency`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives plugin authors the types: a TypeScript plugin using `import type { Check } from "kfscan"` compiles under strict NodeNext and runs', async () => {
    const consumer = path.join(work, 'plugin');
    mkdirSync(path.join(consumer, 'node_modules'), { recursive: true });
    symlinkSync(installed, path.join(consumer, 'node_modules', 'kfscan'), 'dir');
    writeFileSync(path.join(consumer, 'package.json'), '{ "name": "kfscan-plugin-test", "private": true, "type": "module" }\n');
    writeFileSync(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', outDir: 'dist', types: [], skipLibCheck: false },
        files: ['plugin.ts'],
      }),
    );
    writeFileSync(
      path.join(consumer, 'plugin.ts'),
      [
        "import type { CheckMeta, Draft, Severity, Undecided } from 'kfscan';",
        "import { POD_TEMPLATE_KINDS, defineCheck, definePlugin, type Plugin } from 'kfscan/plugin';",
        'const meta: CheckMeta = {',
        "  id: 'typed-public-ml-service', title: 'ML Service exposed', category: 'exposure', severity: 'high',",
        "  description: 'd', rationale: 'r', remediation: 'm', tags: [], needs: ['Service', ...POD_TEMPLATE_KINDS],",
        '};',
        'const check = defineCheck({',
        '  meta,',
        '  *run(inventory, { options, helpers }): Generator<Draft | Undecided> {',
        "    const prefix = typeof options['prefix'] === 'string' ? options['prefix'] : 'typed';",
        '    const mlImages = helpers.containers(inventory).filter((site) => {',
        "      const image = site.container['image'];",
        "      return typeof image === 'string' && helpers.isMlImage(image) && helpers.parseImage(image)?.registry === 'docker.io';",
        '    });',
        '    for (const site of mlImages) {',
        '      yield { resource: site.pod.resource, path: [...site.path, \'image\'], key: site.name, message: `${prefix}: ${site.pod.resource.ref.name} runs a Docker Hub ML image` };',
        '    }',
        "    if (inventory.readability('Service').state === 'forbidden') yield { undecided: true, reason: 'no Services' };",
        '  },',
        '});',
        '// @ts-expect-error the types are real, not `any`: an unknown severity is rejected',
        "export const wrong: Severity = 'urgent';",
        '// @ts-expect-error a plugin declares the API version it is written for, and only 1 exists',
        "export const future: Plugin = { apiVersion: 2, name: 'future', checks: [check] };",
        "export default definePlugin({ apiVersion: 1, name: 'typed-plugin', version: '1.0.0', checks: [check] });",
        '',
      ].join('\n'),
    );
    const config = ts.getParsedCommandLineOfConfigFile(path.join(consumer, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    const program = pluginAuthorProgram(config!.fileNames, config!.options);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    expect(diagnostics).toEqual([]);
    expect(program.emit().emitSkipped).toBe(false);
    // The main entry point also loads at run time (it holds types only, so it exports nothing); kfscan/plugin
    // holds the helpers, and loads from the installed package on its own.
    const load = await sh(process.execPath, ['--input-type=module', '-e', "const m = await import('kfscan'); const p = await import('kfscan/plugin'); console.log(Object.keys(m).length, Object.keys(p).sort().join(','))"], { cwd: consumer });
    expect(load).toMatchObject({ code: 0, stdout: '0 POD_TEMPLATE_KINDS,defineCheck,definePlugin\n' });

    // The compiled plugin runs in the installed kfscan, from outside the package.
    const run = await installedKfscan(['scan', 'fixtures/demo', '-f', 'json', '--fail-on', 'none', '--checks', 'typed-public-ml-service', '--plugin', path.join(consumer, 'dist', 'plugin.js')], installed);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { tool: { plugins: unknown[] }; findings: Array<{ checkId: string; message: string }> };
    expect(report.tool.plugins).toEqual([{ name: 'typed-plugin', version: '1.0.0', source: path.join(consumer, 'dist', 'plugin.js'), checks: ['typed-public-ml-service'] }]);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings.every((f) => f.checkId === 'typed-public-ml-service' && /^typed: \S+ runs a Docker Hub ML image$/.test(f.message))).toBe(true);
  });

  it('type-checks the example plugin (JavaScript with JSDoc) against the published types, and runs it', async () => {
    const consumer = path.join(work, 'example-plugin');
    cpSync(path.join(ROOT, 'examples', 'plugin-approved-registries'), consumer, { recursive: true });
    mkdirSync(path.join(consumer, 'node_modules'), { recursive: true });
    symlinkSync(installed, path.join(consumer, 'node_modules', 'kfscan'), 'dir');
    const options: ts.CompilerOptions = { strict: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, allowJs: true, checkJs: true, noEmit: true, types: [] };
    const program = pluginAuthorProgram([path.join(consumer, 'index.mjs')], options);
    expect(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);

    writeFileSync(path.join(consumer, '.kfscan.yaml'), 'plugins:\n  - plugin: .\n    options:\n      registries: [registry.acme.example]\n');
    const run = await installedKfscan(['scan', path.join(installed, 'fixtures', 'demo'), '-f', 'json', '--fail-on', 'none', '--checks', 'ml-image-unapproved-registry'], consumer);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).findings.length).toBeGreaterThan(0);
  });
});

describe('the GitHub Action outside this checkout', () => {
  it('builds a fresh checkout of itself on first use, then scans', () => {
    expect(freshCheckoutAction.stdout).toContain('::group::Build kfscan');
    expect(freshCheckoutAction.code).toBe(1);
    expect(freshCheckoutAction.outputs).toMatchObject({ 'exit-code': '1' });
    expect(Number(freshCheckoutAction.outputs['findings'])).toBeGreaterThan(0);
  });

  it('installs and runs the kfscan package its `version` input names (here a packed tarball)', () => {
    const run = versionAction;
    expect(run.stdout).toContain(`::group::Install ${tarball}`);
    expect(run.code).toBe(0);
    const prefix = path.join(run.runnerTemp, 'kfscan-npm', 'node_modules');
    expect(existsSync(path.join(prefix, 'kfscan', 'package.json'))).toBe(true);
    expect(existsSync(path.join(prefix, 'typescript'))).toBe(false);
    const sarif = path.join(versionWorkspace, 'kfscan.sarif');
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0].tool.driver.version).toBe(pkg.version);
    expect(run.outputs).toMatchObject({ 'exit-code': '0', 'sarif-file': sarif });
  });
});
