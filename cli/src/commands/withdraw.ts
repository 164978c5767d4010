import type { Command } from 'commander';
import { registerWalletMoneyCommand } from './wallet-money-command.ts';

export function registerWithdraw(program: Command): void {
  registerWalletMoneyCommand(program, {
    name: 'withdraw',
    direction: 'withdrawal',
    description: 'pay money out of a user’s wallet (at most its available balance)',
    verb: 'pays out',
    spinner: 'withdrawing…',
    done: (amount, email) => `withdrew ${amount} from ${email}`,
    examples: [
      'wallet withdraw alice@example.com 25',
      'wallet withdraw 0b4c…-uuid 12.50 --json',
      'wallet withdraw alice@example.com 10 --idempotency-key 6f1d2c3e-payout-1',
    ],
  });
}
