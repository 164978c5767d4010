import { InvalidArgumentError } from 'commander';
import { PAGE_LIMIT_MAX } from '../../../services/shared/src/contracts/common.ts';

/** --limit: a whole number from 1 to the services' page maximum. */
export function parseLimit(text: string): number {
  if (!/^\d{1,6}$/.test(text)) throw new InvalidArgumentError('give a whole number, e.g. 20');
  const limit = Number(text);
  if (limit < 1 || limit > PAGE_LIMIT_MAX)
    throw new InvalidArgumentError(`give a number from 1 to ${PAGE_LIMIT_MAX}`);
  return limit;
}
