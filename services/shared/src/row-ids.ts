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
  return v7();
}
