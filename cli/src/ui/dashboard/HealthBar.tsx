import { Text } from 'ink';
import type { Health, PartHealth } from '../../services/dashboard/dashboard-store.ts';

const DOT_COLORS: Record<PartHealth, string> = { up: 'green', down: 'red', unknown: 'gray' };
const PART_LABELS: [keyof Health, string][] = [
  ['userService', 'users'],
  ['transactionsService', 'transactions'],
  ['kafka', 'kafka'],
];

/** Title and one coloured dot per part; the word says it too, for terminals without colour. One line, truncated. */
export function HealthBar({ health }: { health: Health }) {
  return (
    <Text wrap="truncate-end">
      <Text bold>wallet dashboard</Text>
      {PART_LABELS.map(([part, label]) => (
        <Text key={part}>
          {'  '}
          <Text color={DOT_COLORS[health[part]]}>●</Text> {label} {health[part]}
        </Text>
      ))}
    </Text>
  );
}
