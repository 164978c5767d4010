import { MICROS_PER_DAY, parseRfc3339Micros } from '../../services/shared/src/rfc3339-time.ts';
import type { GeneratedRequest, Operation } from './openapi-requests.ts';

/**
 * Rules the services check that JSON Schema cannot state, because they relate two inputs to each
 * other; each operation's description states them in prose. A request the document otherwise
 * calls valid may get 400 for them, with exactly this code and only when the rule applies.
 */
type Rule = { operation: string; code: string; applies: (request: GeneratedRequest) => boolean };

const STATEMENT_PERIOD_DAYS_MAX = 366;

const RULES: Rule[] = [
  {
    operation: 'get /wallets/{user_id}/statement',
    code: 'INVALID_TIME_RANGE',
    applies: ({ query }) => {
      // The pattern already held the text to RFC 3339; this only measures the period.
      const from = parseRfc3339Micros(query.from ?? '', 'ceil');
      const to = parseRfc3339Micros(query.to ?? '', 'ceil');
      if (from === undefined || to === undefined) return false;
      return from > to || to - from > BigInt(STATEMENT_PERIOD_DAYS_MAX) * MICROS_PER_DAY;
    },
  },
  {
    operation: 'get /getBalance',
    code: 'INVALID_EMAIL',
    applies: ({ query, body }) => query.email === undefined && (body === undefined || body === null),
  },
];

export function beyondJsonSchema(
  operation: Operation,
  request: GeneratedRequest,
  code: string | undefined,
): boolean {
  const key = `${operation.method} ${operation.path}`;
  return RULES.some((rule) => rule.operation === key && rule.code === code && rule.applies(request));
}

/**
 * Inputs a service ignores in some combination, so breaking them changes nothing, as the
 * descriptions say: a statement as CSV is the whole period, so it never reads the cursor.
 */
const IGNORED_INPUTS: Array<{ operation: string; applies: (request: GeneratedRequest) => boolean }> = [
  {
    operation: 'get /wallets/{user_id}/statement',
    applies: ({ query, broken }) => query.format === 'csv' && (broken ?? '').startsWith('query:cursor '),
  },
];

export function isIgnoredInput(operation: Operation, request: GeneratedRequest): boolean {
  const key = `${operation.method} ${operation.path}`;
  return IGNORED_INPUTS.some((rule) => rule.operation === key && rule.applies(request));
}
