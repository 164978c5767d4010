import { Box, Text } from 'ink';
import type { Health, PartHealth } from '../../services/dashboard/dashboard-store.ts';

const DOT_COLORS: Record<PartHealth, string> = { up: 'green', down: 'red', unknown: 'gray' };
const PART_LABELS: [keyof Health, string][] = [
  ['userService', 'user-service'],
  ['transactionsService', 'transactions-service'],
  ['kafka', 'kafka'],
];

/** Title and one coloured dot per part; the word says it too, for terminals without colour. */
export function HealthBar({ health }: { health: Health }) {
  return (
    <Box>
      <Text bold>wallet dashboard</Text>
      {PART_LABELS.map(([part, label]) => (
        <Box key={part} marginLeft={2}>
          <Text color={DOT_COLORS[health[part]]}>●</Text>
          <Text>
            {' '}
            {label} {health[part]}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
