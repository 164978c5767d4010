import type { Command } from 'commander';
import { registerWalletMoneyCommand } from './wallet-money-command.ts';

export function registerAddMoney(program: Command): void {
  registerWalletMoneyCommand(program, {
    name: 'add-money',
    direction: 'deposit',
    description: 'deposit money into a user’s wallet',
    verb: 'deposits',
    spinner: 'adding money…',
    done: (amount, email) => `added ${amount} to ${email}`,
    examples: [
      'wallet add-money alice@example.com 25',
      'wallet add-money 0b4c…-uuid 12.50 --json',
      'wallet add-money alice@example.com 10 --idempotency-key 6f1d2c3e-deposit-1',
    ],
  });
}
