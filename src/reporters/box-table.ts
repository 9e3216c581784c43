import { textWidth } from './text-width.js';

/**
 * A bordered table of pre-wrapped cells, drawn as cli-table3 drew kfscan's tables before. cli-table3
 * spends time cubic in a cell's length (its `Cell.draw` truncates the whole content one character at a
 * time, for every line, for a debug message), so a resource name of a few thousand characters froze the
 * report; this stays linear in the output.
 */
export function boxTable(head: readonly string[], rows: ReadonlyArray<readonly string[]>, colWidths: readonly number[]): string {
  const rule = (left: string, middle: string, right: string): string => `${left}${colWidths.map((width) => '─'.repeat(width)).join(middle)}${right}`;
  const out = [rule('┌', '┬', '┐')];
  [head, ...rows].forEach((row, index) => {
    if (index > 0) out.push(rule('├', '┼', '┤'));
    const cells = colWidths.map((width, column) => (row[column] ?? '').split('\n').map((line) => fit(line, width - 2)));
    const height = Math.max(...cells.map((lines) => lines.length));
    for (let line = 0; line < height; line++) {
      out.push(`│${cells.map((lines, column) => ` ${lines[line] ?? ' '.repeat(colWidths[column]! - 2)} `).join('│')}│`);
    }
  });
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}

/** The line padded to exactly `width` columns, or cut with an ellipsis (wide characters count twice). */
function fit(line: string, width: number): string {
  let shown = line;
  let columns = textWidth(shown);
  if (columns > width) {
    const characters = [...line];
    let kept = '';
    let used = 0;
    for (const character of characters) {
      const size = textWidth(character);
      if (used + size > width - 1) break;
      kept += character;
      used += size;
    }
    shown = `${kept}…`;
    columns = used + 1;
  }
  return shown + ' '.repeat(Math.max(0, width - columns));
}
