import type { Command } from 'commander';

export function registerDashboard(program: Command): void {
  program.command('dashboard').description('live balances, events and health (needs a terminal)');
}
