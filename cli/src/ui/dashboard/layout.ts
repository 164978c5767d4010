/** The smallest terminal the dashboard is laid out for; smaller ones get the same, clipped. */
export const SCREEN_WIDTH_MIN = 40;
export const SCREEN_HEIGHT_MIN = 12;
/** Header, totals, table header, feed (or holds) title, status line, key help. */
export const FIXED_LINES = 6;
export const FEED_ROWS_MIN = 3;
export const FEED_ROWS_MAX = 10;
/** The largest form (hold: from, to, amount, expires), its title and its key help, and one spare. */
export const FORM_FIELDS_MAX = 4;
export const FORM_LINES = FORM_FIELDS_MAX + 3;
export const TABLE_ROWS_MIN = 3;
export const EMAIL_COLUMN_WIDTH_MIN = 12;
export const BALANCE_COLUMN_WIDTH = 14;
export const HELD_COLUMN_WIDTH = 11;
export const AVAILABLE_COLUMN_WIDTH = 14;
export const CHANGE_COLUMN_WIDTH = 13;
/** " frozen", " closed"; empty for an active wallet. */
export const STATUS_COLUMN_WIDTH = 7;
const NUMBER_COLUMNS_WIDTH =
  BALANCE_COLUMN_WIDTH +
  HELD_COLUMN_WIDTH +
  AVAILABLE_COLUMN_WIDTH +
  CHANGE_COLUMN_WIDTH +
  STATUS_COLUMN_WIDTH;

export type DashboardLayout = {
  width: number;
  tableRows: number;
  feedRows: number;
  /** Lines for the per-replica health under the header; 0 when there are no replicas. */
  replicaRows: number;
  emailWidth: number;
};

/**
 * How many lines each part gets. One line is left free: ink redraws by clearing the whole
 * screen when a frame is as tall as the terminal, which flickers. Replica lines come out of the
 * table, which keeps at least TABLE_ROWS_MIN; replicas that do not fit are summed up on the last line.
 */
export function computeLayout(
  columns: number,
  rows: number,
  formOpen: boolean,
  replicaCount = 0,
): DashboardLayout {
  const width = Math.max(columns, SCREEN_WIDTH_MIN);
  const height = Math.max(rows, SCREEN_HEIGHT_MIN) - 1;
  const feedRows = formOpen ? 0 : Math.min(FEED_ROWS_MAX, Math.max(FEED_ROWS_MIN, Math.floor(height / 4)));
  const formLines = formOpen ? FORM_LINES : 0;
  const spare = height - FIXED_LINES - feedRows - formLines + (formOpen ? 1 : 0);
  const replicaRows = Math.max(0, Math.min(replicaCount, spare - TABLE_ROWS_MIN));
  const tableRows = Math.max(TABLE_ROWS_MIN, spare - replicaRows);
  const emailWidth = Math.max(EMAIL_COLUMN_WIDTH_MIN, width - NUMBER_COLUMNS_WIDTH - 1);
  return { width, tableRows, feedRows, replicaRows, emailWidth };
}
