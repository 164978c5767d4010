import { randomUUID } from 'node:crypto';
import { TOPICS, topicName } from '../services/shared/src/contracts/events.ts';

/** The wallets the dashboard phase loads (as the snapshot would) and its events move money between. */
export const DASHBOARD_WALLETS = 100_000;
/** Every wallet starts with this much (minor units), at ledger seq 1. */
export const OPENING_BALANCE_MINOR = 100_000_00;
/** One deposit in this many events; the rest are transfers. */
const DEPOSIT_EVERY = 10;

/** Wallet n's user id: a valid v4 UUID, the same in the producer and the dashboard probe. */
export function walletId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function walletEmail(n: number): string {
  return `user${n}@bench.example`;
}

const moneyText = (minor: number) =>
  `${minor < 0 ? '-' : ''}${Math.trunc(Math.abs(minor) / 100)}.${String(Math.abs(minor) % 100).padStart(2, '0')}`;

export type OutgoingRecord = { topic: string; key: string; value: string };

/**
 * Wallet events as the transactions-service's outbox publishes them (money-transferred and
 * money-added, each with the wallets it touched after it and their ledger seq), between random
 * wallets of the DASHBOARD_WALLETS; balances and seqs follow from the events, so the dashboard
 * applies them like real ones.
 */
export function createEventSource(namespace: string, wallets = DASHBOARD_WALLETS) {
  const seqs = new Int32Array(wallets).fill(1);
  const balances = new Float64Array(wallets).fill(OPENING_BALANCE_MINOR);
  const transferred = topicName(namespace, TOPICS.moneyTransferred);
  const added = topicName(namespace, TOPICS.moneyAdded);
  let sequence = 0;
  const pick = () => Math.floor(Math.random() * wallets);
  const after = (n: number) => ({
    user_id: walletId(n),
    seq: seqs[n]!,
    balance: moneyText(balances[n]!),
    held: '0.00',
    available_balance: moneyText(balances[n]!),
  });
  const move = (n: number, minor: number) => {
    balances[n]! += minor;
    seqs[n]! += 1;
  };
  return {
    next(): OutgoingRecord {
      sequence += 1;
      const occurredAt = new Date().toISOString();
      const to = pick();
      if (sequence % DEPOSIT_EVERY === 0) {
        move(to, 100);
        const value = {
          transaction_id: randomUUID(),
          user_id: walletId(to),
          amount: '1.00',
          balance: moneyText(balances[to]!),
          occurred_at: occurredAt,
          wallets: [after(to)],
        };
        return { topic: added, key: walletId(to), value: JSON.stringify(value) };
      }
      let from = pick();
      while (from === to) from = pick();
      move(from, -1);
      move(to, 1);
      const value = {
        transfer_id: randomUUID(),
        from_user_id: walletId(from),
        to_user_id: walletId(to),
        amount: '0.01',
        from_balance: moneyText(balances[from]!),
        to_balance: moneyText(balances[to]!),
        occurred_at: occurredAt,
        wallets: [after(from), after(to)],
      };
      return { topic: transferred, key: walletId(from), value: JSON.stringify(value) };
    },
  };
}
