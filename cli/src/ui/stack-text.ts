import type { StackState, StackStatus } from '../../../scripts/stack/index.ts';
import type { Colors } from './colors.ts';
import { renderTable } from './text-table.ts';

export function describeStackState(state: StackState): string[] {
  return [
    `stack up in ${state.dir}`,
    ...renderTable(
      [{ header: 'part' }, { header: 'address' }],
      [
        ['postgres', `127.0.0.1:${state.postgres.port}`],
        ['nats', state.nats.url],
        ['kafka', state.kafka.brokers.join(',')],
      ],
    ),
  ];
}

export function describeStackStatus(status: StackStatus, colors: Colors): string[] {
  const rows = (['postgres', 'nats', 'kafka'] as const).map((name) => {
    const part = status[name];
    const pid = part.pid ? String(part.pid) : part.managed ? '-' : 'external';
    return [name, part.up ? colors.green('up') : colors.red('down'), pid, part.address ?? '-'];
  });
  return [
    `stack dir ${status.dir}${status.stateFile ? '' : ' (no stack.json)'}`,
    ...renderTable([{ header: 'part' }, { header: 'state' }, { header: 'pid' }, { header: 'address' }], rows),
  ];
}
