import { Option, type Command } from 'commander';
import { parseDocsPage, readDocsPage, type DocsPage } from '../catalogue/docs-page.js';
import { didYouMean } from '../core/suggest.js';
import type { Check, CheckMeta } from '../core/types.js';
import { docsUrlFor } from '../engine/docs-url.js';
import { markdownLink, markdownText, terminalSafe } from '../reporters/sanitize.js';
import { EXIT } from './exit-codes.js';
import { UsageError, useColor } from './io.js';
import type { CliDependencies } from './main.js';

export function registerCatalogueCommands(program: Command, deps: CliDependencies, setExit: (code: number) => void): void {
  program
    .command('checks')
    .description('list the checks: id, severity, category and title')
    .addOption(new Option('-f, --format <format>', 'table, json or markdown').choices(['table', 'json', 'markdown']).default('table'))
    .action((options: { format: 'table' | 'json' | 'markdown' }) => {
      const metas = deps.checks.map((check) => check.meta);
      const render = { table: checksTable, json: checksJson, markdown: checksMarkdown }[options.format];
      deps.io.stdout.write(render(metas));
      setExit(EXIT.ok);
    });

  program
    .command('explain')
    .description('what a check detects, why it matters in the Kubeflow mining attack, how to fix it, with examples')
    .argument('<check-id>', 'check id or alias (see `kfscan checks`)')
    .addOption(new Option('-f, --format <format>', 'text or markdown (the docs page)').choices(['text', 'markdown']).default('text'))
    .option('--no-color', 'no ANSI styles (also NO_COLOR)')
    .action(async (id: string, options: { format: 'text' | 'markdown'; color: boolean }) => {
      const check = findCheck(deps.checks, id);
      const text = await readDocsPage(check.meta.id);
      if (options.format === 'markdown') {
        deps.io.stdout.write(text ?? generatedPage(check.meta));
      } else {
        const bold = useColor(deps.io, options.color) ? (s: string) => `\u001b[1m${s}\u001b[0m` : (s: string) => s;
        deps.io.stdout.write(explainText(check.meta, text === null ? null : parseDocsPage(text), id, bold));
      }
      setExit(EXIT.ok);
    });
}

function findCheck(checks: readonly Check[], id: string): Check {
  const found = checks.find((check) => check.meta.id === id || (check.meta.aliases ?? []).includes(id));
  if (found) return found;
  const known = checks.flatMap((check) => [check.meta.id, ...(check.meta.aliases ?? [])]);
  throw new UsageError(`unknown check id "${id}"${didYouMean(id, known)}; \`kfscan checks\` lists them`);
}

function checksTable(metas: readonly CheckMeta[]): string {
  const rows = [['ID', 'SEVERITY', 'CATEGORY', 'TITLE'], ...metas.map((m) => [m.id, m.severity, m.category, m.title])].map((row) => row.map(terminalSafe));
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '));
  return `${lines.join('\n')}\n\n${metas.length} check${metas.length === 1 ? '' : 's'}. \`kfscan explain <id>\` tells what a check detects, why it matters and how to fix it.\n`;
}

function checksJson(metas: readonly CheckMeta[]): string {
  const checks = metas.map((m) => ({
    id: m.id,
    title: m.title,
    category: m.category,
    severity: m.severity,
    description: m.description,
    rationale: m.rationale,
    remediation: m.remediation,
    tags: m.tags,
    aliases: m.aliases ?? [],
    absence: m.absence === true,
    needs: m.needs,
    docsUrl: m.docsUrl ?? docsUrlFor(m.id),
  }));
  return `${JSON.stringify({ schemaVersion: 1, checks }, null, 2)}\n`;
}

function checksMarkdown(metas: readonly CheckMeta[]): string {
  const rows = metas.map(
    (m) => `| ${markdownLink(markdownText(m.id), m.docsUrl ?? docsUrlFor(m.id))} | ${m.severity} | ${markdownText(m.category)} | ${markdownText(m.title)} |`,
  );
  return `${['| id | severity | category | title |', '|---|---|---|---|', ...rows].join('\n')}\n`;
}

/**
 * The docs page for a terminal: metadata from the check itself (what the catalogue test keeps equal to
 * the page), then the page's sections with code blocks indented instead of fenced.
 */
function explainText(meta: CheckMeta, page: DocsPage | null, asked: string, style: (s: string) => string): string {
  // Plugin metadata is text from outside too: escaped before styling, so that only our styles remain.
  const bold = (text: string): string => style(terminalSafe(text));
  const out: string[] = [`${bold(meta.id)}: ${terminalSafe(meta.title)}`, ''];
  if (asked !== meta.id) out.push(`("${terminalSafe(asked)}" is a former id of this check)`, '');
  const severityRow = page?.rows.find(([key]) => key === 'Default severity')?.[1].replace(/`/g, '') ?? meta.severity;
  const facts: Array<[string, string]> = [
    ['Category', meta.category],
    ['Severity', severityRow],
    ['Threat Matrix', meta.tags.join(', ')],
    ...(meta.aliases?.length ? [['Aliases', meta.aliases.join(', ')] as [string, string]] : []),
    ['Docs', meta.docsUrl ?? docsUrlFor(meta.id)],
  ];
  const width = Math.max(...facts.map(([key]) => key.length));
  for (const [key, value] of facts) out.push(`  ${key.padEnd(width)}  ${terminalSafe(value)}`);
  out.push('');

  const sections = page?.sections ?? [
    { heading: 'What it detects', body: meta.description },
    { heading: 'Why it matters', body: meta.rationale },
    { heading: 'How to fix', body: meta.remediation },
    { heading: 'Examples', body: `No examples ship with this check; see ${meta.docsUrl ?? docsUrlFor(meta.id)}` },
  ];
  for (const section of sections) {
    out.push(bold(section.heading.toUpperCase()), '');
    let inCode = false;
    for (const line of section.body.split('\n')) {
      if (/^```/.test(line)) {
        inCode = !inCode;
        continue;
      }
      out.push(line === '' ? '' : `${inCode ? '    ' : '  '}${terminalSafe(line)}`);
    }
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** For a check without a page of its own (a plugin's), the page its metadata makes. */
function generatedPage(meta: CheckMeta): string {
  return [
    `# ${meta.id}`,
    '',
    '| | |',
    '|---|---|',
    `| Title | ${meta.title} |`,
    `| Category | \`${meta.category}\` |`,
    `| Default severity | \`${meta.severity}\` |`,
    `| Threat Matrix | ${meta.tags.join(', ')} |`,
    '',
    '## What it detects',
    '',
    meta.description,
    '',
    '## Why it matters',
    '',
    meta.rationale,
    '',
    '## How to fix',
    '',
    meta.remediation,
    '',
  ].join('\n');
}
