import { Option, type Command } from 'commander';
import { DEFAULT_MAX_FILE_BYTES } from '../loaders/files.js';
import { DEFAULT_OPTIONS } from '../remediate/types.js';
import type { CliDependencies } from './io.js';
import { addRenderOptions } from './render-options.js';
import type { RemediateOptions } from './remediate-run.js';

export function registerRemediateCommand(program: Command, deps: CliDependencies, setExit: (code: number) => void): void {
  const command = program.command('remediate');
  addRenderOptions(command);
  command
    .description('write a kit of manifests and patches that fix the findings, for a human to review (never applies anything)')
    .argument('[paths...]', 'manifest files or directories to scan, as for `scan` (default: .)')
    .option('--out-dir <dir>', 'directory to write the kit into (must be empty or new)')
    .option('--force', 'write into a non-empty directory: files of a kit kfscan wrote there before are replaced, other files are left alone')
    .option('--whole-cluster', 'the input is a whole cluster: run absence checks on it')
    .addOption(new Option('--max-file-size <MB>', 'skip files larger than this').default(String(DEFAULT_MAX_FILE_BYTES / 1024 / 1024)))
    .option('--cluster', 'read a live cluster (read-only, as `kfscan cluster`) instead of files')
    .option('--kubeconfig <file>', 'with --cluster: kubeconfig file')
    .option('--context <name>', 'with --cluster: the context to read (default: the current context)')
    .option('--in-cluster', "with --cluster: use the pod's service account")
    .option('--no-secrets', 'with --cluster: do not read the Secrets the credential checks compare')
    .addOption(new Option('--request-timeout <seconds>', 'with --cluster: time for one API request').default('30'))
    .addOption(new Option('--concurrency <n>', 'with --cluster: API requests in flight').default('8'))
    .addOption(new Option('--pod-growth-percent <n>', 'alert when a namespace runs this % of the pods it ran a day before').default(String(DEFAULT_OPTIONS.podGrowthPercent)))
    .addOption(new Option('--cpu-growth-percent <n>', 'alert when a namespace uses this % of the CPU it used a day before').default(String(DEFAULT_OPTIONS.cpuGrowthPercent)))
    .addOption(new Option('--gpu-util-percent <n>', 'alert when a pod keeps its GPU above this utilisation').default(String(DEFAULT_OPTIONS.gpuUtilPercent)))
    .addOption(new Option('--quota-cpu <cpus>', 'ResourceQuota requests.cpu for profile namespaces').default(DEFAULT_OPTIONS.quota.cpu))
    .addOption(new Option('--quota-gpu <gpus>', 'ResourceQuota requests.nvidia.com/gpu for profile namespaces').default(DEFAULT_OPTIONS.quota.gpu))
    .addOption(new Option('--quota-pods <n>', 'ResourceQuota count/pods for profile namespaces').default(DEFAULT_OPTIONS.quota.pods))
    .option('--checks <ids>', 'remediate only the findings of these checks (comma-separated ids)')
    .option('--skip-checks <ids>', 'leave the findings of these checks alone')
    .option('--config <file>', 'configuration file (suppressions); default: .kfscan.yaml found upward')
    .option('--no-config', 'ignore any .kfscan.yaml')
    .option('--no-annotation-ignores', 'disregard kfscan.io/ignore annotations')
    .option('--untrusted', 'the scanned tree may be hostile: plugins and waivers of its .kfscan.yaml and its kfscan.io/ignore annotations are not applied')
    .option('-v, --verbose', 'list every file written')
    .action(async (paths: string[], options: RemediateOptions) => {
      // The kit's builders and renderers load only for this command, not on every scan's start.
      const { runRemediate } = await import('./remediate-run.js');
      setExit(await runRemediate(paths, options, deps));
    });
}
