import { Box, Text } from 'ink';
import type { FeedItem } from '../../services/dashboard/dashboard-store.ts';
import { describeEvent, type NameOf } from '../event-line.ts';
import { clockTime } from '../format-time.ts';

const TYPE_COLORS = {
  'user-created': 'blue',
  'money-added': 'green',
  'money-transferred': 'magenta',
} as const;

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
      <Text bold>recent events</Text>
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
