import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/index.ts';
import {
  buildCliForTest,
  type CliRun,
  cliEnv,
  runCli,
  type ServicesUnderTest,
  startServicesForTest,
} from './cli-harness.ts';

/** The platform sweeps expired holds every second by default; give it a few rounds. */
const HOLD_EXPIRY_WAIT_MS = 15_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * withdraw, holds, reversals and wallet status through the built CLI against both real services.
 * One harness for the file; the tests run in order and build on each other's money:
 * ann starts with 100.00, ben and cat with nothing.
 */
describe('the wallet CLI’s money operations, built, against both services', () => {
  let bin: string;
  let buildDir: string;
  let services: ServicesUnderTest;
  const wallet = (...args: string[]): Promise<CliRun> => runCli(bin, args, cliEnv(services));
  const json = (run: CliRun) => JSON.parse(run.stdout);
  /** A refused command: its exit code and the code in its --json error document. */
  const refusal = async (...args: string[]) => {
    const run = await wallet(...args, '--json');
    return { exitCode: run.code, code: run.stdout ? json(run).error?.code : undefined, stderr: run.stderr };
  };
  const balanceOf = async (user: string) => json(await wallet('balance', user, '--json'));

  beforeAll(async () => {
    const [built, started] = await Promise.all([buildCliForTest(), startServicesForTest('cli-money')]);
    ({ bin, dir: buildDir } = built);
    services = started;
    for (const email of ['ann@example.com', 'ben@example.com', 'cat@example.com']) {
      const created = await wallet('create-user', email);
      expect(created.code, created.stderr).toBe(0);
    }
    expect((await wallet('add-money', 'ann@example.com', '100')).code).toBe(0);
  });

  afterAll(async () => {
    await services?.stop();
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  });

  describe('withdraw', () => {
    it('Given ann has 100.00, When she withdraws 30, Then the balance and available are 70.00', async () => {
      // When
      const run = await wallet('withdraw', 'ann@example.com', '30');
      // Then
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('withdrew 30.00 from ann@example.com');
      expect(run.stdout).toMatch(/balance 70\.00\s+available 70\.00/);
    });

    it('Given --json and a key, When the same withdrawal is sent twice, Then one document each, paid out once', async () => {
      const key = `cli-withdraw-${randomUUID()}`;
      const first = await wallet('withdraw', 'ann@example.com', '0.5', '--idempotency-key', key, '--json');
      const second = await wallet('withdraw', 'ann@example.com', '0.5', '--idempotency-key', key, '--json');
      expect(first.code).toBe(0);
      expect(json(first)).toMatchObject({
        email: 'ann@example.com',
        amount: '0.50',
        balance: '69.50',
        available_balance: '69.50',
        idempotency_key: key,
        replayed: false,
      });
      expect(json(first).transaction_id).toMatch(UUID);
      expect(json(second)).toMatchObject({ transaction_id: json(first).transaction_id, replayed: true });
      expect((await balanceOf('ann@example.com')).balance).toBe('69.50');
    });

    it('Given more than the balance, When withdrawn, Then exit 4 with INSUFFICIENT_FUNDS and nothing moves', async () => {
      const refused = await refusal('withdraw', 'ann@example.com', '1000');
      expect(refused).toMatchObject({ exitCode: 4, code: 'INSUFFICIENT_FUNDS' });
      expect(refused.stderr).toContain('available balance');
      expect((await balanceOf('ann@example.com')).balance).toBe('69.50');
    });

    it('Given a bad amount, When withdrawn, Then exit 2 with INVALID_AMOUNT', async () => {
      expect(await refusal('withdraw', 'ann@example.com', '1.234')).toMatchObject({
        exitCode: 2,
        code: 'INVALID_AMOUNT',
      });
    });
  });

  describe('holds: hold, capture, void, holds', () => {
    let capturedHoldId: string;
    let voidedHoldId: string;

    it('Given ann has 69.50, When she holds 20 for ben with --json, Then a pending hold and 20.00 of hers held', async () => {
      // When: sent twice with one key, as a retry would
      const args = ['hold', 'ann@example.com', 'ben@example.com', '20', '--expires', '15m'];
      const key = `cli-hold-${randomUUID()}`;
      const run = await wallet(...args, '--idempotency-key', key, '--json');
      const retried = await wallet(...args, '--idempotency-key', key, '--json');
      // Then: one hold
      expect(run.code, run.stderr).toBe(0);
      const body = json(run);
      expect(body).toMatchObject({
        status: 'pending',
        amount: '20.00',
        captured_amount: null,
        from: { email: 'ann@example.com', balance: '69.50', held: '20.00', available_balance: '49.50' },
        to: { email: 'ben@example.com' },
        replayed: false,
      });
      expect(body.hold_id).toMatch(UUID);
      expect(json(retried)).toMatchObject({ hold_id: body.hold_id, replayed: true });
      const lastsMs = Date.parse(body.expires_at) - Date.parse(body.created_at);
      expect(lastsMs).toBeGreaterThan(14 * 60_000);
      expect(lastsMs).toBeLessThanOrEqual(15 * 60_000 + 1_000);
      capturedHoldId = body.hold_id;
    });

    it('Given a second hold for people, When placed, Then it says what was held and the balances left', async () => {
      const run = await wallet('hold', 'ann@example.com', 'ben@example.com', '5');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('held 5.00 of ann@example.com for ben@example.com');
      expect(run.stdout).toContain('pending, expires');
      expect(run.stdout).toMatch(/balance 69\.50\s+held 25\.00\s+available 44\.50/);
      voidedHoldId = /hold ([0-9a-f-]{36})/.exec(run.stdout)![1]!;
    });

    it('Given 25.00 held, When her balance is asked, Then balance, held, available and status show', async () => {
      const table = await wallet('balance', 'ann@example.com');
      const [header, row] = table.stdout.trim().split('\n');
      expect(header).toMatch(/^email\s+user id\s+balance\s+held\s+available\s+status$/);
      expect(row).toMatch(/^ann@example\.com\s+[0-9a-f-]{36}\s+69\.50\s+25\.00\s+44\.50\s+active$/);
      expect(await balanceOf('ann@example.com')).toMatchObject({
        balance: '69.50',
        held: '25.00',
        available_balance: '44.50',
        status: 'active',
      });
    });

    it('Given 44.50 available, When 50 is withdrawn, Then exit 4 INSUFFICIENT_FUNDS: held money cannot leave', async () => {
      expect(await refusal('withdraw', 'ann@example.com', '50')).toMatchObject({
        exitCode: 4,
        code: 'INSUFFICIENT_FUNDS',
      });
      expect(await refusal('hold', 'ann@example.com', 'ben@example.com', '45')).toMatchObject({
        exitCode: 4,
        code: 'INSUFFICIENT_FUNDS',
      });
    });

    it('Given the 20.00 hold, When 15 of it is captured, Then ben gets 15.00 and the other 5.00 is released', async () => {
      // When
      const run = await wallet('capture', capturedHoldId, '15', '--json');
      // Then
      expect(run.code, run.stderr).toBe(0);
      const body = json(run);
      expect(body).toMatchObject({
        hold_id: capturedHoldId,
        status: 'captured',
        amount: '20.00',
        captured_amount: '15.00',
        released_amount: '5.00',
        from: { email: 'ann@example.com', balance: '54.50', held: '5.00', available_balance: '49.50' },
        to: { email: 'ben@example.com', balance: '15.00' },
      });
      expect(body.transfer_id).toMatch(UUID);
    });

    it('Given a captured hold, When captured again the same way, Then the same answer; a different amount is HOLD_NOT_PENDING (exit 5)', async () => {
      const again = await wallet('capture', capturedHoldId, '15', '--json');
      expect(again.code, again.stderr).toBe(0);
      expect(json(again)).toMatchObject({ status: 'captured', captured_amount: '15.00' });
      expect(await refusal('capture', capturedHoldId, '10')).toMatchObject({
        exitCode: 5,
        code: 'HOLD_NOT_PENDING',
      });
      expect((await balanceOf('ben@example.com')).balance).toBe('15.00');
    });

    it('Given the 5.00 hold, When voided, Then it is released to ann; a second void answers the same', async () => {
      const run = await wallet('void', voidedHoldId);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('voided the hold of 5.00 from ann@example.com to ben@example.com');
      expect(run.stdout).toMatch(/balance 54\.50\s+held 0\.00\s+available 54\.50/);
      const again = await wallet('void', voidedHoldId, '--json');
      expect(again.code, again.stderr).toBe(0);
      expect(json(again)).toMatchObject({ hold_id: voidedHoldId, status: 'voided', from: { held: '0.00' } });
    });

    it('Given a voided hold, When captured, Then exit 5 with HOLD_NOT_PENDING and a next step', async () => {
      const refused = await refusal('capture', voidedHoldId);
      expect(refused).toMatchObject({ exitCode: 5, code: 'HOLD_NOT_PENDING' });
      expect(refused.stderr).toContain('wallet holds');
    });

    it('Given ann’s holds, When listed, Then newest first with status and the other side, as a table and as JSON', async () => {
      const table = await wallet('holds', 'ann@example.com');
      expect(table.code, table.stderr).toBe(0);
      const lines = table.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^created\s+hold id\s+amount\s+captured\s+status\s+expires\s+counterparty$/);
      expect(lines[1]).toMatch(/-5\.00\s+voided\s+.*→ ben@example\.com$/);
      expect(lines[2]).toMatch(/-20\.00\s+15\.00\s+captured\s+.*→ ben@example\.com$/);
      const body = json(await wallet('holds', 'ben@example.com', '--status', 'captured', '--json'));
      expect(body.holds).toHaveLength(1);
      expect(body.holds[0]).toMatchObject({
        hold_id: capturedHoldId,
        direction: 'in',
        counterparty_email: 'ann@example.com',
        captured_amount: '15.00',
      });
      const none = await wallet('holds', 'ann@example.com', '--status', 'pending');
      expect(none.stdout).toContain('no pending holds for ann@example.com');
      expect((await wallet('holds', 'ann@example.com', '--status', 'open')).code).toBe(2);
    });

    it('Given a hold that lasts 1s, When it runs out, Then the platform expires it and a capture is HOLD_EXPIRED (exit 5)', async () => {
      // Given
      const placed = json(
        await wallet('hold', 'ann@example.com', 'ben@example.com', '1', '--expires', '1', '--json'),
      );
      expect(placed.from.held).toBe('1.00');
      // When
      await waitFor(
        'the hold to expire',
        async () => {
          const listing = json(await wallet('holds', 'ann@example.com', '--status', 'expired', '--json'));
          return listing.holds.length === 1 ? true : undefined;
        },
        HOLD_EXPIRY_WAIT_MS,
      );
      // Then
      expect(await refusal('capture', placed.hold_id)).toMatchObject({ exitCode: 5, code: 'HOLD_EXPIRED' });
      expect(await balanceOf('ann@example.com')).toMatchObject({ held: '0.00', available_balance: '54.50' });
    });

    it('Given a bad --expires or hold id, When run, Then exit 2 before any request', async () => {
      const [tooLong, zero, badId, sameAccount] = await Promise.all([
        refusal('hold', 'ann@example.com', 'ben@example.com', '1', '--expires', '8d'),
        refusal('hold', 'ann@example.com', 'ben@example.com', '1', '--expires', '0'),
        refusal('capture', 'not-a-hold'),
        refusal('hold', 'ann@example.com', 'ANN@example.com', '1'),
      ]);
      expect(tooLong).toMatchObject({ exitCode: 2, code: 'INVALID_EXPIRY' });
      expect(zero).toMatchObject({ exitCode: 2, code: 'INVALID_EXPIRY' });
      expect(badId).toMatchObject({ exitCode: 2, code: 'INVALID_ID' });
      expect(sameAccount).toMatchObject({ exitCode: 4, code: 'SAME_ACCOUNT' });
    });

    it('Given an unknown hold, When voided, Then exit 3 with HOLD_NOT_FOUND', async () => {
      expect(await refusal('void', randomUUID())).toMatchObject({ exitCode: 3, code: 'HOLD_NOT_FOUND' });
    });
  });

  /** The transfer ann sent ben 10 in, reversed in two steps below. */
  let transferId: string;

  describe('reverse', () => {
    it('Given ann sent ben 10, When 4 of it is reversed with a reason, Then 4.00 goes back and 6.00 remains', async () => {
      // Given: ann 54.50, ben 15.00
      const transfer = json(await wallet('transfer', 'ann@example.com', 'ben@example.com', '10', '--json'));
      transferId = transfer.transfer_id;
      // When
      const run = await wallet('reverse', transferId, '4', '--reason', 'duplicate order', '--json');
      // Then
      expect(run.code, run.stderr).toBe(0);
      const body = json(run);
      expect(body).toMatchObject({
        kind: 'transfer',
        transfer_id: transferId,
        amount: '4.00',
        reversed_total: '4.00',
        remaining: '6.00',
        from: { email: 'ben@example.com', balance: '21.00', available_balance: '21.00' },
        to: { email: 'ann@example.com', balance: '48.50' },
      });
      expect(body.reversal_id).toMatch(UUID);
    });

    it('Given 6.00 remains, When reversed without an amount, Then all of it goes back; one cent more is REVERSAL_EXCEEDS_ORIGINAL (exit 4)', async () => {
      const run = await wallet('reverse', transferId);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(
        `reversed 6.00 of transfer ${transferId}: back from ben@example.com to ann@example.com`,
      );
      expect(run.stdout).toContain('0.00 remains');
      expect(await refusal('reverse', transferId, '0.01')).toMatchObject({
        exitCode: 4,
        code: 'REVERSAL_EXCEEDS_ORIGINAL',
      });
    });

    it('Given a deposit to cat, When its id is reversed in part, Then it is taken back as a deposit reversal', async () => {
      const deposit = json(await wallet('add-money', 'cat@example.com', '10', '--json'));
      const run = await wallet('reverse', deposit.transaction_id, '3', '--reason', 'chargeback', '--json');
      expect(run.code, run.stderr).toBe(0);
      expect(json(run)).toMatchObject({
        kind: 'deposit',
        transaction_id: deposit.transaction_id,
        email: 'cat@example.com',
        amount: '3.00',
        remaining: '7.00',
        balance: '7.00',
        available_balance: '7.00',
      });
    });

    it('Given ben spent what he got, When the transfer is reversed, Then exit 4 with INSUFFICIENT_FUNDS', async () => {
      const transfer = json(await wallet('transfer', 'ann@example.com', 'ben@example.com', '1', '--json'));
      expect((await wallet('withdraw', 'ben@example.com', '16')).code).toBe(0);
      expect(await refusal('reverse', transfer.transfer_id)).toMatchObject({
        exitCode: 4,
        code: 'INSUFFICIENT_FUNDS',
      });
    });

    it('Given an id that is neither, When reversed, Then exit 3 naming both', async () => {
      const run = await wallet('reverse', randomUUID());
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('no transfer or deposit has the id');
    });
  });

  describe('freeze, unfreeze, close', () => {
    let pendingHoldId: string;

    it('Given ann with a pending hold, When frozen with a reason, Then her wallet says frozen and why', async () => {
      // Given
      const hold = json(await wallet('hold', 'ann@example.com', 'ben@example.com', '1', '--json'));
      pendingHoldId = hold.hold_id;
      // When
      const run = await wallet('freeze', 'ann@example.com', '--reason', 'fraud review 1234', '--json');
      // Then
      expect(run.code, run.stderr).toBe(0);
      expect(json(run)).toMatchObject({
        email: 'ann@example.com',
        status: 'frozen',
        status_reason: 'fraud review 1234',
        balance: '53.50',
        held: '1.00',
        available_balance: '52.50',
      });
      expect((await balanceOf('ann@example.com')).status).toBe('frozen');
    });

    it('Given a frozen wallet, When money would leave it, Then exit 5 with WALLET_FROZEN; money in still lands', async () => {
      // When
      const [withdraw, transfer, hold, capture] = await Promise.all([
        refusal('withdraw', 'ann@example.com', '1'),
        refusal('transfer', 'ann@example.com', 'ben@example.com', '1'),
        refusal('hold', 'ann@example.com', 'ben@example.com', '1'),
        refusal('capture', pendingHoldId),
      ]);
      const deposit = await wallet('add-money', 'ann@example.com', '2.50', '--json');
      // Then
      for (const refused of [withdraw, transfer, hold, capture]) {
        expect(refused).toMatchObject({ exitCode: 5, code: 'WALLET_FROZEN' });
      }
      expect(withdraw.stderr).toContain('wallet unfreeze');
      expect(deposit.code, deposit.stderr).toBe(0);
      expect(json(deposit).balance).toBe('56.00');
    });

    it('Given a frozen wallet’s pending hold, When voided, Then the money is released (nothing leaves the wallet)', async () => {
      const run = await wallet('void', pendingHoldId, '--json');
      expect(run.code, run.stderr).toBe(0);
      expect(json(run)).toMatchObject({
        status: 'voided',
        from: { held: '0.00', available_balance: '56.00' },
      });
    });

    it('Given freeze without --reason, When run, Then exit 2 naming the option', async () => {
      const run = await wallet('freeze', 'ann@example.com');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--reason');
    });

    it('Given a frozen wallet, When unfrozen, Then money may leave again', async () => {
      const run = await wallet('unfreeze', 'ann@example.com', '--reason', 'cleared');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('unfroze the wallet of ann@example.com');
      expect(run.stdout).toContain('status active');
      expect((await wallet('withdraw', 'ann@example.com', '1')).code).toBe(0);
    });

    it('Given cat has 7.00, When closed, Then exit 5 with WALLET_NOT_EMPTY; emptied, it closes', async () => {
      expect(await refusal('close', 'cat@example.com')).toMatchObject({
        exitCode: 5,
        code: 'WALLET_NOT_EMPTY',
      });
      expect((await wallet('withdraw', 'cat@example.com', '7')).code).toBe(0);
      const run = await wallet('close', 'cat@example.com', '--reason', 'customer left', '--json');
      expect(run.code, run.stderr).toBe(0);
      expect(json(run)).toMatchObject({ status: 'closed', status_reason: 'customer left', balance: '0.00' });
    });

    it('Given a closed wallet, When money comes in or it is frozen, Then exit 5 with WALLET_CLOSED; it stays readable', async () => {
      expect(await refusal('add-money', 'cat@example.com', '1')).toMatchObject({
        exitCode: 5,
        code: 'WALLET_CLOSED',
      });
      expect(await refusal('freeze', 'cat@example.com', '--reason', 'late')).toMatchObject({
        exitCode: 5,
        code: 'WALLET_CLOSED',
      });
      const balance = await wallet('balance', 'cat@example.com');
      expect(balance.code).toBe(0);
      expect(balance.stdout).toMatch(/0\.00\s+0\.00\s+0\.00\s+closed$/m);
    });
  });

  describe('history with the new kinds', () => {
    it('Given all of the above, When ann’s history is listed, Then withdrawals, holds, captures, releases and reversals show with held', async () => {
      const run = await wallet('history', 'ann@example.com', '--all');
      expect(run.code, run.stderr).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^time\s+kind\s+change\s+balance\s+held\s+counterparty\s+reference$/);
      expect(run.stdout).toMatch(/withdrawal\s+-30\.00\s+70\.00\s+0\.00\s+[0-9a-f-]{36}$/m);
      expect(run.stdout).toMatch(/hold\s+69\.50\s+20\.00\s+ben@example\.com\s+[0-9a-f-]{36}$/m);
      expect(run.stdout).toMatch(/capture out\s+-15\.00\s+54\.50\s+5\.00\s+ben@example\.com/);
      expect(run.stdout).toMatch(/hold release\s+54\.50\s+0\.00\s+ben@example\.com/);
      // A reversal row names the transfer it reversed: that is the id `wallet reverse` took.
      expect(run.stdout).toMatch(
        new RegExp(
          `reversal in\\s+\\+4\\.00\\s+48\\.50\\s+0\\.00\\s+ben@example\\.com\\s+${transferId}$`,
          'm',
        ),
      );
    });

    it('Given --json, When ann’s history is listed, Then each row carries held, seq and what it names', async () => {
      const { transactions } = json(await wallet('history', 'ann@example.com', '--all', '--json'));
      const seqs = transactions.map((row: { seq: number }) => row.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
      // Newest first: the oldest hold is the 20.00 one, the oldest reversal the 4.00 with a reason.
      const oldest = (kind: string) =>
        transactions.filter((row: { kind: string }) => row.kind === kind).at(-1);
      const hold = oldest('hold');
      expect(hold).toMatchObject({
        balance_change: '0.00',
        held_change: '20.00',
        old_held: '0.00',
        new_held: '20.00',
      });
      expect(hold.hold_id).toMatch(UUID);
      const reversal = oldest('reversal_in');
      expect(reversal).toMatchObject({ balance_change: '4.00', reason: 'duplicate order' });
      expect(reversal.reverses_id).toMatch(UUID);
    });
  });

  it('Given --help, When asked of each new command, Then each shows examples', async () => {
    const commands = [
      'withdraw',
      'hold',
      'capture',
      'void',
      'holds',
      'reverse',
      'freeze',
      'unfreeze',
      'close',
    ];
    const helps = await Promise.all(commands.map((command) => wallet(command, '--help')));
    helps.forEach((help, index) => {
      expect(help.code, commands[index]).toBe(0);
      expect(help.stdout, commands[index]).toContain('Examples:');
    });
  });
});
