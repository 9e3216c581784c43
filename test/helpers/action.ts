import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './cli.js';
import { spawnCollect } from './process.js';

interface ActionInput {
  description?: string;
  required?: boolean;
  default?: string;
}

export interface ActionStep {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
}

export interface ActionDefinition {
  name: string;
  description: string;
  inputs: Record<string, ActionInput>;
  outputs: Record<string, { description?: string; value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export function readAction(actionPath = ROOT): ActionDefinition {
  return parse(readFileSync(path.join(actionPath, 'action.yml'), 'utf8'), { prettyErrors: true }) as ActionDefinition;
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  stepSummary: string;
  runnerTemp: string;
}

/**
 * Runs the action's `run` step the way the runner does: inputs filled in from their defaults, mapped into
 * the step's environment through its `${{ inputs.x }}` expressions, the GITHUB_* / RUNNER_* variables set,
 * and the step's script run by `bash --noprofile --norc -eo pipefail` in the workspace.
 */
export async function runAction(
  inputs: Record<string, string>,
  // RUNNER_TEMP defaults to a fresh folder next to the workspace, as on a hosted runner (work/_temp).
  {
    workspace,
    actionPath = ROOT,
    runnerTemp = mkdtempSync(path.join(path.dirname(workspace), 'runner-temp-')),
    env = {},
  }: { workspace: string; actionPath?: string; runnerTemp?: string; /** More of the runner's environment (npm settings). */ env?: Record<string, string> },
): Promise<ActionRun> {
  const action = readAction(actionPath);
  for (const name of Object.keys(inputs)) if (!(name in action.inputs)) throw new Error(`action.yml has no input ${name}`);
  const step = action.runs.steps.find((candidate) => candidate.run !== undefined);
  if (!step?.run) throw new Error('action.yml has no run step');

  const value = (name: string) => inputs[name] ?? action.inputs[name]?.default ?? '';
  const stepEnv: Record<string, string> = {};
  for (const [key, expression] of Object.entries(step.env ?? {})) {
    stepEnv[key] = String(expression).replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, name: string) => value(name));
  }

  mkdirSync(runnerTemp, { recursive: true });
  const outputFile = path.join(runnerTemp, 'github-output');
  const summaryFile = path.join(runnerTemp, 'step-summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');

  const run = await spawnCollect('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], {
    cwd: workspace,
    env: {
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env['PATH'] ?? ''}`,
      HOME: process.env['HOME'] ?? os.tmpdir(),
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_ACTION_PATH: actionPath,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: runnerTemp,
      ...env,
      ...stepEnv,
    },
  });
  return {
    ...run,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    stepSummary: readFileSync(summaryFile, 'utf8'),
    runnerTemp,
  };
}

/** The GITHUB_OUTPUT file format: `name=value` lines and `name<<DELIMITER` heredocs. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const end = lines.indexOf(delimiter!, i + 1);
      if (end === -1) throw new Error(`unterminated output ${name}`);
      outputs[name!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}
