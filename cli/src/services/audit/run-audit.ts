import type {
  AuditFinding,
  AuditProgress,
  AuditSummary,
} from '../../../../services/shared/src/contracts/audit-api.ts';
import { errorFor } from '../../error-advice.ts';
import type { WalletApis } from '../api/wallet-apis.ts';
import type { CliSettings } from '../config/cli-settings.ts';
import { streamAudit } from './audit-stream.ts';
import { type Reconciliation, reconcileWallets } from './reconcile-wallets.ts';

export type AuditReport = {
  ledger: AuditSummary;
  /** The ledger's findings (at most AUDIT_FINDINGS_MAX; the summary counts the rest) and the reconciliation's. */
  findings: AuditFinding[];
  reconciliation: Omit<Reconciliation, 'findings'>;
  ok: boolean;
};

/** What the command shows while the audit runs. */
export type AuditStep =
  | { stage: 'ledger'; progress: AuditProgress }
  | { stage: 'reconcile'; users: number; wallets: number };

/** The transactions-service ledger audit, then the cross-service reconciliation. */
export async function runAudit(
  settings: CliSettings,
  apis: WalletApis,
  onStep: (step: AuditStep) => void,
): Promise<AuditReport> {
  const findings: AuditFinding[] = [];
  let summary: AuditSummary | undefined;
  await streamAudit(settings, (record) => {
    if (record.type === 'progress') {
      const { type: _type, ...progress } = record;
      onStep({ stage: 'ledger', progress });
    } else if (record.type === 'finding') {
      const { type: _type, ...finding } = record;
      findings.push(finding);
    } else {
      const { type: _type, ...rest } = record;
      summary = rest;
    }
  });
  if (!summary)
    throw errorFor(
      'SERVICE_UNREACHABLE',
      'the audit stream ended before its summary: the audit did not finish',
    );
  const reconciliation = await reconcileWallets(apis, (counts) => onStep({ stage: 'reconcile', ...counts }));
  findings.push(...reconciliation.findings);
  return {
    ledger: summary,
    findings,
    reconciliation: { users: reconciliation.users, wallets: reconciliation.wallets },
    ok: summary.ok && reconciliation.findings.length === 0,
  };
}
