/** The smallest terminal the dashboard is laid out for; smaller ones get the same, clipped. */
export const SCREEN_WIDTH_MIN = 40;
export const SCREEN_HEIGHT_MIN = 12;
/** Header, totals, table header, feed title, status line, key help. */
export const FIXED_LINES = 6;
export const FEED_ROWS_MIN = 3;
export const FEED_ROWS_MAX = 10;
export const FORM_LINES = 6;
export const TABLE_ROWS_MIN = 3;
export const BALANCE_COLUMN_WIDTH = 18;
export const CHANGE_COLUMN_WIDTH = 14;

export type DashboardLayout = {
  width: number;
  tableRows: number;
  feedRows: number;
  emailWidth: number;
};

/**
 * How many lines each part gets. One line is left free: ink redraws by clearing the whole
 * screen when a frame is as tall as the terminal, which flickers.
 */
export function computeLayout(columns: number, rows: number, formOpen: boolean): DashboardLayout {
  const width = Math.max(columns, SCREEN_WIDTH_MIN);
  const height = Math.max(rows, SCREEN_HEIGHT_MIN) - 1;
  const feedRows = formOpen ? 0 : Math.min(FEED_ROWS_MAX, Math.max(FEED_ROWS_MIN, Math.floor(height / 4)));
  const formLines = formOpen ? FORM_LINES : 0;
  const tableRows = Math.max(
    TABLE_ROWS_MIN,
    height - FIXED_LINES - feedRows - formLines + (formOpen ? 1 : 0),
  );
  const emailWidth = Math.max(10, width - BALANCE_COLUMN_WIDTH - CHANGE_COLUMN_WIDTH - 2);
  return { width, tableRows, feedRows, emailWidth };
}
