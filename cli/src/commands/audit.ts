import type { Command } from 'commander';
import type { AuditFinding } from '../../../services/shared/src/contracts/audit-api.ts';
import { EXIT_CODES } from '../exit-codes.ts';
import { type AuditReport, type AuditStep, runAudit } from '../services/audit/run-audit.ts';
import type { Output } from '../ui/output.ts';
import { startSpinner } from '../ui/spinner.ts';
import { withContext } from './command-context.ts';
import { addCommonOptions, type CommonFlags, examples } from './common-options.ts';

function stepText(step: AuditStep): string {
  if (step.stage === 'reconcile') return `reconciling: ${step.users} users, ${step.wallets} wallets…`;
  const { phase, rows_checked: checked, rows_total: total } = step.progress;
  if (phase !== 'chains') return `auditing: ${phase}…`;
  const percent = total === 0 ? 100 : Math.floor((checked / total) * 100);
  return `auditing chains: ${checked.toLocaleString('en')} of ${total.toLocaleString('en')} rows (${percent}%)`;
}

function printFindings(output: Output, findings: AuditFinding[]): void {
  output.table(
    [
      { header: 'finding' },
      { header: 'user id' },
      { header: 'seq', align: 'right' },
      { header: 'what differs' },
    ],
    findings.map((finding) => [
      output.colors.red(finding.kind),
      finding.user_id ?? '',
      finding.seq === undefined ? '' : String(finding.seq),
      [
        finding.detail,
        finding.row_id ? `row ${finding.row_id}` : '',
        finding.expected === undefined ? '' : `expected ${finding.expected}, found ${finding.actual ?? ''}`,
      ]
        .filter((part) => part !== '')
        .join('; '),
    ]),
  );
}

function printSummary(output: Output, report: AuditReport): void {
  const { ledger, reconciliation } = report;
  const { money, events, checkpoints } = ledger;
  output.line(
    `${ledger.wallets} wallets, ${ledger.rows} ledger rows audited in ${(ledger.took_ms / 1000).toFixed(1)} s (snapshot ${ledger.snapshot_at})`,
  );
  output.line(
    `money: deposits ${money.deposits_total} − withdrawals ${money.withdrawals_total} − deposit reversals ${money.deposit_reversals_total}; balances ${money.balances_total}`,
  );
  output.line(
    `events: ${events.rows_checked} rows checked${events.checked_since ? ` since ${events.checked_since}` : ''}; ${events.rows_not_checked} older than the outbox's oldest event, not checked`,
  );
  output.line(
    `checkpoints: latest #${checkpoints.latest_id ?? '—'} pins ${checkpoints.pinned_wallets} wallets; ${checkpoints.records_checked} records checked, ${checkpoints.roots_recomputed} roots recomputed`,
  );
  output.line(`services: ${reconciliation.users} users, ${reconciliation.wallets} wallets`);
  const omitted = ledger.findings_omitted > 0 ? ` (${ledger.findings_omitted} more not listed)` : '';
  const count = report.findings.length + ledger.findings_omitted;
  output.line(
    report.ok
      ? output.colors.green('audit clean: nothing found')
      : output.colors.red(`${count} findings${omitted}`),
  );
}

export function registerAudit(program: Command): void {
  const command = program
    .command('audit')
    .description(
      'verify the whole ledger (chains, hashes, money, holds, events, checkpoints) and that every user has exactly one wallet; exits 8 on any finding',
    );
  addCommonOptions(command).addHelpText('after', examples(['wallet audit', 'wallet audit --json']));
  command.action(async (flags: CommonFlags) => {
    await withContext(flags, async ({ settings, apis, output }) => {
      const spinner = startSpinner(output.stderr, 'auditing…', output.interactive);
      let report: AuditReport;
      try {
        report = await runAudit(settings, apis, (step) => spinner.update(stepText(step)));
      } finally {
        spinner.stop();
      }
      if (!report.ok) process.exitCode = EXIT_CODES.auditFindings;
      if (output.json) {
        output.document({
          ok: report.ok,
          ledger: report.ledger,
          reconciliation: report.reconciliation,
          findings: report.findings,
        });
        return;
      }
      if (report.findings.length > 0) printFindings(output, report.findings);
      printSummary(output, report);
    });
  });
}
