import { resolve } from 'node:path';
import { defaultStackDir, readStackState, type StackState } from '../../../../scripts/stack/index.ts';
import { readServicesFile } from './services-file.ts';

export const USER_SERVICE_URL_DEFAULT = 'http://127.0.0.1:8080';
export const TRANSACTIONS_SERVICE_URL_DEFAULT = 'http://127.0.0.1:8081';

/** The flags every command accepts that say where things are and who we are. */
export type ConnectionFlags = {
  userServiceUrl?: string;
  transactionsServiceUrl?: string;
  kafkaBrokers?: string;
  token?: string;
};

export type Env = Record<string, string | undefined>;

export type CliSettings = {
  userServiceUrl: string;
  transactionsServiceUrl: string;
  /** Undefined when neither a flag, the env nor a stack state names any. */
  kafkaBrokers: string[] | undefined;
  namespace: string;
  token: string | undefined;
  stackDir: string;
};

/**
 * Where each setting comes from, first match wins: flag, then environment, then the files of
 * the local stack (`.wallet/services.json`, `.wallet/stack.json`), then the defaults.
 * The files are read only when a flag or env does not already answer.
 */
export function resolveSettings(flags: ConnectionFlags, env: Env): CliSettings {
  // Same rule as the stack launcher: WALLET_HOME, else <repo>/.wallet.
  const stackDir = env.WALLET_HOME ? resolve(env.WALLET_HOME) : defaultStackDir();
  const stack = once(() => safeReadStackState(stackDir));
  const services = once(() => readServicesFile(stackDir));
  return {
    userServiceUrl:
      nonEmpty(flags.userServiceUrl) ??
      nonEmpty(env.USER_SERVICE_URL) ??
      services()?.userServiceUrl ??
      USER_SERVICE_URL_DEFAULT,
    transactionsServiceUrl:
      nonEmpty(flags.transactionsServiceUrl) ??
      nonEmpty(env.TRANSACTIONS_SERVICE_URL) ??
      services()?.transactionsServiceUrl ??
      TRANSACTIONS_SERVICE_URL_DEFAULT,
    kafkaBrokers:
      splitBrokers(flags.kafkaBrokers) ?? splitBrokers(env.KAFKA_BROKERS) ?? stack()?.kafka.brokers,
    namespace: env.WALLET_NAMESPACE ?? '',
    token: nonEmpty(flags.token) ?? nonEmpty(env.WALLET_TOKEN) ?? operatorTokenOf(stack()),
    stackDir,
  };
}

/** `read` at most once, on the first call: each file is read only if some setting needs it, and once. */
function once<T>(read: () => T): () => T {
  let value: { read: T } | undefined;
  return () => {
    value ??= { read: read() };
    return value.read;
  };
}

function safeReadStackState(dir: string): StackState | undefined {
  try {
    return readStackState(dir);
  } catch {
    return undefined;
  }
}

/** The stack launcher records an operator token beside the connection settings (older state files may lack it). */
function operatorTokenOf(state: StackState | undefined): string | undefined {
  return nonEmpty(state?.operatorToken);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function splitBrokers(value: string | undefined): string[] | undefined {
  const brokers = (value ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  return brokers.length > 0 ? brokers : undefined;
}
