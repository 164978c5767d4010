import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

/**
 * The id of a row the platform writes at a high rate: a ledger row, a transfer, a hold, an event.
 * UUIDv7 begins with the time in milliseconds, so ids minted together sort together and a unique
 * index takes them on its rightmost pages. A random (v4) id lands on any page of the index, and
 * after each checkpoint the first change to a page writes all 8 kB of it to the WAL: with v4 ids,
 * those full-page images were about a seventh of a transfer's WAL (bench/tuning-notes.md).
 *
 * A user id stays random (randomUUID): it is handed to other people (whoever sends the user
 * money), and a v7 id would tell them when the account was opened.
 */
export function newRowId(): string {
  return v7({ random: randomBytes16() });
}

/**
 * uuid draws its 16 random bytes with one crypto.getRandomValues call per id, which was 4% of
 * transactions-service's CPU under transfers (a few ids each; bench --profile). The same
 * generator, asked for 4 KiB at a time, as node:crypto's randomUUID does for itself. Ids minted
 * in one millisecond then order randomly among themselves, not by a counter: nothing orders by id.
 */
const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let poolOffset = POOL_BYTES;

function randomBytes16(): Uint8Array {
  if (poolOffset + 16 > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return bytes;
}
