import { createWalletApis, type WalletApis } from '../services/api/wallet-apis.ts';
import { type CliSettings, resolveSettings } from '../services/config/cli-settings.ts';
import { createOutput, type Output } from '../ui/output.ts';
import type { CommonFlags } from './common-options.ts';

/** What a command's action gets: resolved settings, where to print, and the two APIs. */
export type CommandContext = { settings: CliSettings; output: Output; apis: WalletApis };

/**
 * Builds the context from the command's flags and the environment, runs the command, and
 * always closes the HTTP pool so the process can exit. Errors go up to the one handler in main.ts.
 */
export async function withContext(
  flags: CommonFlags & { kafkaBrokers?: string },
  work: (context: CommandContext) => Promise<void>,
): Promise<void> {
  const env = process.env;
  const settings = resolveSettings(flags, env);
  const output = createOutput({ json: flags.json, color: flags.color, env });
  const trace = flags.verbose
    ? (line: string) => output.note(output.errorColors.dim(`· ${line}`))
    : undefined;
  const apis = createWalletApis(settings, trace);
  try {
    await work({ settings, output, apis });
  } finally {
    await apis.close();
  }
}
