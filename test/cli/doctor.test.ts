import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, getStack } from '../support/index.ts';
import {
  buildCliForTest,
  type CliRun,
  cliEnv,
  runCli,
  type ServicesUnderTest,
  startServicesForTest,
} from './cli-harness.ts';

type Check = { name: string; status: string; detail: string; advice: string | null };
type Report = { ok: boolean; exit_code: number; checks: Check[] };

const CHECK_NAMES = [
  'node',
  'stack',
  'user-service',
  'transactions-service',
  'token@user-service',
  'token@transactions-service',
  'kafka',
  'clock',
];

describe('wallet doctor, built, against both services and the test stack', () => {
  let bin: string;
  let buildDir: string;
  let services: ServicesUnderTest;
  /** The suite's own stack dir as WALLET_HOME: doctor checks a real stack.json and its parts. */
  const env = (extra: Record<string, string> = {}) =>
    cliEnv(services, { WALLET_HOME: getStack().dir, ...extra });
  const doctor = (args: string[], extra: Record<string, string> = {}): Promise<CliRun> =>
    runCli(bin, ['doctor', ...args], env(extra));
  const report = (run: CliRun): Report => JSON.parse(run.stdout);
  const check = (body: Report, name: string): Check => {
    const found = body.checks.find((each) => each.name === name);
    if (!found) throw new Error(`no check ${name} in ${JSON.stringify(body)}`);
    return found;
  };

  beforeAll(async () => {
    const [built, started] = await Promise.all([buildCliForTest(), startServicesForTest('doctor')]);
    ({ bin, dir: buildDir } = built);
    services = started;
  });

  afterAll(async () => {
    await services?.stop();
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  });

  it('Given the stack, both services and the right token, When doctor runs with --json, Then every check is ok and it exits 0', async () => {
    // When
    const run = await doctor(['--json']);
    // Then
    expect(run.code).toBe(0);
    const body = report(run);
    expect(body.ok).toBe(true);
    expect(body.exit_code).toBe(0);
    expect(body.checks.map((each) => each.name)).toEqual(CHECK_NAMES);
    for (const each of body.checks)
      expect({ name: each.name, status: each.status }).toEqual({ name: each.name, status: 'ok' });
    expect(check(body, 'token@user-service').detail).toBe('token accepted');
  });

  it('Given the same, When doctor runs for a person, Then one line per check and a next step', async () => {
    const run = await doctor(['--no-color']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    for (const name of CHECK_NAMES)
      expect(lines.some((line) => line.startsWith('ok') && line.includes(name))).toBe(true);
    expect(run.stdout).toContain('all good: try `npx wallet create-user');
  });

  it('Given a wrong token, When doctor runs, Then both token checks fail with advice and it exits 7', async () => {
    // Given
    const wrong = { WALLET_TOKEN: 'not-the-operator-token-0123456789' };
    // When
    const run = await doctor(['--json'], wrong);
    // Then
    expect(run.code).toBe(7);
    const body = report(run);
    expect(body.ok).toBe(false);
    expect(body.exit_code).toBe(7);
    for (const name of ['token@user-service', 'token@transactions-service']) {
      expect(check(body, name)).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('rejected the token'),
      });
      expect(check(body, name).advice).toContain('WALLET_TOKEN');
    }
    expect(check(body, 'user-service').status).toBe('ok');
    // And for a person: the failing line and what to do under it
    const text = await doctor(['--no-color'], wrong);
    expect(text.code).toBe(7);
    expect(text.stdout).toMatch(/^FAIL\s+token@user-service\s+user-service rejected the token \(401\)$/m);
    expect(text.stdout).toContain('→ use the token the services were started with');
  });

  it('Given user-service down and Kafka away, When doctor runs, Then those checks fail with advice, the rest stay ok, exit 6', async () => {
    // Given: ports that were free a moment ago
    const [servicePort, kafkaPort] = [await findFreePort(), await findFreePort()];
    // When
    const run = await doctor([
      '--json',
      '--user-service-url',
      `http://127.0.0.1:${servicePort}`,
      '--kafka-brokers',
      `127.0.0.1:${kafkaPort}`,
    ]);
    // Then
    expect(run.code).toBe(6);
    const body = report(run);
    expect(body.exit_code).toBe(6);
    expect(check(body, 'user-service')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('refused the connection'),
      advice: expect.stringContaining('npm start'),
    });
    expect(check(body, 'token@user-service').status).toBe('skip');
    expect(check(body, 'kafka')).toMatchObject({
      status: 'fail',
      advice: expect.stringContaining('--kafka-brokers'),
    });
    expect(check(body, 'transactions-service').status).toBe('ok');
    expect(check(body, 'token@transactions-service').status).toBe('ok');
  });

  it('Given no local stack, When doctor runs with or without addresses given, Then the stack check fails saying npm start, or is skipped', async () => {
    // Given: an empty WALLET_HOME and nothing in the environment pointing anywhere
    const bare = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      WALLET_HOME: services.walletHome,
    };
    // When
    const alone = await runCli(bin, ['doctor', '--json'], bare);
    // Then
    expect(alone.code).toBe(6);
    expect(check(report(alone), 'stack')).toMatchObject({
      status: 'fail',
      advice: expect.stringContaining('npm start'),
    });
    expect(check(report(alone), 'kafka')).toMatchObject({
      status: 'fail',
      advice: expect.stringContaining('npm start'),
    });
    // When: the services are named by env, the platform runs elsewhere
    const given = await runCli(bin, ['doctor', '--json'], {
      ...bare,
      USER_SERVICE_URL: services.userServiceUrl,
    });
    // Then
    expect(check(report(given), 'stack').status).toBe('skip');
    expect(check(report(given), 'user-service').status).toBe('ok');
  });

  it('Given a command that cannot reach its service, When it fails, Then its advice points to wallet doctor', async () => {
    const run = await runCli(
      bin,
      ['balance', 'ada@example.com', '--user-service-url', `http://127.0.0.1:${await findFreePort()}`],
      cliEnv(services),
    );
    expect(run.code).toBe(6);
    expect(run.stderr).toContain('SERVICE_UNREACHABLE');
    expect(run.stderr).toContain('npx wallet doctor');
  });
});
