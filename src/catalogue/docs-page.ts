import { promises as fs } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../core/version.js';

export interface DocsSection {
  heading: string;
  /** Markdown of the section, without its heading, trimmed. */
  body: string;
}

export interface DocsExample {
  /** The label line before the code block: `Fails` or `Passes`. */
  label: string;
  kind: 'fail' | 'pass' | 'other';
  yaml: string;
}

/** A check's page, `checks/<id>/README.md`: title, metadata table, sections and the examples. */
export interface DocsPage {
  title: string;
  rows: Array<[string, string]>;
  sections: DocsSection[];
  examples: DocsExample[];
}

/**
 * The page of a built-in check, read from its folder in the package (`checks/<id>/README.md`), so that `kfscan explain` works from an installed package; `null` when there is none, as
 * for plugin checks that document themselves elsewhere.
 */
export async function readDocsPage(checkId: string): Promise<string | null> {
  const root = packageRoot();
  if (root === null || !/^[a-z0-9][a-z0-9-]*$/.test(checkId)) return null;
  return fs.readFile(path.join(root, 'checks', checkId, 'README.md'), 'utf8').catch(() => null);
}

export function parseDocsPage(text: string): DocsPage {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const page: DocsPage = { title: '', rows: [], sections: [], examples: [] };
  let current: { heading: string; lines: string[] } | null = null;
  let fence: string[] | null = null;
  let label = '';
  const close = (): void => {
    if (current) page.sections.push({ heading: current.heading, body: current.lines.join('\n').trim() });
  };

  for (const line of lines) {
    if (fence) {
      current?.lines.push(line);
      if (/^```\s*$/.test(line)) {
        if (current?.heading === 'Examples') page.examples.push({ label, kind: exampleKind(label), yaml: fence.join('\n') });
        fence = null;
      } else {
        fence.push(line);
      }
      continue;
    }
    if (/^```/.test(line)) {
      fence = [];
      current?.lines.push(line);
      continue;
    }
    const h1 = /^# (.+)$/.exec(line);
    if (h1 && !current && page.title === '') {
      page.title = h1[1]!.trim();
      continue;
    }
    const h2 = /^## (.+)$/.exec(line);
    if (h2) {
      close();
      current = { heading: h2[1]!.trim(), lines: [] };
      continue;
    }
    if (!current) {
      const row = /^\|\s*([^|]+?)\s*\|\s*(.+?)\s*\|\s*$/.exec(line);
      if (row && !/^-+$/.test(row[1]!)) page.rows.push([row[1]!, row[2]!]);
      continue;
    }
    current.lines.push(line);
    if (line.trim() !== '') label = line.trim().replace(/:$/, '');
  }
  close();
  return page;
}

function exampleKind(label: string): DocsExample['kind'] {
  const lower = label.toLowerCase();
  return lower.startsWith('fail') ? 'fail' : lower.startsWith('pass') ? 'pass' : 'other';
}

/** A page's sections as Markdown, without its title and metadata table: the help a SARIF rule carries. */
export function helpMarkdown(text: string): string {
  return parseDocsPage(text)
    .sections.map((section) => `### ${section.heading}\n\n${section.body}`)
    .join('\n\n');
}
