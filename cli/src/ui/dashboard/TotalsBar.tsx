import { Box, Text } from 'ink';
import type { LoadState } from '../../services/dashboard/dashboard-store.ts';
import { moneyText } from '../../services/money/money-json.ts';
import { sparkline } from './sparkline.ts';

export type TotalsBarProps = {
  userCount: number;
  totalMinor: bigint;
  transfersPerSecond: number[];
  load: LoadState;
};

/** Users, all money in the system (an exact bigint sum), and transfers per second over the last 30 s. */
export function TotalsBar({ userCount, totalMinor, transfersPerSecond, load }: TotalsBarProps) {
  // The last bucket is the second still filling; the one before it is a whole second.
  const lastWholeSecond = transfersPerSecond.at(-2) ?? 0;
  return (
    <Box>
      <Text>
        users <Text bold>{userCount}</Text>
        {load.done ? '' : ' (loading…)'}
      </Text>
      <Box marginLeft={2}>
        <Text>
          total <Text bold>{moneyText(totalMinor)}</Text>
        </Text>
      </Box>
      <Box marginLeft={2}>
        <Text>
          transfers/s <Text bold>{lastWholeSecond}</Text>{' '}
          <Text color="cyan">{sparkline(transfersPerSecond)}</Text>
        </Text>
      </Box>
    </Box>
  );
}
