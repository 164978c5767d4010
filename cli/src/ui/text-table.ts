export type Column = { header: string; align?: 'left' | 'right' };

/** The gap between columns, in characters. */
export const COLUMN_GAP = 2;

/**
 * Rows as aligned text lines, headers first; amounts are right-aligned so their decimal points
 * line up. Pure: styling (bold headers) is applied by the caller to the first line.
 */
export function renderTable(columns: Column[], rows: string[][]): string[] {
  const widths = columns.map((column, index) =>
    Math.max(visibleLength(column.header), ...rows.map((row) => visibleLength(row[index] ?? ''))),
  );
  const renderRow = (cells: string[]) =>
    columns
      .map((column, index) => {
        const cell = cells[index] ?? '';
        const pad = ' '.repeat(widths[index]! - visibleLength(cell));
        return column.align === 'right' ? pad + cell : cell + pad;
      })
      .join(' '.repeat(COLUMN_GAP))
      .trimEnd();
  return [renderRow(columns.map((column) => column.header)), ...rows.map(renderRow)];
}

// SGR colour sequences take no room on screen.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ESC is the point.
const SGR_SEQUENCE = /\u001b\[[0-9;]*m/g;

/** Length in terminal cells for the text we print (ASCII, emails, ids, digits, arrows), colour codes aside. */
export function visibleLength(text: string): number {
  return [...text.replace(SGR_SEQUENCE, '')].length;
}
