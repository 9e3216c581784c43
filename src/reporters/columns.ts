import { maxOf } from '../core/arrays.js';
import { textWidth } from './text-width.js';

/** The narrowest table kfscan draws: a terminal narrower than this gets lines of this width. */
export const MIN_TABLE_WIDTH = 80;

export interface ColumnSpec {
  head: string;
  /** Columns narrower than this read badly; a column whose cells are all shorter gets what they need. */
  min: number;
  /**
   * A column of single tokens that wrap badly (check ids, `file:line`) gets up to this share of the width
   * before the others; columns without one share what is left by `weight`.
   */
  cap?: number;
  /** Share of what is left after the capped columns: the message column gets most. */
  weight?: number;
}

/** Columns of the box table (borders and padding) besides their content. */
export function tableOverhead(columns: number): number {
  return 3 * columns + 1;
}

/**
 * Content widths for a box table of at most `total` columns. Everything fits: each column as wide as its
 * longest cell. Otherwise the capped columns (ids, locations) get what they need up to their cap, so that
 * `file:line` stays on one line when it can, and the rest goes to the wrapping columns by weight, a column
 * that needs less than its share giving the rest back.
 */
export function fitColumns(columns: readonly ColumnSpec[], rows: ReadonlyArray<readonly string[]>, total: number): number[] {
  const natural = columns.map((column, index) => Math.max(longestLine(column.head), 1, maxOf(rows.map((row) => longestLine(row[index] ?? '')))));
  const usable = total - tableOverhead(columns.length);
  if (natural.reduce((sum, width) => sum + width, 0) <= usable) return natural;

  const floor = columns.map((column, index) => Math.min(natural[index]!, column.min));
  const widths = columns.map((column, index) => (column.cap === undefined ? floor[index]! : Math.min(natural[index]!, Math.max(floor[index]!, Math.floor(column.cap * usable)))));
  const flexible = columns.map((_, index) => index).filter((index) => columns[index]!.cap === undefined);
  // Capped columns give back down to their minimum when the others would fall below theirs.
  let excess = widths.reduce((sum, width) => sum + width, 0) - usable;
  for (let index = 0; excess > 0 && index < columns.length; index++) {
    if (columns[index]!.cap === undefined) continue;
    const give = Math.min(excess, widths[index]! - floor[index]!);
    widths[index] = widths[index]! - give;
    excess -= give;
  }
  let remaining = usable - widths.reduce((sum, width) => sum + width, 0);
  let open = flexible.filter((index) => natural[index]! > widths[index]!);
  while (remaining > 0 && open.length > 0) {
    const weight = (index: number): number => columns[index]!.weight ?? 1;
    const weights = open.reduce((sum, index) => sum + weight(index), 0);
    const satisfied = open.filter((index) => natural[index]! - widths[index]! <= (remaining * weight(index)) / weights);
    if (satisfied.length === 0) {
      let given = 0;
      for (const index of open) {
        const share = Math.floor((remaining * weight(index)) / weights);
        widths[index] = widths[index]! + share;
        given += share;
      }
      // What rounding left over goes to the column that weighs most.
      const heaviest = open.reduce((best, index) => (weight(index) > weight(best) ? index : best), open[0]!);
      widths[heaviest] = widths[heaviest]! + remaining - given;
      break;
    }
    for (const index of satisfied) {
      remaining -= natural[index]! - widths[index]!;
      widths[index] = natural[index]!;
    }
    open = open.filter((index) => !satisfied.includes(index));
  }
  return widths;
}

function longestLine(cell: string): number {
  return maxOf(cell.split('\n').map(textWidth));
}
