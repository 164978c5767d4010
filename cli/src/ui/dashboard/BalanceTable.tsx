import { Box, Text } from 'ink';
import type { WalletStatus } from '../../services/api/transactions-api.ts';
import type { BalanceRow } from '../../services/dashboard/dashboard-store.ts';
import { moneyText } from '../../services/money/money-json.ts';
import { shortId } from '../event-line.ts';
import {
  AVAILABLE_COLUMN_WIDTH,
  BALANCE_COLUMN_WIDTH,
  CHANGE_COLUMN_WIDTH,
  HELD_COLUMN_WIDTH,
  STATUS_COLUMN_WIDTH,
} from './layout.ts';

/** A row changed this recently is highlighted, so a person sees where money just moved. */
export const HIGHLIGHT_MS = 3_000;

const STATUS_COLORS: Record<WalletStatus, string | undefined> = {
  active: undefined,
  frozen: 'cyan',
  closed: 'red',
};

export type BalanceTableProps = {
  rows: (BalanceRow & { email: string | undefined })[];
  emailWidth: number;
  height: number;
  nowMs: number;
  /** Shown under the header when there are no rows. */
  emptyText: string;
};

/**
 * The visible window of balances: balance, held (blank when nothing is), available, the last
 * change and the status (frozen, closed). Fixed-width Boxes, one Text per cell, never wrapped.
 */
export function BalanceTable({ rows, emailWidth, height, nowMs, emptyText }: BalanceTableProps) {
  return (
    <Box flexDirection="column" height={height + 1}>
      <Box>
        <Box width={emailWidth}>
          <Text bold>email</Text>
        </Box>
        <NumberCell width={BALANCE_COLUMN_WIDTH} text="balance" bold />
        <NumberCell width={HELD_COLUMN_WIDTH} text="held" bold />
        <NumberCell width={AVAILABLE_COLUMN_WIDTH} text="available" bold />
        <NumberCell width={CHANGE_COLUMN_WIDTH} text="last change" bold />
        <NumberCell width={STATUS_COLUMN_WIDTH} text="status" bold />
      </Box>
      {rows.length === 0 ? <Text dimColor>{emptyText}</Text> : null}
      {rows.map((row) => (
        <BalanceLine key={row.userId} row={row} emailWidth={emailWidth} nowMs={nowMs} />
      ))}
    </Box>
  );
}

function BalanceLine({
  row,
  emailWidth,
  nowMs,
}: {
  row: BalanceRow & { email: string | undefined };
  emailWidth: number;
  nowMs: number;
}) {
  const fresh = row.changedAtMs !== undefined && nowMs - row.changedAtMs < HIGHLIGHT_MS;
  const change = row.lastChangeMinor;
  const closed = row.status === 'closed';
  return (
    <Box>
      <Box width={emailWidth}>
        <Text wrap="truncate-end" dimColor={closed}>
          {row.email ?? shortId(row.userId)}
        </Text>
      </Box>
      <NumberCell
        width={BALANCE_COLUMN_WIDTH}
        text={moneyText(row.balanceMinor)}
        bold={fresh}
        color={fresh ? 'yellow' : undefined}
        dim={closed}
      />
      <NumberCell
        width={HELD_COLUMN_WIDTH}
        text={row.heldMinor === 0n ? '' : moneyText(row.heldMinor)}
        color="yellow"
        dim={!fresh}
      />
      <NumberCell width={AVAILABLE_COLUMN_WIDTH} text={moneyText(row.availableMinor)} dim={closed} />
      <NumberCell
        width={CHANGE_COLUMN_WIDTH}
        text={change === undefined ? '' : `${change >= 0n ? '+' : ''}${moneyText(change)}`}
        color={change === undefined ? undefined : change >= 0n ? 'green' : 'red'}
        dim={!fresh}
      />
      <NumberCell
        width={STATUS_COLUMN_WIDTH}
        text={row.status === 'active' ? '' : row.status}
        color={STATUS_COLORS[row.status]}
        bold={row.status === 'frozen'}
      />
    </Box>
  );
}

/** A right-aligned cell; a number too wide for it is cut at the start (…) rather than wrapped. */
function NumberCell(props: { width: number; text: string; bold?: boolean; color?: string; dim?: boolean }) {
  return (
    <Box width={props.width} justifyContent="flex-end">
      <Text
        wrap="truncate-start"
        bold={props.bold ?? false}
        color={props.color}
        dimColor={props.dim ?? false}
      >
        {props.text}
      </Text>
    </Box>
  );
}
