import { parseAmount } from '../../services/shared/src/money.ts';
import type { RawRequest, RawResponse } from './fuzz-target.ts';

/** The money commands that change Σ balances, and the sign they change it by. */
const TOTAL_CHANGERS: { path: RegExp; sign: 1n | -1n; id: string; amountFrom: 'request' | 'response' }[] = [
  // addMoney answers no amount: what the client asked for is what an acknowledged deposit added.
  { path: /^\/addMoney$/, sign: 1n, id: 'transaction_id', amountFrom: 'request' },
  { path: /^\/withdrawMoney$/, sign: -1n, id: 'transaction_id', amountFrom: 'response' },
  { path: /^\/deposits\/[^/]+\/reverse$/, sign: -1n, id: 'reversal_id', amountFrom: 'response' },
];

/**
 * What the client side knows moved money in or out of the platform: each acknowledged deposit,
 * withdrawal and deposit reversal once, by its id (a replay answers the same id and counts once).
 * Transfers, holds, captures and transfer reversals only move money between wallets.
 */
export function createMoneyTally() {
  const acknowledged = new Map<string, bigint>();
  return {
    record(raw: RawRequest, response: RawResponse): void {
      if (raw.method !== 'POST' || response.status < 200 || response.status >= 300) return;
      const pathname = raw.path.split('?')[0] ?? '';
      const changer = TOTAL_CHANGERS.find((entry) => entry.path.test(pathname));
      if (!changer) return;
      const answer = response.json as Record<string, unknown>;
      const id = String(answer[changer.id]);
      const source = changer.amountFrom === 'request' ? requestJson(raw) : answer;
      const amountMinor = parseAmount((source as { amount?: unknown } | undefined)?.amount);
      const key = `${changer.path.source} ${id}`;
      const earlier = acknowledged.get(key);
      if (earlier !== undefined && earlier !== changer.sign * amountMinor) {
        throw new Error(`${raw.path}: ${id} was acknowledged as ${earlier} and now as ${amountMinor}`);
      }
      acknowledged.set(key, changer.sign * amountMinor);
    },
    /** Σ of what was acknowledged, in minor units (deposits minus withdrawals and deposit reversals). */
    netMinor(): bigint {
      let net = 0n;
      for (const change of acknowledged.values()) net += change;
      return net;
    },
  };
}

function requestJson(raw: RawRequest): unknown {
  if (raw.json !== undefined) return raw.json;
  return raw.body === undefined ? undefined : JSON.parse(raw.body);
}
