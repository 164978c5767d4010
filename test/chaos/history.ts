/**
 * What a bank-workload run records, in the shape the checker reads. Jepsen style: each client
 * operation is invoked once and completes with one outcome:
 * - `ok`   the service acknowledged it (2xx, possibly a replay of an earlier attempt);
 * - `fail` the service definitely refused it (a 4xx that means "not done", e.g. INSUFFICIENT_FUNDS);
 * - `info` the outcome is unknown (timeouts, dropped connections, 5xx after the retries ran out):
 *          it may or may not have been applied, but at most once.
 * Money is bigint minor units everywhere; nothing here is a float.
 */

export type OperationKind =
  | 'create_user'
  | 'deposit'
  | 'transfer'
  | 'read'
  | 'withdrawal'
  | 'hold'
  | 'capture'
  | 'void'
  | 'reverse_transfer'
  | 'reverse_deposit'
  | 'freeze'
  | 'unfreeze'
  | 'close';
export type Outcome = 'ok' | 'fail' | 'info';

/** One HTTP attempt of an operation; retries of the same operation reuse its idempotency key. */
export type Attempt = {
  startedAtMs: number;
  endedAtMs: number;
  /** Undefined when no response came back (connection refused or reset, client timeout). */
  status?: number;
  /** The problem+json `code`, when there was one. */
  code?: string;
  /** The network error, when there was no response. */
  error?: string;
  /** Which replica was asked, e.g. "transactions-1". */
  replica?: string;
};

/** What an acknowledged operation's response said, read exactly (minor units). */
export type OperationResult = {
  userId?: string;
  balanceMinor?: bigint;
  /** What a hold command, a withdrawal, a read or a reversal said about held and available money. */
  heldMinor?: bigint;
  availableMinor?: bigint;
  sourceBalanceMinor?: bigint;
  targetBalanceMinor?: bigint;
  transactionId?: string;
  transferId?: string;
  holdId?: string;
  holdStatus?: string;
  /** A hold's own amount, and (captured) what moved to the receiver. */
  holdAmountMinor?: bigint;
  capturedAmountMinor?: bigint;
  /** A reversal: its id, the amount it moved, and the original's totals after it. */
  reversalId?: string;
  amountMinor?: bigint;
  reversedTotalMinor?: bigint;
  remainingMinor?: bigint;
  walletStatus?: string;
};

export type Operation = {
  id: number;
  client: number;
  kind: OperationKind;
  idempotencyKey?: string;
  /** The wallet a deposit goes to, a read looks at, or a create_user made (once known). */
  userId?: string;
  email?: string;
  sourceUserId?: string;
  targetUserId?: string;
  /**
   * The amount asked for. Undefined for a full capture or a full reversal ("all that remains"),
   * and for operations that move no money.
   */
  amountMinor?: bigint;
  /** capture, void: the hold acted on. */
  holdId?: string;
  /** hold: how long it was asked to live. */
  expiresInSeconds?: number;
  /** reverse_transfer: the transfer reversed; reverse_deposit: the deposit's transaction id. */
  originalId?: string;
  /** reverse_*: the original's amount, the most a full reversal can move. */
  originalAmountMinor?: bigint;
  invokedAtMs: number;
  completedAtMs: number;
  outcome: Outcome;
  attempts: Attempt[];
  result?: OperationResult;
};

export type TransactionKind =
  | 'deposit'
  | 'withdrawal'
  | 'transfer_out'
  | 'transfer_in'
  | 'hold'
  | 'hold_release'
  | 'reversal_out'
  | 'reversal_in'
  | 'deposit_reversal';

/**
 * A row of the transactions table (transactions DB), money converted to minor units. `seq` is the
 * wallet's own ledger sequence (1, 2, 3 … per wallet).
 */
export type LedgerRow = {
  id: string;
  seq: bigint;
  userId: string;
  kind: TransactionKind;
  balanceChangeMinor: bigint;
  oldBalanceMinor: bigint;
  newBalanceMinor: bigint;
  heldChangeMinor: bigint;
  oldHeldMinor: bigint;
  newHeldMinor: bigint;
  transferId: string | null;
  holdId: string | null;
  /** Reversal rows: the transfer id or the deposit's transaction id they reverse. */
  reversesId: string | null;
  idempotencyKey: string | null;
  /** When the row was written (the database's clock), epoch milliseconds. */
  atMs: number;
};

export type WalletRow = {
  userId: string;
  balanceMinor: bigint;
  heldMinor: bigint;
  status: string;
  /** The sequence of the wallet's latest ledger row (0 before the first). */
  seq: bigint;
};

export type HoldStatus = 'pending' | 'captured' | 'voided' | 'expired';

/** A row of the holds table, money in minor units, times in epoch milliseconds. */
export type HoldRow = {
  holdId: string;
  fromUserId: string;
  toUserId: string;
  amountMinor: bigint;
  capturedAmountMinor: bigint | null;
  status: HoldStatus;
  expiresAtMs: number;
  resolvedAtMs: number | null;
  transferId: string | null;
};
export type UserRow = { userId: string; email: string };
/** A money event's `wallets[]` entry: the wallet's ledger sequence and its balances after. */
export type EventWallet = {
  userId: string;
  seq: bigint;
  balanceMinor: bigint;
  heldMinor: bigint;
  availableMinor: bigint;
};

export type OutboxRow = {
  service: 'users' | 'transactions';
  eventId: string;
  topic: string;
  publishedAt: string | null;
  /** Money events only. */
  wallets?: EventWallet[];
};

/** One record as a consumer received it: where it sat, its `event-id`, and its money event's wallets. */
export type KafkaRecord = {
  topic: string;
  partition: number;
  offset: string;
  eventId: string;
  /** Money events only (absent for user-created, status and checkpoint events). */
  wallets?: EventWallet[];
};

/** The databases after the run went quiet. */
export type Snapshot = {
  users: UserRow[];
  wallets: WalletRow[];
  transactions: LedgerRow[];
  holds: HoldRow[];
  outbox: OutboxRow[];
};

/** A fault the nemesis injected, from its first blow to the moment the part answered again. */
export type FaultWindow = { kind: string; target: string; startedAtMs: number; endedAtMs: number };

export type History = {
  /** Money in the system before the first operation (0 when every wallet starts empty). */
  startTotalMinor: bigint;
  operations: Operation[];
  faults: FaultWindow[];
  snapshot: Snapshot;
  /** The `event-id` headers of every record read back from the run's Kafka topics. */
  kafkaEventIds: ReadonlySet<string>;
  /**
   * The records read back from the run's Kafka topics, in the order they were read (each
   * partition in offset order), redeliveries included. Optional: without them the per-wallet
   * event check (event-checks.ts) has nothing to judge and reports nothing.
   */
  kafkaRecords?: readonly KafkaRecord[];
  /** Replicas that exited on their own (not killed by the nemesis); the supervisor restarted them. */
  crashes?: readonly ReplicaCrashRecord[];
};

export type ReplicaCrashRecord = {
  replica: string;
  atMs: number;
  exitCode: number | null;
  signal: string | null;
};

export type ViolationKind =
  | 'money-not-conserved'
  | 'negative-balance'
  | 'available-negative'
  | 'acked-not-applied-once'
  | 'unknown-applied-twice'
  | 'refused-but-applied'
  | 'applied-wrong-amount'
  | 'phantom-movement'
  | 'ack-mismatch'
  | 'chain-broken'
  | 'seq-gap'
  | 'balance-mismatch'
  | 'read-not-in-history'
  | 'stale-read'
  | 'read-of-future-write'
  | 'transfer-legs'
  | 'held-mismatch'
  | 'hold-status-mismatch'
  | 'hold-captured-twice'
  | 'hold-captured-after-void'
  | 'hold-captured-after-expiry'
  | 'capture-exceeds-hold'
  | 'reversal-exceeds-original'
  | 'reversal-legs'
  | 'frozen-wallet-paid'
  | 'closed-wallet-moved'
  | 'event-wallet-mismatch'
  | 'wallet-count'
  | 'orphan-wallet'
  | 'outbox-unpublished'
  | 'event-not-on-kafka'
  | 'event-missing'
  | 'event-duplicated'
  | 'event-out-of-order'
  | 'unexpected-5xx'
  | 'replica-crashed'
  | 'ledger-audit';

export type Violation = { kind: ViolationKind; detail: string; operationId?: number; userId?: string };
