import { Command } from 'commander';
import { registerAddMoney } from './commands/add-money.ts';
import { registerAudit } from './commands/audit.ts';
import { registerBalance } from './commands/balance.ts';
import { registerCaptureHold } from './commands/capture-hold.ts';
import { registerCreateUser } from './commands/create-user.ts';
import { registerDashboard } from './commands/dashboard.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerEvents } from './commands/events.ts';
import { registerHistory } from './commands/history.ts';
import { registerHold } from './commands/hold.ts';
import { registerHolds } from './commands/holds.ts';
import { registerReverse } from './commands/reverse.ts';
import { registerStack } from './commands/stack.ts';
import { registerStatement } from './commands/statement.ts';
import { registerTransfer } from './commands/transfer.ts';
import { registerUsers } from './commands/users.ts';
import { registerVoidHold } from './commands/void-hold.ts';
import { registerWalletStatus } from './commands/wallet-status.ts';
import { registerWithdraw } from './commands/withdraw.ts';
import { exitCodesHelp } from './exit-codes.ts';

export const CLI_VERSION = '0.1.0';

const ENVIRONMENT_HELP = `Environment:
  USER_SERVICE_URL, TRANSACTIONS_SERVICE_URL   service addresses (after the flags, before .wallet/services.json)
  KAFKA_BROKERS                                 Kafka brokers for events and dashboard (host:port,…)
  WALLET_NAMESPACE                              topic prefix (empty by default)
  WALLET_TOKEN                                  bearer token sent to the services
  WALLET_HOME                                   stack dir (default <repo>/.wallet)
  NO_COLOR                                      no colour`;

/**
 * The command tree. Settings on `program` (exitOverride, output) are inherited by every
 * subcommand created through `.command()`, so one handler in main.ts sees every error.
 */
export function buildProgram(): Command {
  const program = new Command('wallet')
    .description('Create users, move money and watch the wallet platform live.')
    .version(CLI_VERSION)
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: () => {} })
    .addHelpText('after', `\n${exitCodesHelp()}\n\n${ENVIRONMENT_HELP}`);
  registerCreateUser(program);
  registerAddMoney(program);
  registerWithdraw(program);
  registerTransfer(program);
  registerHold(program);
  registerCaptureHold(program);
  registerVoidHold(program);
  registerReverse(program);
  registerWalletStatus(program);
  registerBalance(program);
  registerHistory(program);
  registerStatement(program);
  registerHolds(program);
  registerUsers(program);
  registerAudit(program);
  registerEvents(program);
  registerDashboard(program);
  registerStack(program);
  registerDoctor(program);
  return program;
}
