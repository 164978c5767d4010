import { Box, Text } from 'ink';
import type { LoadState, StatusMessage } from '../../services/dashboard/dashboard-store.ts';

const STATUS_COLORS = { info: 'cyan', ok: 'green', error: 'red' } as const;
/** Most used first: a narrow terminal cuts the end. */
export const KEY_HELP =
  'q quit · / filter · a add · w withdraw · t transfer · h hold · Tab holds/events · ↑↓ PgUp PgDn scroll';

export type FooterBarProps = {
  status: StatusMessage | undefined;
  load: LoadState;
  filtering: boolean;
  filter: string;
  position: { first: number; last: number; count: number };
};

/** The status line (last action, loading) and the key help, or the filter being typed. */
export function FooterBar({ status, load, filtering, filter, position }: FooterBarProps) {
  const loadText = load.error
    ? `loading stopped: ${load.error}`
    : load.done
      ? ''
      : `loading… ${load.walletsLoaded} wallets, ${load.usersNamed} users`;
  const range = position.count === 0 ? '0 rows' : `${position.first}-${position.last} of ${position.count}`;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end" color={status ? STATUS_COLORS[status.kind] : load.error ? 'red' : 'gray'}>
        {status?.text ?? loadText}
      </Text>
      {filtering ? (
        <Text wrap="truncate-end">
          <Text color="cyan">/ filter by email: </Text>
          {filter}
          <Text inverse> </Text>
          <Text dimColor> Enter keep · Esc clear</Text>
        </Text>
      ) : (
        <Text wrap="truncate-end" dimColor>
          {range}
          {filter ? ` matching "${filter}"` : ''} · {KEY_HELP}
        </Text>
      )}
    </Box>
  );
}
