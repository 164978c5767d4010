import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLimit } from '../../cli/src/commands/parse-limit.ts';
import { adviceFor, hasAdviceFor } from '../../cli/src/error-advice.ts';
import { EXIT_CODES, exitCodesHelp } from '../../cli/src/exit-codes.ts';
import { resolveSettings } from '../../cli/src/services/config/cli-settings.ts';
import { writeServicesFile } from '../../cli/src/services/config/services-file.ts';
import { createTransferRate } from '../../cli/src/services/dashboard/transfer-rate.ts';
import { decodeWalletEvent } from '../../cli/src/services/events/wallet-event.ts';
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  retryAfterMs,
} from '../../cli/src/services/http/retry-policy.ts';
import { moneyText, numberToMinor } from '../../cli/src/services/money/money-json.ts';
import { parseAmountArgument } from '../../cli/src/services/money/parse-amount-argument.ts';
import { formatExpiry, parseExpiry } from '../../cli/src/services/money/parse-expiry.ts';
import { parseIdArgument } from '../../cli/src/services/money/parse-id-argument.ts';
import { parseUserRef } from '../../cli/src/services/users/resolve-user.ts';
import { computeLayout, FIXED_LINES, FORM_LINES, TABLE_ROWS_MIN } from '../../cli/src/ui/dashboard/layout.ts';
import { sparkline } from '../../cli/src/ui/dashboard/sparkline.ts';
import { renderTable } from '../../cli/src/ui/text-table.ts';
import { ERROR_CATALOG } from '../../services/shared/src/errors.ts';
import { numericToMinor } from '../../services/shared/src/money.ts';

const USER_ID = '0b4c8e9a-1f2d-4c3b-9a8e-7d6c5b4a3f21';

describe('money at the CLI’s edges', () => {
  it('Given the services’ JSON numbers, When read, Then the exact cents come out (never float sums)', () => {
    expect(numberToMinor(0.3)).toBe(30n);
    expect(numberToMinor(12.3)).toBe(1230n);
    expect(numberToMinor(-5)).toBe(-500n);
    expect(numberToMinor(9_999_999_999_999.99)).toBe(999_999_999_999_999n);
    expect(() => numberToMinor(0.001)).toThrow(RangeError);
  });

  it('Given minor units, When printed, Then always two decimals', () => {
    expect(moneyText(0n)).toBe('0.00');
    expect(moneyText(5n)).toBe('0.05');
    expect(moneyText(-1234n)).toBe('-12.34');
    expect(numericToMinor('-0.10')).toBe(-10n);
  });

  it('Given amount arguments, When parsed, Then only positive amounts with at most 2 decimals pass', () => {
    expect(parseAmountArgument('12.5')).toBe(1250n);
    for (const bad of ['-5', '0', '1.234', 'ten', '', '1e3']) {
      expect(() => parseAmountArgument(bad), bad).toThrow(
        expect.objectContaining({ code: 'INVALID_AMOUNT', exitCode: 2 }),
      );
    }
  });
});

describe('arguments', () => {
  it('Given a <user>, When parsed, Then a UUID is an id, an email is lower-cased, anything else is a usage error', () => {
    expect(parseUserRef(USER_ID.toUpperCase())).toEqual({ kind: 'id', userId: USER_ID });
    expect(parseUserRef(' Alice@Example.COM ')).toEqual({ kind: 'email', email: 'alice@example.com' });
    expect(() => parseUserRef('alice')).toThrow(
      expect.objectContaining({ code: 'INVALID_USER', exitCode: 2 }),
    );
  });

  it('Given --limit values, When parsed, Then 1..500 pass and the rest are refused', () => {
    expect(parseLimit('1')).toBe(1);
    expect(parseLimit('500')).toBe(500);
    for (const bad of ['0', '501', '-1', '2.5', 'x']) expect(() => parseLimit(bad), bad).toThrow();
  });
});

describe('hold and reversal arguments', () => {
  it('Given --expires, When parsed, Then seconds or s/m/h/d become whole seconds from 1s to 7d', () => {
    expect(parseExpiry('900')).toBe(900);
    expect(parseExpiry('90s')).toBe(90);
    expect(parseExpiry('15m')).toBe(900);
    expect(parseExpiry('2H')).toBe(7_200);
    expect(parseExpiry('7d')).toBe(604_800);
    expect(parseExpiry('1s')).toBe(1);
    expect(parseExpiry('604800')).toBe(604_800);
  });

  it('Given a bad --expires, When parsed, Then INVALID_EXPIRY (exit 2) before any request', () => {
    for (const bad of [
      '0',
      '0m',
      '8d',
      '604801',
      '169h',
      '1.5h',
      '-5m',
      '15 minutes',
      '',
      'm',
      '99999999s',
    ]) {
      expect(() => parseExpiry(bad), bad).toThrow(
        expect.objectContaining({ code: 'INVALID_EXPIRY', exitCode: 2 }),
      );
    }
  });

  it('Given seconds, When shown, Then the largest whole unit', () => {
    expect(formatExpiry(900)).toBe('15m');
    expect(formatExpiry(90)).toBe('90s');
    expect(formatExpiry(86_400)).toBe('1d');
    expect(formatExpiry(7_200)).toBe('2h');
  });

  it('Given a hold or transfer id, When parsed, Then a UUID is lower-cased and anything else is INVALID_ID (exit 2)', () => {
    expect(parseIdArgument(` ${USER_ID.toUpperCase()} `, 'hold')).toBe(USER_ID);
    expect(() => parseIdArgument('1234', 'hold')).toThrow(
      expect.objectContaining({
        code: 'INVALID_ID',
        exitCode: 2,
        message: expect.stringContaining('hold id'),
      }),
    );
  });
});

describe('where settings come from', () => {
  const home = '/nonexistent/wallet-home';

  it('Given a flag and an env var, When resolved, Then the flag wins', () => {
    const settings = resolveSettings(
      { userServiceUrl: 'http://flag:1', kafkaBrokers: 'a:1, b:2' },
      { WALLET_HOME: home, USER_SERVICE_URL: 'http://env:1', KAFKA_BROKERS: 'env:9' },
    );
    expect(settings.userServiceUrl).toBe('http://flag:1');
    expect(settings.kafkaBrokers).toEqual(['a:1', 'b:2']);
  });

  it('Given only env, When resolved, Then env wins over the defaults, and the token comes from WALLET_TOKEN', () => {
    const settings = resolveSettings(
      {},
      {
        WALLET_HOME: home,
        TRANSACTIONS_SERVICE_URL: 'http://env:2',
        WALLET_TOKEN: 't0k3n',
        WALLET_NAMESPACE: 'ns-',
      },
    );
    expect(settings.transactionsServiceUrl).toBe('http://env:2');
    expect(settings.userServiceUrl).toBe('http://127.0.0.1:8080');
    expect(settings.token).toBe('t0k3n');
    expect(settings.namespace).toBe('ns-');
    expect(settings.kafkaBrokers).toBeUndefined();
  });
});

describe('where settings come from: the local stack’s files', () => {
  it('Given services.json and stack.json in WALLET_HOME, When nothing else says, Then their URLs, brokers and token are used', () => {
    // Given
    const home = mkdtempSync(join(tmpdir(), 'wallet-cli-settings-'));
    try {
      writeServicesFile(home, {
        userServiceUrl: 'http://127.0.0.1:18080',
        transactionsServiceUrl: 'http://127.0.0.1:18081',
      });
      writeFileSync(
        join(home, 'stack.json'),
        JSON.stringify({
          dir: home,
          kafka: { brokers: ['127.0.0.1:19092'] },
          operatorToken: 'operator-token-from-stack',
        }),
      );
      // When
      const settings = resolveSettings({}, { WALLET_HOME: home });
      const overridden = resolveSettings(
        { token: 'flag-token' },
        { WALLET_HOME: home, USER_SERVICE_URL: 'http://env:1' },
      );
      // Then
      expect(settings).toMatchObject({
        userServiceUrl: 'http://127.0.0.1:18080',
        transactionsServiceUrl: 'http://127.0.0.1:18081',
        kafkaBrokers: ['127.0.0.1:19092'],
        token: 'operator-token-from-stack',
      });
      expect(overridden).toMatchObject({ userServiceUrl: 'http://env:1', token: 'flag-token' });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('errors and exit codes', () => {
  it('Given server codes, When mapped, Then each lands on its documented exit code', () => {
    expect(adviceFor('USER_NOT_FOUND').exitCode).toBe(EXIT_CODES.notFound);
    expect(adviceFor('INSUFFICIENT_FUNDS').exitCode).toBe(EXIT_CODES.rejected);
    expect(adviceFor('EMAIL_TAKEN').exitCode).toBe(EXIT_CODES.conflict);
    expect(adviceFor('IDEMPOTENCY_KEY_REUSED').exitCode).toBe(EXIT_CODES.conflict);
    expect(adviceFor('WALLET_PENDING').exitCode).toBe(EXIT_CODES.unavailable);
    expect(adviceFor('UNAUTHORIZED').exitCode).toBe(EXIT_CODES.unauthorized);
    expect(adviceFor('SOMETHING_NEW', 409).exitCode).toBe(EXIT_CODES.conflict);
    expect(adviceFor('SOMETHING_NEW').exitCode).toBe(EXIT_CODES.unexpected);
  });

  it('Given the money-operation codes, When mapped, Then 404s are not found, 409s conflicts, 422s rejections, a bad expiry usage', () => {
    for (const code of ['HOLD_NOT_FOUND', 'TRANSFER_NOT_FOUND', 'DEPOSIT_NOT_FOUND'])
      expect(adviceFor(code).exitCode, code).toBe(EXIT_CODES.notFound);
    for (const code of [
      'WALLET_FROZEN',
      'WALLET_CLOSED',
      'WALLET_NOT_EMPTY',
      'HOLD_NOT_PENDING',
      'HOLD_EXPIRED',
    ])
      expect(adviceFor(code).exitCode, code).toBe(EXIT_CODES.conflict);
    for (const code of ['CAPTURE_EXCEEDS_HOLD', 'REVERSAL_EXCEEDS_ORIGINAL'])
      expect(adviceFor(code).exitCode, code).toBe(EXIT_CODES.rejected);
    expect(adviceFor('INVALID_EXPIRY').exitCode).toBe(EXIT_CODES.usage);
    expect(adviceFor('WALLET_FROZEN').hint).toContain('wallet unfreeze');
    expect(adviceFor('HOLD_NOT_PENDING').hint).toContain('wallet holds');
  });

  it('Given every code the services can answer, When looked up, Then the CLI has its own advice for it', () => {
    const missing = Object.keys(ERROR_CATALOG).filter((code) => !hasAdviceFor(code));
    expect(missing).toEqual([]);
  });

  it('Given the help text, When read, Then every exit code is listed', () => {
    for (const code of Object.values(EXIT_CODES))
      expect(exitCodesHelp()).toMatch(new RegExp(`^  ${code} `, 'm'));
  });
});

describe('retries', () => {
  it('Given attempts, When backing off, Then delays grow, stay within the cap, and are never zero', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) =>
      backoffDelayMs(DEFAULT_RETRY_POLICY, attempt, () => 1),
    );
    expect(delays).toEqual([200, 400, 800, 1600, 2000, 2000]);
    expect(backoffDelayMs(DEFAULT_RETRY_POLICY, 1, () => 0)).toBe(100);
  });

  it('Given Retry-After headers, When read, Then seconds become ms, capped, and junk is ignored', () => {
    expect(retryAfterMs('1')).toBe(1_000);
    expect(retryAfterMs('3600')).toBe(5_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe('tables and sparklines', () => {
  it('Given rows, When rendered, Then columns align and amounts are right-aligned', () => {
    const lines = renderTable(
      [{ header: 'email' }, { header: 'balance', align: 'right' }],
      [
        ['a@x.io', '5.00'],
        ['longer@example.com', '1234.50'],
      ],
    );
    expect(lines).toEqual([
      'email               balance',
      'a@x.io                 5.00',
      'longer@example.com  1234.50',
    ]);
  });

  it('Given colour codes in a cell, When rendered, Then they take no width', () => {
    const [, row] = renderTable(
      [{ header: 'n', align: 'right' }, { header: 'x' }],
      [['\u001b[32m+1.00\u001b[39m', 'y']],
    );
    expect(row).toBe('\u001b[32m+1.00\u001b[39m  y');
  });

  it('Given counts, When drawn, Then scaled to the largest, flat when all zero', () => {
    expect(sparkline([0, 0, 0])).toBe('▁▁▁');
    expect(sparkline([0, 4, 8])).toBe('▁▅█');
  });

  it('Given transfers over time, When the window moves, Then old seconds fall out', () => {
    const rate = createTransferRate(5);
    rate.count(10_000);
    rate.count(10_500);
    rate.count(12_100);
    expect(rate.series(12_900)).toEqual([0, 0, 2, 0, 1]);
    expect(rate.series(20_000)).toEqual([0, 0, 0, 0, 0]);
  });

  it('Given an 80×24 terminal, When laid out, Then everything fits in 23 lines', () => {
    const layout = computeLayout(80, 24, false);
    expect(6 + layout.tableRows + layout.feedRows).toBe(23);
    // With a form open the feed and its title give way to the form (FORM_LINES, the hold form's size).
    const withForm = computeLayout(80, 24, true);
    expect(FIXED_LINES - 1 + withForm.tableRows + FORM_LINES).toBe(23);
    expect(withForm.tableRows).toBeGreaterThanOrEqual(TABLE_ROWS_MIN);
  });
});

describe('events', () => {
  const record = (topic: string, value: unknown) => ({
    topic,
    partition: 0,
    offset: '7',
    key: null,
    value: JSON.stringify(value),
    headers: {},
    timestampMs: 0,
  });

  it('Given a namespaced money-transferred record, When decoded, Then ids and exact bigint amounts', () => {
    const event = decodeWalletEvent(
      'ns-',
      record('ns-money-transferred', {
        transfer_id: USER_ID,
        from_user_id: USER_ID,
        to_user_id: USER_ID,
        amount: '0.30',
        from_balance: '9.70',
        to_balance: '0.30',
        occurred_at: '2026-01-01T00:00:00Z',
      }),
    );
    expect(event).toMatchObject({
      type: 'money-transferred',
      amountMinor: 30n,
      fromBalanceMinor: 970n,
      offset: '7',
    });
  });

  it('Given a foreign or malformed record, When decoded, Then it is skipped', () => {
    expect(decodeWalletEvent('ns-', record('other-money-added', {}))).toBeUndefined();
    expect(decodeWalletEvent('', record('money-added', { amount: 1 }))).toBeUndefined();
  });
});
