import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { Colors } from '../ui/colors.ts';

/**
 * The idempotency key of a money command, in one place so add-money and transfer offer it, default
 * it and report a replay alike: a repeated command with the same key is done once, and says so.
 */
export type IdempotencyFlags = { idempotencyKey?: string };

/** `--idempotency-key <key>`; `effect` completes "a repeated command … once", e.g. "deposits". */
export function addIdempotencyKeyOption(command: Command, effect: string): Command {
  return command.option(
    '--idempotency-key <key>',
    `send this key so a repeated command ${effect} once (default: a new UUID)`,
  );
}

/** The key given, else a fresh one: without a key a retry of this run could not be recognised. */
export function idempotencyKeyOf(flags: IdempotencyFlags): string {
  return flags.idempotencyKey ?? randomUUID();
}

/** The suffix of the human line when the service answered from an earlier, identical command. */
export function replayedNote(colors: Colors, replayed: boolean): string {
  return replayed ? colors.yellow(' (already done earlier: replayed)') : '';
}
