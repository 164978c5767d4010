import { Box, Text } from 'ink';
import type { ReplicaHealth, ReplicaState } from '../../services/dashboard/replica-health.ts';

/** Same dots as the health bar; yellow for a replica that answers but is not ready. */
const DOT_COLORS: Record<ReplicaState, string> = {
  ready: 'green',
  'not-ready': 'yellow',
  unreachable: 'red',
  unknown: 'gray',
};
const STATE_LABELS: Record<ReplicaState, string> = {
  ready: 'ready',
  'not-ready': 'not ready',
  unreachable: 'unreachable',
  unknown: 'unknown',
};
const STATE_WIDTH = Math.max(...Object.values(STATE_LABELS).map((label) => label.length));

/**
 * One line per replica under the health bar: dot, name, state, address (replicas restart on new
 * ports) and why it is not ready. At most `rows` lines: past that the last line counts the rest,
 * and how many of them are not ready, so trouble is never hidden entirely. Nothing without replicas.
 */
export function ReplicaList({ replicas, rows }: { replicas: readonly ReplicaHealth[]; rows: number }) {
  if (replicas.length === 0 || rows <= 0) return null;
  const shown = replicas.length <= rows ? replicas : replicas.slice(0, rows - 1);
  const hidden = replicas.slice(shown.length);
  const nameWidth = Math.max(...replicas.map((replica) => replica.name.length));
  const hiddenNotReady = hidden.filter((replica) => replica.state !== 'ready').length;
  return (
    <Box flexDirection="column">
      {shown.map((replica, index) => (
        <Text key={`${index}:${replica.name}`} wrap="truncate-end">
          {'  '}
          <Text color={DOT_COLORS[replica.state]}>●</Text> {replica.name.padEnd(nameWidth)}{' '}
          {STATE_LABELS[replica.state].padEnd(STATE_WIDTH)} <Text dimColor>{hostOf(replica.url)}</Text>
          {replica.reason ? ` ${replica.reason}` : ''}
        </Text>
      ))}
      {hidden.length > 0 ? (
        <Text wrap="truncate-end" dimColor>
          {`  +${hidden.length} more replicas, ${hiddenNotReady} of them not ready`}
        </Text>
      ) : null}
    </Box>
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
