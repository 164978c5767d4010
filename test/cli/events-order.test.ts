import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTimeOrder } from '../../cli/src/services/events/time-order.ts';
import type { WalletEvent } from '../../cli/src/services/events/wallet-event.ts';
import { waitFor } from '../support/index.ts';
import {
  buildCliForTest,
  type CliRun,
  cliEnv,
  runCli,
  type ServicesUnderTest,
  spawnCli,
  startServicesForTest,
} from './cli-harness.ts';

const ADA = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const EVENT_WAIT_MS = 30_000;

const userCreated = (userId: string, at: string, partition: number, offset = '0'): WalletEvent => ({
  topic: 'user-created',
  type: 'user-created',
  userId,
  email: `${userId.slice(-1)}@example.com`,
  occurredAt: at,
  partition,
  offset,
});
const deposit = (
  userId: string,
  seq: number,
  at: string,
  partition: number,
  offset: string,
): WalletEvent => ({
  topic: 'money-added',
  type: 'money-added',
  transactionId: `${userId.slice(0, -2)}${seq}0`,
  userId,
  amountMinor: 100n,
  balanceMinor: BigInt(seq) * 100n,
  occurredAt: at,
  partition,
  offset,
  wallets: [{ userId, seq, balanceMinor: BigInt(seq) * 100n, heldMinor: 0n, availableMinor: 0n }],
});
const label = (event: WalletEvent) =>
  event.type === 'user-created' ? `created ${event.userId.slice(-1)}` : `${event.type} ${event.offset}`;

describe('wallet events without --follow: time order across partitions, ledger order per wallet', () => {
  it('Given a deposit fetched before its user-created (another topic), When ordered, Then user-created comes first', () => {
    // Given: fetched as Kafka hands them out, topic by topic
    const fetched = [
      deposit(ADA, 1, '2026-01-01T10:00:02.000Z', 0, '5'),
      userCreated(BOB, '2026-01-01T10:00:01.500Z', 1),
      userCreated(ADA, '2026-01-01T10:00:01.000Z', 0),
    ];
    // When / Then
    expect(inTimeOrder(fetched).map(label)).toEqual(['created a', 'created b', 'money-added 5']);
  });

  it('Given a wallet whose timestamps disagree with its ledger seq, When ordered, Then seq wins for that wallet and time orders the rest', () => {
    // Given: seq 2 stamped before seq 1 (a transaction that started first but committed second)
    const fetched = [
      deposit(ADA, 2, '2026-01-01T10:00:03.000Z', 2, '8'),
      deposit(ADA, 1, '2026-01-01T10:00:04.000Z', 2, '7'),
      deposit(BOB, 1, '2026-01-01T10:00:03.500Z', 1, '3'),
      // user-created is seq 0 of its wallet even if a skewed clock stamped it late
      userCreated(ADA, '2026-01-01T10:00:05.000Z', 0),
    ];
    // When / Then
    expect(inTimeOrder(fetched).map(label)).toEqual([
      'money-added 3',
      'created a',
      'money-added 7',
      'money-added 8',
    ]);
  });

  it('Given the same time and no ledger link, When ordered twice from different fetch orders, Then the order is the same', () => {
    const at = '2026-01-01T10:00:00.000Z';
    const events = [deposit(ADA, 1, at, 1, '9'), deposit(BOB, 1, at, 0, '10'), deposit(BOB, 2, at, 0, '11')];
    expect(inTimeOrder(events).map(label)).toEqual(inTimeOrder([...events].reverse()).map(label));
    expect(inTimeOrder(events).map(label)).toEqual(['money-added 10', 'money-added 11', 'money-added 9']);
  });

  describe('the built CLI against both services', () => {
    let bin: string;
    let buildDir: string;
    let services: ServicesUnderTest;
    const wallet = (...args: string[]): Promise<CliRun> => runCli(bin, args, cliEnv(services));

    beforeAll(async () => {
      const [built, started] = await Promise.all([buildCliForTest(), startServicesForTest('events-order')]);
      ({ bin, dir: buildDir } = built);
      services = started;
    });

    afterAll(async () => {
      await services?.stop();
      if (buildDir) rmSync(buildDir, { recursive: true, force: true });
    });

    it('Given users created and paid in turn, When events are read, Then each user-created precedes its wallet events and each wallet is in seq order', async () => {
      // Given
      for (const email of ['ada@example.com', 'bob@example.com']) {
        expect((await wallet('create-user', email)).code).toBe(0);
      }
      expect((await wallet('add-money', 'ada@example.com', '10')).code).toBe(0);
      expect((await wallet('transfer', 'ada@example.com', 'bob@example.com', '4')).code).toBe(0);
      expect((await wallet('add-money', 'bob@example.com', '1')).code).toBe(0);
      // When: every event is in Kafka (the outbox relays after the commit)
      let events: { type: string; user_id?: string; wallets?: { user_id: string; seq: number }[] }[] = [];
      await waitFor(
        'five events in Kafka',
        async () => {
          const run = await wallet('events', '--json');
          events = run.code === 0 ? JSON.parse(run.stdout).events : [];
          return events.length === 5 ? true : undefined;
        },
        EVENT_WAIT_MS,
      );
      // Then
      expect(events.map((event) => event.type)).toEqual([
        'user-created',
        'user-created',
        'money-added',
        'money-transferred',
        'money-added',
      ]);
      const lastSeq = new Map<string, number>();
      for (const event of events) {
        if (event.type === 'user-created') lastSeq.set(event.user_id!, 0);
        for (const step of event.wallets ?? []) {
          expect(lastSeq.get(step.user_id)).toBe(step.seq - 1);
          lastSeq.set(step.user_id, step.seq);
        }
      }
      // And the text output prints them in the same order
      const text = await wallet('events', '--no-color');
      expect(text.code).toBe(0);
      const kinds = text.stdout
        .trim()
        .split('\n')
        .map((line) => /\b(user-created|money-added|money-transferred)\b/.exec(line)?.[1]);
      expect(kinds).toEqual(events.map((event) => event.type));
    });

    it('Given --follow, When started, Then it says the order is per wallet', async () => {
      const follow = spawnCli(bin, ['events', '--follow', '--no-color'], cliEnv(services));
      try {
        await waitFor(
          'the follow note',
          () => (follow.output.stderr.includes('Ctrl-C') ? true : undefined),
          EVENT_WAIT_MS,
        );
        expect(follow.output.stderr).toContain('in ledger order per wallet, not across wallets');
      } finally {
        follow.child.kill('SIGINT');
        await follow.exited;
      }
    });
  });
});
