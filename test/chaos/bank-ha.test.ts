import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBankWorkload } from './bank-workload.ts';
import { type ChaosStack, chaosStackDown, chaosStackUp } from './chaos-stack.ts';
import { type FailoverWindow, failoverFigures } from './failover-figures.ts';
import { type FaultKind, HA_FAULT_KINDS } from './nemesis.ts';

// A short bank run inside `npm test` on PostgreSQL under Patroni (two nodes, etcd, HAProxy), each
// HA fault once. It kills the primary, so it runs on a stack of its own in a temp dir.
// The faults take long to heal (a failover waits out Patroni's 10 s ttl, the old leader then
// rewinds and catches up): about 20–30 s each for the kill and the freeze, a few for the others.
// Planned every 12 s over 50 s, they run back to back; the phase may stretch to three times its
// planned length (150 s), enough for all four on a busy machine.
const CHAOS_DURATION_MS = 50_000;
const FAULT_GAP_MS = 12_000;
const FAULTS: readonly FaultKind[] = ['kill-primary', 'switchover', 'pause-primary', 'kill-etcd'];
// Patroni's initdb and the standby's base backup, beside a Kafka broker's start.
const STACK_TIMEOUT_MS = 180_000;
// Setup, up to 150 s of chaos, quiescence, the snapshot and the read-back from Kafka.
const RUN_TIMEOUT_MS = 420_000;

describe('bank workload on highly available PostgreSQL', () => {
  let dir = '';
  let chaos: ChaosStack | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wallet-chaos-ha-test-'));
    chaos = await chaosStackUp({ dir, kafkaBrokers: 1, postgresNodes: 2 });
  }, STACK_TIMEOUT_MS);

  afterAll(async () => {
    await chaosStackDown(dir, chaos).catch(() => {});
    // KEEP_CHAOS=1 keeps the stack dir and the replica logs (in logs/) to look into a failure.
    if (!process.env.KEEP_CHAOS) rmSync(dir, { recursive: true, force: true });
  }, STACK_TIMEOUT_MS);

  it(
    'keeps every money promise while the primary is killed, frozen past its ttl and switched over, and etcd loses a member',
    async () => {
      // Given two replicas of each service on a two-node Patroni cluster (synchronous standby),
      // 10 funded wallets and 8 concurrent clients
      // When the leader is SIGKILLed (restarted once the standby took over), switched over,
      // SIGSTOPped for 15 s (past the ttl), and an etcd member is SIGKILLed, one after the other
      const { stack, kafkaRoutes } = chaos!;
      const report = await runBankWorkload({
        stack,
        kafkaRoutes,
        chaosDurationMs: CHAOS_DURATION_MS,
        clients: 8,
        users: 10,
        startingBalanceMinor: 10_000n,
        faultKinds: FAULTS,
        faultGapMs: FAULT_GAP_MS,
        seed: 20_261_201,
        operationsMax: 20_000,
        workDir: join(dir, 'logs'),
        log: () => {},
      });
      console.log(report.summary);
      // Then the checker finds nothing: no acknowledged write lost in a failover, none applied
      // by the woken old primary, no 5xx but the 503s of the outages
      expect(report.violations).toEqual([]);
      expect(report.history.faults.filter((fault: FailoverWindow) => fault.notHealed)).toEqual([]);
      expect(new Set(report.history.faults.map((fault) => fault.kind))).toEqual(new Set(HA_FAULT_KINDS));
      expect(
        report.history.operations.filter((operation) => operation.outcome === 'ok').length,
      ).toBeGreaterThan(100);
      // …and writes came back after a failover or switchover, measured
      const figures = failoverFigures(report.history.operations, report.history.faults, report.violations);
      expect(figures.failovers.measured + figures.switchovers.measured).toBeGreaterThan(0);
      expect(figures.lostAcknowledged).toBe(0);
    },
    RUN_TIMEOUT_MS,
  );
});
