import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { stackDown, stackUp } from '../scripts/stack/index.ts';
import { findFreePort } from '../scripts/stack/ports.ts';
import type { AuditSummary } from '../services/shared/src/contracts/audit-api.ts';
import { TOPICS } from '../services/shared/src/contracts/events.ts';
import { CHECKPOINT_PART_SIZE } from '../services/transactions-service/src/ledger-checkpoints.ts';
import { generateLedger, generateUsers } from './audit-1m-ledger.ts';
import { sourceServerScript } from './compiled-services.ts';
import { createServiceProcess, type ServiceProcess } from './service-process.ts';

/**
 * `node bench/audit-1m.ts [--wallets 10000] [--rows-per-wallet 100]`: a stack of its own, both
 * services from source, a consistent ledger of wallets × rows (1,000,000 by default) written in
 * bulk with a checkpoint over it, then `wallet audit --json` (the CLI bundled as `npm run build` does) timed, with the
 * peak RSS of the CLI and of transactions-service, and the CSV statement of the wallet with the most
 * rows streamed and timed. Target: the audit under 60 s on the 2-core machine.
 */
const { values } = parseArgs({
  options: {
    wallets: { type: 'string', default: '10000' },
    'rows-per-wallet': { type: 'string', default: '100' },
  },
});
const wallets = Number(values.wallets);
const rowsPerWallet = Number(values['rows-per-wallet']);
const repoRoot = join(import.meta.dirname, '..');
const AUDIT_TARGET_MS = 60_000;
const RSS_SAMPLE_INTERVAL_MS = 100;
const KIB_PER_MIB = 1024;

function log(line: string): void {
  process.stderr.write(`[audit-1m] ${line}\n`);
}

/** VmHWM (peak resident set) of a live process, in MiB. */
function peakRssMb(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / KIB_PER_MIB : undefined;
  } catch {
    return undefined;
  }
}

type CliRun = { code: number | null; stdout: string; tookMs: number; peakRssMb: number };

/** Runs `wallet audit --json` from source and samples its peak RSS until it exits. */
function runAuditCli(bin: string, env: Record<string, string>): Promise<CliRun> {
  const startedMs = performance.now();
  const child = spawn(process.execPath, [bin, 'audit', '--json'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  let peak = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  const sampler = setInterval(() => {
    peak = Math.max(peak, (child.pid && peakRssMb(child.pid)) || 0);
  }, RSS_SAMPLE_INTERVAL_MS);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearInterval(sampler);
      resolve({ code, stdout, tookMs: performance.now() - startedMs, peakRssMb: peak });
    });
  });
}

/** Streams the CSV statement of the wallet with the most rows, over all its history; times it. */
async function timeStatementCsv(
  url: string,
  token: string,
  databaseUrl: string,
): Promise<{ rows: number; tookMs: number }> {
  const { userId, from, to } = await withClient(databaseUrl, async (db) => {
    const { rows } = await db.query<{ user_id: string; first: Date; last: Date }>(
      `SELECT u.user_id::text, min(t."timestamp") AS first, max(t."timestamp") AS last
         FROM (SELECT user_id FROM users ORDER BY ledger_seq DESC LIMIT 1) u
         JOIN transactions t USING (user_id) GROUP BY u.user_id`,
    );
    const row = rows[0];
    if (!row) throw new Error('no ledger rows to make a statement of');
    // The whole history: from its first row to just after its last.
    return {
      userId: row.user_id,
      from: row.first.toISOString(),
      to: new Date(row.last.getTime() + 1).toISOString(),
    };
  });
  const startedMs = performance.now();
  const response = await fetch(`${url}/wallets/${userId}/statement?from=${from}&to=${to}&format=csv`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok || !response.body) throw new Error(`statement answered ${response.status}`);
  let lines = 0;
  for await (const chunk of response.body) {
    for (const byte of chunk as Uint8Array) if (byte === 10) lines++;
  }
  // The header line is not a row.
  return { rows: lines - 1, tookMs: performance.now() - startedMs };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wallet-audit-bench-'));
  const services: ServiceProcess[] = [];
  try {
    const stack = await stackUp({ dir, fast: true, log });
    const token = stack.operatorToken ?? 'audit-bench-operator-token';
    const env = {
      WALLET_OPERATOR_TOKEN: token,
      KAFKA_BROKERS: stack.kafka.brokers.join(','),
      NATS_URL: stack.nats.url,
      LOG_LEVEL: 'warn',
    };
    const spec = async (name: 'transactions-service' | 'user-service', databaseUrl: string) => ({
      name,
      script: sourceServerScript(name),
      port: await findFreePort(),
      env: { ...env, DATABASE_URL: databaseUrl },
      logDir: dir,
      nodeFlags: [],
    });
    const transactions = createServiceProcess(
      await spec('transactions-service', stack.postgres.databases.transactions),
    );
    const users = createServiceProcess(await spec('user-service', stack.postgres.databases.users));
    services.push(transactions, users);
    await Promise.all([transactions.start(), users.start()]);

    const rows = wallets * rowsPerWallet;
    log(`generating ${rows.toLocaleString('en')} ledger rows (${wallets} wallets × ${rowsPerWallet})…`);
    const generatedMs = performance.now();
    await withClient(stack.postgres.databases.transactions, async (db) => {
      await generateLedger(db, wallets, rowsPerWallet);
      await db.query('SELECT take_ledger_checkpoint($1::text, $1::text, $2::int)', [
        TOPICS.ledgerCheckpoints,
        CHECKPOINT_PART_SIZE,
      ]);
    });
    await withClient(stack.postgres.databases.users, (db) => generateUsers(db, wallets));
    log(
      `generated in ${((performance.now() - generatedMs) / 1000).toFixed(1)} s; running wallet audit --json`,
    );

    const walletHome = join(dir, 'cli-home');
    const bin = join(dir, 'wallet.js');
    const { buildCli } = await import('../scripts/build-cli.ts');
    await buildCli({ outfile: bin });
    const run = await runAuditCli(bin, {
      USER_SERVICE_URL: users.url,
      TRANSACTIONS_SERVICE_URL: transactions.url,
      WALLET_TOKEN: token,
      WALLET_HOME: walletHome,
    });
    const report = JSON.parse(run.stdout) as { ok: boolean; ledger: AuditSummary; findings: unknown[] };
    const statement = await timeStatementCsv(transactions.url, token, stack.postgres.databases.transactions);
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: repoRoot,
      encoding: 'utf8',
    }).trim();
    const result = {
      date: new Date().toISOString(),
      commit,
      machine: machine(),
      rows: report.ledger.rows,
      wallets: report.ledger.wallets,
      exit_code: run.code,
      ok: report.ok,
      findings: report.findings.length,
      wallet_audit_s: Number((run.tookMs / 1000).toFixed(1)),
      server_audit_s: Number((report.ledger.took_ms / 1000).toFixed(1)),
      cli_peak_rss_mb: Math.round(run.peakRssMb),
      transactions_service_peak_rss_mb: Math.round(transactions.rssMb()?.peakMb ?? 0),
      statement_csv_rows: statement.rows,
      statement_csv_s: Number((statement.tookMs / 1000).toFixed(1)),
      target_s: AUDIT_TARGET_MS / 1000,
      under_target: run.tookMs < AUDIT_TARGET_MS,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (!report.ok) {
      log(
        `findings by kind: ${JSON.stringify(report.ledger.findings_by_kind)}; first: ${JSON.stringify(report.findings.slice(0, 3))}`,
      );
    }
    if (!report.ok || !result.under_target) process.exitCode = 1;
  } finally {
    for (const service of services) await service.stop().catch(() => {});
    await stackDown({ dir }).catch((error: unknown) => log(`stack down failed: ${String(error)}`));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
