import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBankWorkload } from './bank-workload.ts';
import { type ChaosStack, chaosStackDown, chaosStackUp } from './chaos-stack.ts';
import { FAULT_KINDS, type FaultKind } from './nemesis.ts';

// A short bank run inside `npm test` with every fault kind once. It kills PostgreSQL, NATS and
// Kafka, so it runs on a stack of its own (temp dir, durable PostgreSQL, one Kafka broker behind a
// fault proxy), never the run's shared one other files use.
// Eleven faults, one every 3 s after a 3 s quiet start: planned over 36 s, the phase runs on until
// the last has healed (a broker's JVM start, the pauses and network faults take seconds each).
const CHAOS_DURATION_MS = 36_000;
const FAULT_GAP_MS = 3_000;
const KAFKA_BROKERS = 1;
const STACK_TIMEOUT_MS = 120_000;
// Setup, the chaos phase (up to three times its planned length), quiescence (a Kafka restart and
// consumer rebalances take a while), the snapshot and the read-back from Kafka.
const RUN_TIMEOUT_MS = 480_000;
/** The faults a load balancer and a pooler change the story of, each once. */
const BALANCED_FAULT_KINDS = [
  'kill-transactions',
  'pause-replica',
  'kill-postgres',
  'kill-users',
  'reset-connections',
] as const satisfies readonly FaultKind[];
const BALANCED_CHAOS_DURATION_MS = 21_000;
// Each is acknowledged hundreds of times in a 30 s run; none at all means the mix broke.
const NEW_KINDS_ACKNOWLEDGED = [
  'withdrawal',
  'hold',
  'capture',
  'void',
  'reverse_transfer',
  'reverse_deposit',
  'freeze',
  'unfreeze',
] as const;

describe('bank workload under faults', () => {
  let dir = '';
  let chaos: ChaosStack | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wallet-chaos-test-'));
    chaos = await chaosStackUp({ dir, kafkaBrokers: KAFKA_BROKERS });
  }, STACK_TIMEOUT_MS);

  afterAll(async () => {
    await chaosStackDown(dir, chaos).catch(() => {});
    // KEEP_CHAOS=1 keeps the stack dir and the replica logs (in logs/) to look into a failure.
    if (!process.env.KEEP_CHAOS) rmSync(dir, { recursive: true, force: true });
  }, STACK_TIMEOUT_MS);

  it(
    'keeps every money promise through crashes, freezes and network faults of every kind',
    async () => {
      // Given two replicas of each service, 10 funded wallets and 8 concurrent clients
      // When transfers, deposits, withdrawals, holds (captured, voided, expiring), reversals,
      // freezes, reads and sign-ups run while each fault kind strikes once: SIGKILL of a replica,
      // PostgreSQL, NATS and Kafka, SIGSTOP of a replica and of PostgreSQL, connection resets,
      // latency, a black hole and a one-sided partition
      const { stack, kafkaRoutes } = chaos!;
      const report = await runBankWorkload({
        stack,
        kafkaRoutes,
        chaosDurationMs: CHAOS_DURATION_MS,
        clients: 8,
        users: 10,
        startingBalanceMinor: 10_000n,
        faultKinds: FAULT_KINDS,
        faultGapMs: FAULT_GAP_MS,
        seed: 20_240_601,
        operationsMax: 20_000,
        workDir: join(dir, 'logs'),
        log: () => {},
      });
      console.log(report.summary);
      // Then the checker finds nothing (every acknowledged operation is in the database read
      // after the last crash), and the run did real work under every kind of fault
      expect(report.violations).toEqual([]);
      expect(new Set(report.history.faults.map((fault) => fault.kind))).toEqual(new Set(FAULT_KINDS));
      expect(
        report.history.operations.filter((operation) => operation.outcome === 'ok').length,
      ).toBeGreaterThan(200);
      // …including every new kind of operation, and holds that the platform expired mid-run
      for (const kind of NEW_KINDS_ACKNOWLEDGED) {
        const acknowledged = report.history.operations.filter(
          (operation) => operation.kind === kind && operation.outcome === 'ok',
        );
        expect(acknowledged.length, kind).toBeGreaterThan(0);
      }
      const expired = report.history.snapshot.holds.filter((hold) => hold.status === 'expired');
      expect(expired.length).toBeGreaterThan(0);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'keeps them deployed as `npm start -- --replicas 2` runs: clients through HAProxy, replicas through PgBouncer',
    async () => {
      // Given two replicas of each service behind HAProxy (health checks on /readyz), reaching
      // PostgreSQL through PgBouncer in transaction pooling, and clients that know only HAProxy
      // When replicas are killed and frozen under the balancer, PostgreSQL is killed behind the
      // pooler, and connections are reset
      const { stack, kafkaRoutes } = chaos!;
      const report = await runBankWorkload({
        stack,
        kafkaRoutes,
        chaosDurationMs: BALANCED_CHAOS_DURATION_MS,
        clients: 8,
        users: 10,
        startingBalanceMinor: 10_000n,
        faultKinds: BALANCED_FAULT_KINDS,
        faultGapMs: FAULT_GAP_MS,
        seed: 20_261_130,
        operationsMax: 20_000,
        workDir: join(dir, 'logs-balanced'),
        viaBalancer: true,
        log: () => {},
      });
      console.log(report.summary);
      // Then the checker finds nothing, and the balancer carried real work through every fault
      expect(report.violations).toEqual([]);
      expect(new Set(report.history.faults.map((fault) => fault.kind))).toEqual(
        new Set(BALANCED_FAULT_KINDS),
      );
      const acknowledged = report.history.operations.filter((operation) => operation.outcome === 'ok');
      expect(acknowledged.length).toBeGreaterThan(200);
      expect(new Set(acknowledged.map((operation) => operation.kind))).toContain('transfer');
    },
    RUN_TIMEOUT_MS,
  );
});
