import { Text } from 'ink';
import { moneyText } from '../../services/money/money-json.ts';
import { sparkline } from './sparkline.ts';

export type TotalsBarProps = {
  userCount: number;
  totalMinor: bigint;
  heldMinor: bigint;
  transfersPerSecond: number[];
  /** Ledger sequence numbers jumped over and not (yet) seen: events that have not arrived. */
  seqsMissing: number;
};

/**
 * Users, all money in the system and how much of it holds reserve (exact bigint sums), and
 * transfers per second, as a number for the last whole second and a sparkline for the window.
 * One line, truncated.
 */
export function TotalsBar({
  userCount,
  totalMinor,
  heldMinor,
  transfersPerSecond,
  seqsMissing,
}: TotalsBarProps) {
  // The last bucket is the second still filling; the one before it is a whole second.
  const lastWholeSecond = transfersPerSecond.at(-2) ?? 0;
  return (
    <Text wrap="truncate-end">
      users <Text bold>{userCount}</Text>
      {'  '}total <Text bold>{moneyText(totalMinor)}</Text>
      {'  '}held <Text bold>{moneyText(heldMinor)}</Text>
      {seqsMissing > 0 ? <Text color="yellow">{`  events missing ${seqsMissing}`}</Text> : null}
      {'  '}transfers/s <Text bold>{lastWholeSecond}</Text>{' '}
      <Text color="cyan">{sparkline(transfersPerSecond)}</Text>
    </Text>
  );
}
