import path from 'node:path';
import type { Finding, Inventory, ScanResult, ScanTarget } from '../core/types.js';
import { toolVersion } from '../core/version.js';
import { analyseInventory } from '../engine/analyse.js';
import { buildKit } from '../remediate/kit.js';
import { renderKit } from '../remediate/render.js';
import type { Kit, RemediationOptions } from '../remediate/types.js';
import { KitDirectoryError, writeKit } from '../remediate/write.js';
import { terminalSafe } from '../reporters/sanitize.js';
import { connectionOptions, resolveContexts } from './cluster-options.js';
import { EXIT } from './exit-codes.js';
import { UsageError, type CliDependencies, type CliIo } from './io.js';
import { createProgress } from './progress.js';
import type { RenderCliOptions } from './render-options.js';
import { kitFolder } from './report-kits.js';
import { prepareScan, reportProblems, type PreparedScan } from './scan-pipeline.js';
import { scanPaths } from './scan-command.js';

/** The options of `kfscan remediate`, as commander parses them. */
export interface RemediateOptions extends RenderCliOptions {
  outDir?: string;
  force?: boolean;
  wholeCluster?: boolean;
  maxFileSize: string;
  cluster?: boolean;
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
  secrets: boolean;
  requestTimeout: string;
  concurrency: string;
  podGrowthPercent: string;
  cpuGrowthPercent: string;
  gpuUtilPercent: string;
  quotaCpu: string;
  quotaGpu: string;
  quotaPods: string;
  checks?: string;
  skipChecks?: string;
  config?: string | false;
  annotationIgnores?: boolean;
  untrusted?: boolean;
  verbose?: boolean;
}

/** `kfscan remediate`: scan files or a cluster, build the kit for the findings, write it for review. */
export async function runRemediate(paths: string[], options: RemediateOptions, deps: CliDependencies): Promise<number> {
  const { io } = deps;
  if (!options.outDir) throw new UsageError('remediate needs --out-dir <dir>: the directory to write the kit into');
  if (options.cluster && paths.length > 0) throw new UsageError('give either paths to scan or --cluster, not both');
  const remediation = remediationOptions(options);
  const prepared = await prepareScan({ format: 'table', report: [], failOn: 'none', color: false, ...pick(options) }, deps);
  const outDir = path.resolve(io.cwd, options.outDir);

  const scanned = options.cluster ? await readCluster(options, prepared, deps) : await readManifests(paths.length > 0 ? paths : ['.'], options, prepared, io);
  reportProblems(scanned.result, io.stderr, { includeErrors: true, verbose: options.verbose === true });
  if (scanned.result.scanned.resources === 0) {
    io.stderr.write(`kfscan: nothing to scan: no Kubernetes objects found\n`);
    return EXIT.usage;
  }
  if (scanned.result.findings.length === 0) {
    io.stdout.write('kfscan: no findings: nothing to remediate, no kit written\n');
    return scanned.result.errors.length > 0 ? EXIT.incomplete : EXIT.ok;
  }
  // Alternative overlays are deployed one at a time: each view gets a kit of its own, in a folder named
  // after the view, to add to that overlay.
  const kits = scanned.views.length > 1 ? scanned.views.map((view) => ({ ...view, dir: path.join(outDir, kitFolder(view.name)), label: path.join(options.outDir!, kitFolder(view.name)) })) : [{ inventory: scanned.inventory, findings: scanned.result.findings, dir: outDir, label: options.outDir }];
  for (const target of kits) {
    if (target.findings.length === 0) continue;
    const kit = buildKit(target.inventory, target.findings, remediation, { checks: prepared.checks, suppression: prepared.suppression });
    const files = renderKit(kit, { version: toolVersion(), target: scanned.target, options: remediation, findings: target.findings });
    try {
      const outcome = await writeKit(target.dir, files, { force: options.force === true });
      if (outcome.removed.length > 0 && options.verbose) io.stderr.write(`kfscan: removed ${outcome.removed.length} files of the earlier kit\n`);
      if (outcome.foreign.length > 0) io.stderr.write(`kfscan: warning: ${target.label} also holds files kfscan did not write: ${outcome.foreign.map(terminalSafe).join(', ')}\n`);
    } catch (error) {
      if (error instanceof KitDirectoryError) throw new UsageError(error.message);
      throw new UsageError(`cannot write the kit to ${target.label}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    io.stdout.write(summary(kit, target.findings, target.label, files, options.verbose === true));
  }
  return scanned.result.errors.length > 0 ? EXIT.incomplete : EXIT.ok;
}

interface Scanned {
  result: ScanResult;
  inventory: Inventory;
  target: ScanTarget;
  /** Views of rendered roots (offline), each with its own findings; empty live. */
  views: Array<{ name: string | null; inventory: Inventory; findings: Finding[] }>;
}

async function readManifests(paths: string[], options: RemediateOptions, prepared: PreparedScan, io: CliIo): Promise<Scanned> {
  const scan = await scanPaths(paths, options, prepared, io);
  const views = scan.views.map((view) => ({
    name: view.name,
    inventory: view.inventory,
    findings: analyseInventory(view.inventory, { checks: prepared.checks, checkOptions: prepared.checkOptions, suppression: prepared.suppression }).findings,
  }));
  return { result: scan.result, inventory: scan.inventory, target: scan.result.target, views };
}

async function readCluster(options: RemediateOptions, prepared: PreparedScan, deps: CliDependencies): Promise<Scanned> {
  const { io } = deps;
  const { scanCluster, DEFAULT_CONNECTION } = await import('../live/scan-cluster.js');
  const connection = connectionOptions(options, DEFAULT_CONNECTION);
  const { kubeconfig, contexts } = await resolveContexts(options, io);
  let inventory: Inventory | null = null;
  const scan = await scanCluster(kubeconfig, contexts.slice(0, 1), {
    ...connection,
    checks: prepared.checks,
    checkOptions: prepared.checkOptions,
    secrets: options.secrets,
    suppression: prepared.suppression,
    progress: await createProgress(io),
    onInventory: (_context, read) => (inventory = read),
  });
  if (!inventory) throw new UsageError(`context ${contexts[0] ?? ''} could not be read: ${scan.result.errors[0]?.message ?? 'unknown error'}`);
  return { result: scan.result, inventory, target: scan.result.target, views: [] };
}

function remediationOptions(options: RemediateOptions): RemediationOptions {
  const percent = (flag: string, value: string): number => {
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0 || number > 100_000) throw new UsageError(`${flag} takes a positive number (got "${value}")`);
    return number;
  };
  const quantity = (flag: string, value: string, integer: boolean): string => {
    const ok = integer ? /^\d+$/.test(value) : /^(?:\d+(?:\.\d+)?|\.\d+)m?$/.test(value);
    if (!ok) throw new UsageError(`${flag} takes ${integer ? 'a whole number' : 'a CPU quantity such as 16 or 4500m'} (got "${value}")`);
    return value;
  };
  const gpu = percent('--gpu-util-percent', options.gpuUtilPercent);
  if (gpu > 100) throw new UsageError(`--gpu-util-percent is a utilisation, at most 100 (got "${options.gpuUtilPercent}")`);
  return {
    podGrowthPercent: percent('--pod-growth-percent', options.podGrowthPercent),
    cpuGrowthPercent: percent('--cpu-growth-percent', options.cpuGrowthPercent),
    gpuUtilPercent: gpu,
    quota: { cpu: quantity('--quota-cpu', options.quotaCpu, false), gpu: quantity('--quota-gpu', options.quotaGpu, true), pods: quantity('--quota-pods', options.quotaPods, true) },
  };
}

function pick(options: RemediateOptions): { checks?: string; skipChecks?: string; config?: string | false; annotationIgnores?: boolean; untrusted?: boolean; verbose?: boolean } {
  return {
    ...(options.untrusted !== undefined ? { untrusted: options.untrusted } : {}),
    ...(options.checks !== undefined ? { checks: options.checks } : {}),
    ...(options.skipChecks !== undefined ? { skipChecks: options.skipChecks } : {}),
    ...(options.config !== undefined ? { config: options.config } : {}),
    ...(options.annotationIgnores !== undefined ? { annotationIgnores: options.annotationIgnores } : {}),
    ...(options.verbose !== undefined ? { verbose: options.verbose } : {}),
  };
}

function summary(kit: Kit, findings: readonly Finding[], outDir: string, files: ReadonlyMap<string, string>, verbose: boolean): string {
  const cleared = new Set(kit.fixes.flatMap((fix) => fix.addresses));
  const lines = [
    `kfscan: wrote a remediation kit to ${terminalSafe(outDir)}: ${files.size} files, ${kit.fixes.length} fix${kit.fixes.length === 1 ? '' : 'es'} clearing ${cleared.size} of ${findings.length} findings (checked by rescanning with the kit applied)`,
  ];
  const checks = [...new Set(findings.map((f) => f.checkId))].sort();
  for (const check of checks) {
    const total = findings.filter((f) => f.checkId === check).length;
    const fixed = [...cleared].filter((f) => f.checkId === check).length;
    lines.push(`  ${check}: ${total} -> ${total - fixed}`);
  }
  if (kit.verification.appeared.length > 0) lines.push(`  ${kit.verification.appeared.length} new finding(s) with the kit applied: see README.md`);
  const unprovable = kit.fixes.filter((fix) => fix.provableOffline === false);
  if (unprovable.length > 0) lines.push(`  ${unprovable.length} fix${unprovable.length === 1 ? '' : 'es'} not provable offline (the cluster must schedule new pods first): see README.md`);
  if (verbose) for (const file of [...files.keys()].sort()) lines.push(`  wrote ${file}`);
  lines.push('Nothing was applied. Read README.md in the kit before applying any of it.');
  return `${lines.join('\n')}\n`;
}
