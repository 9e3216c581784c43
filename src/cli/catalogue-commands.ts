import { Option, type Command } from 'commander';
import { promises as fs } from 'node:fs';
import { parseDocsPage, readDocsPage, type DocsPage } from '../catalogue/docs-page.js';
import { didYouMean } from '../core/suggest.js';
import type { Check, CheckMeta } from '../core/types.js';
import { docsUrlFor } from '../engine/docs-url.js';
import { markdownLink, markdownText, terminalSafe } from '../reporters/sanitize.js';
import { EXIT } from './exit-codes.js';
import { describePlugin, pluginOf } from '../plugins/provenance.js';
import { addCatalogueOptions, loadCatalogue, printCatalogueErrors, unknownIdReason, type CatalogueOptions, type CheckCatalogue } from './check-catalogue.js';
import { UsageError, useColor, type CliDependencies, type CliIo } from './io.js';

interface ChecksOptions extends CatalogueOptions {
  format: 'table' | 'json' | 'markdown';
}

interface ExplainOptions extends CatalogueOptions {
  format: 'text' | 'markdown';
  color: boolean;
}

export function registerCatalogueCommands(program: Command, deps: CliDependencies, setExit: (code: number) => void): void {
  const checks = program
    .command('checks')
    .description('list the checks: id, severity, category and title')
    .addOption(new Option('-f, --format <format>', 'table, json or markdown').choices(['table', 'json', 'markdown']).default('table'));
  addCatalogueOptions(checks).action(async (options: ChecksOptions) => {
    const catalogue = await loadCatalogue(options, deps);
    printCatalogueErrors(catalogue, deps.io);
    const render = { table: checksTable, json: checksJson, markdown: checksMarkdown }[options.format];
    deps.io.stdout.write(render(catalogue.checks));
    setExit(catalogue.errors.length > 0 ? EXIT.incomplete : EXIT.ok);
  });

  const explain = program
    .command('explain')
    .description('what a check detects, why it matters in the Kubeflow mining attack, how to fix it, with examples')
    .argument('<check-id>', 'check id or alias (see `kfscan checks`)')
    .addOption(new Option('-f, --format <format>', 'text or markdown (the docs page)').choices(['text', 'markdown']).default('text'))
    .option('--no-color', 'no ANSI styles (also NO_COLOR)');
  addCatalogueOptions(explain).action(async (id: string, options: ExplainOptions) => {
    const catalogue = await loadCatalogue(options, deps);
    printCatalogueErrors(catalogue, deps.io);
    const check = findCheck(catalogue, id);
    const text = await docsPageOf(check, deps.io);
    if (options.format === 'markdown') {
      deps.io.stdout.write(text ?? generatedPage(check.meta));
    } else {
      const bold = useColor(deps.io, options.color) ? (s: string) => `\u001b[1m${s}\u001b[0m` : (s: string) => s;
      deps.io.stdout.write(explainText(check, text === null ? null : parseDocsPage(text), id, bold));
    }
    setExit(catalogue.errors.length > 0 ? EXIT.incomplete : EXIT.ok);
  });
}

function findCheck(catalogue: CheckCatalogue, id: string): Check {
  const { checks } = catalogue;
  const found = checks.find((check) => check.meta.id === id || (check.meta.aliases ?? []).includes(id));
  if (found) return found;
  const known = checks.flatMap((check) => [check.meta.id, ...(check.meta.aliases ?? [])]);
  const failed = unknownIdReason(catalogue);
  throw new UsageError(`unknown check id "${id}"${failed ? `: ${failed(id)}` : `${didYouMean(id, known)}; \`kfscan checks\` lists them`}`);
}

/**
 * A built-in check's page ships in checks/<id>/README.md; a plugin check's page is the file its plugin names in
 * `docs`, if any. An unreadable plugin page is a warning: `explain` falls back to the metadata.
 */
async function docsPageOf(check: Check, io: CliIo): Promise<string | null> {
  const origin = pluginOf(check);
  if (!origin) return readDocsPage(check.meta.id);
  const file = origin.docs[check.meta.id];
  if (file === undefined) return null;
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    io.stderr.write(`kfscan: warning: ${terminalSafe(`${describePlugin(origin)}: cannot read the docs page of ${check.meta.id} (${file}): ${(error as NodeJS.ErrnoException).code ?? String(error)}; explaining from its metadata`)}\n`);
    return null;
  }
}

function checksTable(checks: readonly Check[]): string {
  const metas = checks.map((check) => check.meta);
  const rows = [['ID', 'SEVERITY', 'CATEGORY', 'TITLE'], ...metas.map((m) => [m.id, m.severity, m.category, m.title])].map((row) => row.map(terminalSafe));
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '));
  const fromPlugins = new Map<string, number>();
  for (const check of checks) {
    const origin = pluginOf(check);
    if (origin) fromPlugins.set(origin.name, (fromPlugins.get(origin.name) ?? 0) + 1);
  }
  const plugins = [...fromPlugins].map(([name, count]) => `${count} from plugin ${terminalSafe(name)}`).join(', ');
  return `${lines.join('\n')}\n\n${metas.length} check${metas.length === 1 ? '' : 's'}${plugins ? ` (${plugins})` : ''}. \`kfscan explain <id>\` tells what a check detects, why it matters and how to fix it.\n`;
}

function checksJson(checkList: readonly Check[]): string {
  const checks = checkList.map(({ meta: m }, index) => ({
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
    plugin: pluginOf(checkList[index]!)?.name ?? null,
  }));
  return `${JSON.stringify({ schemaVersion: 1, checks }, null, 2)}\n`;
}

function checksMarkdown(checks: readonly Check[]): string {
  const rows = checks.map(
    ({ meta: m }) => `| ${markdownLink(markdownText(m.id), m.docsUrl ?? docsUrlFor(m.id))} | ${m.severity} | ${markdownText(m.category)} | ${markdownText(m.title)} |`,
  );
  return `${['| id | severity | category | title |', '|---|---|---|---|', ...rows].join('\n')}\n`;
}

/**
 * The docs page for a terminal: metadata from the check itself (what the catalogue test keeps equal to
 * the page), then the page's sections with code blocks indented instead of fenced.
 */
function explainText(check: Check, page: DocsPage | null, asked: string, style: (s: string) => string): string {
  const { meta } = check;
  const origin = pluginOf(check);
  const docsUrl = meta.docsUrl ?? docsUrlFor(meta.id);
  // Plugin metadata is text from outside too: escaped before styling, so that only our styles remain.
  const bold = (text: string): string => style(terminalSafe(text));
  const out: string[] = [`${bold(meta.id)}: ${terminalSafe(meta.title)}`, ''];
  if (asked !== meta.id) out.push(`("${terminalSafe(asked)}" is a former id of this check)`, '');
  const severityRow = page?.rows.find(([key]) => key === 'Default severity')?.[1].replace(/`/g, '') ?? meta.severity;
  const facts: Array<[string, string]> = [
    ['Category', meta.category],
    ['Severity', severityRow],
    ['Threat Matrix', meta.tags.join(', ') || 'none'],
    ...(meta.aliases?.length ? [['Aliases', meta.aliases.join(', ')] as [string, string]] : []),
    ...(origin ? [['Plugin', `${origin.name}${origin.version ? ` ${origin.version}` : ''} (${origin.source})`] as [string, string]] : []),
    ...(docsUrl ? [['Docs', docsUrl] as [string, string]] : []),
  ];
  const width = Math.max(...facts.map(([key]) => key.length));
  for (const [key, value] of facts) out.push(`  ${key.padEnd(width)}  ${terminalSafe(value)}`);
  out.push('');

  const sections = page?.sections ?? [
    { heading: 'What it detects', body: meta.description },
    { heading: 'Why it matters', body: meta.rationale },
    { heading: 'How to fix', body: meta.remediation },
    { heading: 'Examples', body: `No examples ship with this check${docsUrl ? `; see ${docsUrl}` : '.'}` },
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
