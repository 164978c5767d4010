import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { readServicesFile } from '../cli/src/services/config/services-file.ts';
import { stackUp } from '../scripts/stack/index.ts';
import { hideKnownWarnings } from '../services/shared/src/process/known-warnings.ts';
import { parseDurationMs } from '../test/chaos/duration.ts';
import { type BenchUser, createBenchClient, operationRequests } from './bench-requests.ts';
import { type Services, setUpUsers } from './bench-setup.ts';
import { summarizeLatencies } from './latency-stats.ts';
import { runPhase } from './load-loop.ts';
import { measureWal } from './wal-meter.ts';

/**
 * `npm run bench:running`: the benchmark's transfer phases against the platform `npm start` is
 * running (its stack and the URLs it wrote to services.json, logs and dashboard as a person runs
 * them), for the "npm start reaches at least 80% of the bench figures". Funds users of its
 * own first; measures nothing else.
 */
const CLIENT_COUNTS_DEFAULT = '1,16,64';

hideKnownWarnings();

const { values } = parseArgs({
  options: {
    'phase-duration': { type: 'string', default: '10s' },
    // Comma-separated; a count may repeat, for back-to-back runs of one phase.
    clients: { type: 'string', default: CLIENT_COUNTS_DEFAULT },
  },
});
const durationMs = parseDurationMs(values['phase-duration']);
if (!durationMs) throw new Error(`--phase-duration must be a duration, got ${values['phase-duration']}`);
const clientCounts = values.clients.split(',').map(Number);
if (clientCounts.some((count) => !Number.isInteger(count) || count < 1)) {
  throw new Error(`--clients must be positive whole numbers separated by commas, got ${values.clients}`);
}

const stack = await stackUp({ quiet: true });
const running = readServicesFile(stack.dir);
if (!running) {
  console.error(`no services.json in ${stack.dir}: start the platform with npm start first`);
  process.exit(2);
}
const client = createBenchClient(stack.operatorToken ?? '');
const urls = { users: running.userServiceUrl, transactions: running.transactionsServiceUrl };
const runId = `r${randomBytes(3).toString('hex')}`;
const users: BenchUser[] = await setUpUsers({
  client,
  services: {
    'user-service': { url: urls.users },
    'transactions-service': { url: urls.transactions },
  } as Services,
  transactionsDbUrl: stack.postgres.databases.transactions,
  runId,
});
const requests = operationRequests(client, urls, users, runId);
// As in the bench, whose first round runs cold (JIT, PostgreSQL's caches) and its median does not:
// one unmeasured phase first.
await runPhase({
  name: 'warm-up',
  clients: 64,
  durationMs,
  request: requests.transferMoney,
  progress: () => {},
});
for (const clients of clientCounts) {
  const { result, walBytes } = await measureWal(stack.postgres.databases.transactions, () =>
    runPhase({
      name: 'transferMoney',
      clients,
      durationMs,
      request: requests.transferMoney,
      progress: () => {},
    }),
  );
  const walPerTransfer = result.okCount > 0 ? Number(walBytes) / result.okCount / 1024 : 0;
  const latency = summarizeLatencies(result.latenciesMs);
  console.log(
    `transferMoney @${clients}: ${(result.okCount / (result.durationMs / 1000)).toFixed(0)}/s, ` +
      `p50 ${latency.p50Ms.toFixed(1)} ms, p99 ${latency.p99Ms.toFixed(1)} ms, ${result.errorCount} errors, ` +
      `WAL ${walPerTransfer.toFixed(1)} kB/transfer ` +
      `${JSON.stringify(client.takeUnexpected())}`,
  );
}
