import { Box, Text } from 'ink';
import type { FeedItem } from '../../services/dashboard/dashboard-store.ts';
import type { WalletEvent } from '../../services/events/wallet-event.ts';
import { describeEvent, type NameOf } from '../event-line.ts';
import { clockTime } from '../format-time.ts';

const TYPE_COLORS: Record<WalletEvent['type'], string> = {
  'user-created': 'blue',
  'money-added': 'green',
  'money-withdrawn': 'red',
  'money-transferred': 'magenta',
  'hold-created': 'yellow',
  'hold-captured': 'magenta',
  'hold-voided': 'gray',
  'hold-expired': 'gray',
  'transfer-reversed': 'yellow',
  'deposit-reversed': 'red',
  'wallet-frozen': 'cyan',
  'wallet-unfrozen': 'cyan',
  'wallet-closed': 'red',
};

/** The newest events, one line each, newest on top. */
export function EventFeed({
  items,
  rows,
  nameOf,
}: {
  items: readonly FeedItem[];
  rows: number;
  nameOf: NameOf;
}) {
  return (
    <Box flexDirection="column" height={rows + 1}>
      <Text bold wrap="truncate-end">
        recent events <Text dimColor>· Tab open holds</Text>
      </Text>
      {items.length === 0 ? <Text dimColor>waiting for events…</Text> : null}
      {items.slice(0, rows).map((item) => (
        <Text key={item.key} wrap="truncate-end">
          <Text dimColor>{clockTime(item.event.occurredAt)}</Text>{' '}
          <Text color={TYPE_COLORS[item.event.type]}>{item.event.type.padEnd(17)}</Text>{' '}
          {describeEvent(item.event, nameOf)}
        </Text>
      ))}
    </Box>
  );
}
