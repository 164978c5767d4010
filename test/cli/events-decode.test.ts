import { describe, expect, it } from 'vitest';
import { eventToJson, userIdsOf } from '../../cli/src/services/events/event-json.ts';
import {
  decodeWalletEvent,
  FOLLOWED_TOPICS,
  type WalletEvent,
} from '../../cli/src/services/events/wallet-event.ts';
import { describeEvent } from '../../cli/src/ui/event-line.ts';
import { TOPICS } from '../../services/shared/src/contracts/events.ts';

const ALICE = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const HOLD = '00000000-0000-4000-8000-0000000000c1';
const TRANSFER = '00000000-0000-4000-8000-0000000000d1';
const REVERSAL = '00000000-0000-4000-8000-0000000000e1';
const names: Record<string, string> = { [ALICE]: 'alice@x.io', [BOB]: 'bob@x.io' };
const nameOf = (userId: string) => names[userId] ?? userId;
const at = '2026-01-02T10:11:12.000Z';

const record = (topic: string, value: unknown) => ({
  topic: `ns-${topic}`,
  partition: 1,
  offset: '42',
  key: null,
  value: JSON.stringify(value),
  headers: {},
  timestampMs: 0,
});
const walletAfter = (userId: string, seq: number, balance: string, held = '0.00', available = balance) => ({
  user_id: userId,
  seq,
  balance,
  held,
  available_balance: available,
});
const decode = (topic: string, value: unknown): WalletEvent => {
  const event = decodeWalletEvent('ns-', record(topic, value));
  if (!event) throw new Error(`${topic} did not decode`);
  return event;
};
const holdPayload = {
  hold_id: HOLD,
  from_user_id: ALICE,
  to_user_id: BOB,
  amount: '30.00',
  expires_at: '2026-01-02T10:26:12.000Z',
  occurred_at: at,
  wallets: [walletAfter(ALICE, 7, '100.00', '30.00', '70.00')],
};

describe('wallet events (decode, describe, --json)', () => {
  it('Given the topics, When followed, Then every topic of issue 9 is among them, and not the dead-letter or checkpoint topics', () => {
    // Checkpoints pin hashes for auditors (docs/ledger-audit.md); they are not wallet events.
    const notWalletEvents: string[] = [TOPICS.userCreatedDeadLetter, TOPICS.ledgerCheckpoints];
    expect([...FOLLOWED_TOPICS].sort()).toEqual(
      Object.values(TOPICS)
        .filter((topic) => !notWalletEvents.includes(topic))
        .sort(),
    );
  });

  it('Given money-withdrawn, When decoded, Then bigint money and the wallet after it with its seq', () => {
    // When
    const event = decode('money-withdrawn', {
      transaction_id: TRANSFER,
      user_id: ALICE,
      amount: '0.10',
      balance: '99.90',
      occurred_at: at,
      wallets: [walletAfter(ALICE, 3, '99.90')],
    });
    // Then
    expect(event).toMatchObject({
      type: 'money-withdrawn',
      amountMinor: 10n,
      balanceMinor: 9_990n,
      partition: 1,
      offset: '42',
      wallets: [{ userId: ALICE, seq: 3, balanceMinor: 9_990n, heldMinor: 0n, availableMinor: 9_990n }],
    });
    expect(describeEvent(event, nameOf)).toBe('alice@x.io -0.10 → 99.90');
    expect(eventToJson(event)).toMatchObject({
      amount: '0.10',
      balance: '99.90',
      wallets: [{ user_id: ALICE, seq: 3, balance: '99.90', held: '0.00', available_balance: '99.90' }],
    });
  });

  it('Given the hold events, When decoded and described, Then who, how much, until when, and what is available', () => {
    const created = decode('hold-created', holdPayload);
    expect(created).toMatchObject({ type: 'hold-created', holdId: HOLD, amountMinor: 3_000n });
    expect(describeEvent(created, nameOf)).toBe(
      'alice@x.io → bob@x.io 30.00 until 10:26:12 (available 70.00)',
    );

    const voided = decode('hold-voided', { ...holdPayload, wallets: [walletAfter(ALICE, 8, '100.00')] });
    expect(describeEvent(voided, nameOf)).toBe('alice@x.io → bob@x.io 30.00 released (available 100.00)');
    expect(decode('hold-expired', holdPayload).type).toBe('hold-expired');

    const captured = decode('hold-captured', {
      ...holdPayload,
      transfer_id: TRANSFER,
      captured_amount: '20.00',
      released_amount: '10.00',
      wallets: [walletAfter(ALICE, 8, '80.00'), walletAfter(BOB, 2, '20.00')],
    });
    expect(captured).toMatchObject({ capturedMinor: 2_000n, releasedMinor: 1_000n, transferId: TRANSFER });
    expect(describeEvent(captured, nameOf)).toBe(
      'alice@x.io → bob@x.io 20.00 of 30.00, 10.00 released (80.00 / 20.00)',
    );
    expect(eventToJson(captured)).toMatchObject({ captured_amount: '20.00', released_amount: '10.00' });
    expect(userIdsOf(captured)).toEqual([ALICE, BOB]);
  });

  it('Given reversals, When decoded and described, Then the money goes back with its reason', () => {
    const reversed = decode('transfer-reversed', {
      reversal_id: REVERSAL,
      transfer_id: TRANSFER,
      from_user_id: BOB,
      to_user_id: ALICE,
      amount: '5.00',
      reason: 'wrong payee',
      occurred_at: at,
      wallets: [walletAfter(BOB, 4, '15.00'), walletAfter(ALICE, 9, '85.00')],
    });
    expect(describeEvent(reversed, nameOf)).toBe(
      'bob@x.io → alice@x.io 5.00 back: wrong payee (15.00 / 85.00)',
    );

    const chargeBack = decode('deposit-reversed', {
      reversal_id: REVERSAL,
      transaction_id: TRANSFER,
      user_id: ALICE,
      amount: '1.50',
      reason: null,
      occurred_at: at,
      wallets: [walletAfter(ALICE, 10, '83.50')],
    });
    expect(describeEvent(chargeBack, nameOf)).toBe('alice@x.io -1.50 → 83.50');
    expect(eventToJson(chargeBack)).toMatchObject({ reason: null, amount: '1.50' });
  });

  it('Given wallet status events, When decoded and described, Then the new status and the reason', () => {
    const frozen = decode('wallet-frozen', {
      user_id: ALICE,
      status: 'frozen',
      reason: 'kyc',
      occurred_at: at,
    });
    expect(describeEvent(frozen, nameOf)).toBe('alice@x.io frozen: kyc');
    expect(eventToJson(frozen)).toMatchObject({ type: 'wallet-frozen', user_id: ALICE, status: 'frozen' });
    const closed = decode('wallet-closed', {
      user_id: ALICE,
      status: 'closed',
      reason: null,
      occurred_at: at,
    });
    expect(describeEvent(closed, nameOf)).toBe('alice@x.io closed');
  });

  it('Given a money-added record from before issue 9 (no wallets), When decoded, Then it still reads, ordering nothing', () => {
    const event = decode('money-added', {
      transaction_id: TRANSFER,
      user_id: ALICE,
      amount: '1.00',
      balance: '1.00',
      occurred_at: at,
    });
    expect(event).toMatchObject({ type: 'money-added', wallets: [] });
  });

  it('Given malformed new records, When decoded, Then they are skipped', () => {
    expect(decodeWalletEvent('ns-', record('hold-created', { ...holdPayload, wallets: [] }))).toBeUndefined();
    expect(decodeWalletEvent('ns-', record('money-withdrawn', { user_id: ALICE }))).toBeUndefined();
    expect(
      decodeWalletEvent('ns-', record('wallet-frozen', { user_id: ALICE, status: 'gone', occurred_at: at })),
    ).toBeUndefined();
    expect(decodeWalletEvent('ns-', record('user-created.dlq', { user_id: ALICE }))).toBeUndefined();
  });
});
