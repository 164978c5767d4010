import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StackState, stackDown, stackUp } from '../../scripts/stack/index.ts';
import { runBankWorkload } from './bank-workload.ts';
import { FAULT_KINDS } from './nemesis.ts';

// A short bank run inside `npm test`. It restarts PostgreSQL, NATS and Kafka, so it runs on a
// stack of its own (temp dir, durability off), never the run's shared one other files use.
const CHAOS_DURATION_MS = 30_000;
const FAULT_GAP_MS = 5_000;
const STACK_TIMEOUT_MS = 120_000;
// Setup, the chaos phase, quiescence (a Kafka restart and consumer rebalances take a while),
// the snapshot and the read-back from Kafka.
const RUN_TIMEOUT_MS = 300_000;
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
  let stack: StackState;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wallet-chaos-test-'));
    stack = await stackUp({ dir, fast: true, quiet: true });
  }, STACK_TIMEOUT_MS);

  afterAll(async () => {
    await stackDown({ dir }).catch(() => {});
    // KEEP_CHAOS=1 keeps the stack dir and the replica logs (in logs/) to look into a failure.
    if (!process.env.KEEP_CHAOS) rmSync(dir, { recursive: true, force: true });
  }, STACK_TIMEOUT_MS);

  it(
    'keeps every money promise while replicas are killed and PostgreSQL, NATS and Kafka restart',
    async () => {
      // Given two replicas of each service, 10 funded wallets and 8 concurrent clients
      // When transfers, deposits, withdrawals, holds (captured, voided, expiring), reversals,
      // freezes, reads and sign-ups run for 30 s through every fault kind
      const report = await runBankWorkload({
        stack,
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
      // Then the checker finds nothing, and the run did real work under real faults
      expect(report.violations).toEqual([]);
      expect(report.history.faults.length).toBeGreaterThanOrEqual(4);
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
});
