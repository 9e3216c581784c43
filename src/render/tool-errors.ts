import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * A render tool's error as one line for the report. kustomize and Helm quote what they could not read
 * (a YAML anchor, a value, a template), and that text comes from the scanned files, where secrets live:
 * only quoted paths that exist are kept, any other quoted text becomes `…`. kubectl's log prefix and
 * kustomize's deprecation notices are left out.
 */
export function toolErrorLine(stderr: string, baseDir: string, replacements: ReadonlyArray<[string, string]> = []): string {
  const lines = stderr.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.startsWith('# Warning:') && !/^(?:WARNING|walk\.go)/i.test(line));
  let text = lines.at(-1) ?? 'failed without a message';
  // kubectl logs through klog: `E1206 ... run.go:72] "command failed" err="..."`, or err=< with the
  // message on the lines that follow.
  const klogIndex = lines.findIndex((line) => KLOG.test(line));
  const errorLine = [...lines].reverse().find((line) => /^error:/i.test(line));
  if (klogIndex !== -1) {
    const value = KLOG.exec(lines[klogIndex]!)![1]!.trimEnd();
    text = value === '<' ? (lines[klogIndex + 1] ?? '').trim() : value.replace(/^"|"$/g, '').replace(/\\"/g, '"');
  } else if (errorLine !== undefined) {
    text = errorLine;
  }
  text = text.replace(/^error:\s*/i, '');
  for (const [from, to] of replacements) if (from !== '') text = text.split(from).join(to);
  text = text.replace(/(['"`])([^'"`\n]*)\1/g, (whole, quote: string, inner: string) => (isShownPath(inner, baseDir) ? whole : `${quote}…${quote}`));
  return text.length > 600 ? `${text.slice(0, 600)}...` : text;
}

const KLOG = /^[EWIF]\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\] "command failed" err=(.*)$/;

function isShownPath(text: string, baseDir: string): boolean {
  if (text === '' || text.length > 4096) return false;
  if (text.includes('<kfscan wrapper>')) return true;
  // The tools' own advice (`helm dependency build`) is theirs, not the scanned files'.
  if (/^(?:helm|kustomize|kubectl) [a-z][a-z -]*$/.test(text)) return true;
  try {
    return existsSync(path.resolve(baseDir, text)) || /^[\w./-]+$/.test(text) && existsSync(path.resolve(baseDir, text.split('/')[0]!));
  } catch {
    return false;
  }
}
