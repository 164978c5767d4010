/**
 * The one table of exit codes. Scripts branch on these, so a code never changes meaning;
 * `wallet --help` prints this table (see `exitCodesHelp`).
 */
export const EXIT_CODES = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notFound: 3,
  rejected: 4,
  conflict: 5,
  unavailable: 6,
  unauthorized: 7,
  auditFindings: 8,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

const EXIT_CODE_MEANINGS: Record<ExitCode, string> = {
  0: 'ok',
  1: 'unexpected error (a bug: please report it)',
  2: 'usage: bad flags, arguments or input (e.g. a negative amount, a malformed email)',
  3: 'not found: no such user, hold, transfer or deposit',
  4: 'rejected: insufficient funds, same account, balance limit, capture or reversal too large',
  5: 'conflict: email taken, idempotency key reused, wallet frozen, closed or not empty, hold no longer pending or expired',
  6: 'unavailable: a service, Kafka or the network did not answer (retry later)',
  7: 'unauthorized: missing or wrong token (--token, WALLET_TOKEN)',
  8: 'audit findings: `wallet audit` found something wrong in the ledger or between the services',
};

export function exitCodesHelp(): string {
  const lines = Object.entries(EXIT_CODE_MEANINGS).map(([code, meaning]) => `  ${code.padEnd(3)}${meaning}`);
  return ['Exit codes:', ...lines].join('\n');
}
