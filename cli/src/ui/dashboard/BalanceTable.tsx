import { Box, Text } from 'ink';
import type { BalanceRow } from '../../services/dashboard/dashboard-store.ts';
import { moneyText } from '../../services/money/money-json.ts';
import { shortId } from '../event-line.ts';
import { BALANCE_COLUMN_WIDTH, CHANGE_COLUMN_WIDTH } from './layout.ts';

/** A row changed this recently is highlighted, so a person sees where money just moved. */
export const HIGHLIGHT_MS = 3_000;

export type BalanceTableProps = {
  rows: (BalanceRow & { email: string | undefined })[];
  emailWidth: number;
  height: number;
  nowMs: number;
  /** Shown under the header when there are no rows. */
  emptyText: string;
};

/** The visible window of balances: fixed-width Boxes, one Text per cell, truncated, never wrapped. */
export function BalanceTable({ rows, emailWidth, height, nowMs, emptyText }: BalanceTableProps) {
  return (
    <Box flexDirection="column" height={height + 1}>
      <Box>
        <Box width={emailWidth}>
          <Text bold>email</Text>
        </Box>
        <Box width={BALANCE_COLUMN_WIDTH} justifyContent="flex-end">
          <Text bold>balance</Text>
        </Box>
        <Box width={CHANGE_COLUMN_WIDTH} justifyContent="flex-end">
          <Text bold>last change</Text>
        </Box>
      </Box>
      {rows.length === 0 ? <Text dimColor>{emptyText}</Text> : null}
      {rows.map((row) => {
        const fresh = row.changedAtMs !== undefined && nowMs - row.changedAtMs < HIGHLIGHT_MS;
        const change = row.lastChangeMinor;
        return (
          <Box key={row.userId}>
            <Box width={emailWidth}>
              <Text wrap="truncate-end">{row.email ?? shortId(row.userId)}</Text>
            </Box>
            <Box width={BALANCE_COLUMN_WIDTH} justifyContent="flex-end">
              <Text bold={fresh} color={fresh ? 'yellow' : undefined}>
                {moneyText(row.balanceMinor)}
              </Text>
            </Box>
            <Box width={CHANGE_COLUMN_WIDTH} justifyContent="flex-end">
              <Text
                color={change === undefined ? undefined : change >= 0n ? 'green' : 'red'}
                dimColor={!fresh}
              >
                {change === undefined ? '' : `${change >= 0n ? '+' : ''}${moneyText(change)}`}
              </Text>
            </Box>
          </Box>
        );
      })}
    </Box>
  );
}
