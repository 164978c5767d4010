import { Box, Text } from 'ink';
import type { OpenHold } from '../../services/dashboard/open-holds.ts';
import { moneyText } from '../../services/money/money-json.ts';
import { type NameOf, shortId } from '../event-line.ts';
import { clockTime } from '../format-time.ts';

/**
 * The pending holds the dashboard knows of (from hold events, and looked up for the wallets in
 * view that have money held), newest first, one line each: when, who to whom, how much, until.
 */
export function HoldList({
  holds,
  rows,
  nameOf,
}: {
  holds: readonly OpenHold[];
  rows: number;
  nameOf: NameOf;
}) {
  return (
    <Box flexDirection="column" height={rows + 1}>
      <Text bold wrap="truncate-end">
        open holds <Text dimColor>{holds.length} pending · Tab events</Text>
      </Text>
      {holds.length === 0 ? <Text dimColor>no pending holds known</Text> : null}
      {holds.slice(0, rows).map((hold) => (
        <Text key={hold.holdId} wrap="truncate-end">
          <Text dimColor>{clockTime(hold.createdAt)}</Text> {nameOf(hold.fromUserId)} →{' '}
          {nameOf(hold.toUserId)} <Text color="yellow">{moneyText(hold.amountMinor)}</Text> until{' '}
          {clockTime(hold.expiresAt)} <Text dimColor>{shortId(hold.holdId)}</Text>
        </Text>
      ))}
    </Box>
  );
}
