import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, type ServicesUnderTest, startServicesForTest } from '../cli/cli-harness.ts';
import { getStack } from '../support/index.ts';
import { freshClone, INSTALL_TIMEOUT_MS, personPath } from './fresh-clone.ts';
import { consoleBlocks } from './readme-blocks.ts';
import { BLOCK_TIMEOUT_MS, runBlock } from './run-block.ts';

/** Clone and install, then the README's blocks one after another, each with a first build at worst. */
const TEST_TIMEOUT_MS = INSTALL_TIMEOUT_MS + 2 * BLOCK_TIMEOUT_MS;
/** A command whose line still holds something to fill in cannot run as written. */
const PLACEHOLDER = /<[a-z][a-z-]*>/;
/** package.json's `engines.node` (">=22") as a major version. */
const ENGINES_NODE_MAJOR = Number(
  /\d+/.exec(
    JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')).engines.node,
  )![0],
);

/**
 * Issue 13: every command the README tells a newcomer to type works, as written, in a fresh
 * clone. The commands run in the clone's own shell, `npx wallet` resolving through what `npm ci`
 * linked there; the stack they talk to is the suite's (starting `npm start`'s own would take
 * most of two minutes on two cores), named to them by USER_SERVICE_URL, TRANSACTIONS_SERVICE_URL,
 * KAFKA_BROKERS, WALLET_TOKEN, as the README's CLI section says the CLI reads them.
 */
describe('the README commands, as written, in a fresh clone', () => {
  let clone: { dir: string; remove(): void } | undefined;
  let services: ServicesUnderTest;
  /** As a person's shell: no node_modules/.bin on PATH; npx may never fetch a package named wallet. */
  const personEnv = () =>
    cliEnv(services, { PATH: personPath(), WALLET_HOME: getStack().dir, npm_config_yes: 'false' });

  beforeAll(async () => {
    const installEnv = { PATH: personPath(), HOME: process.env.HOME ?? '' };
    [clone, services] = await Promise.all([freshClone(installEnv), startServicesForTest('readme')]);
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await services?.stop();
    clone?.remove();
  });

  const readme = () => readFileSync(join(clone!.dir, 'README.md'), 'utf8');

  it('Given the README, When its console blocks are read, Then the quickstart and the CLI examples are there, with nothing to fill in', () => {
    const blocks = consoleBlocks(readme());
    const commands = blocks.flatMap((block) => block.commands);
    expect(commands).toContain('npx wallet create-user ada@example.com');
    expect(commands).toContain('npx wallet doctor');
    expect(commands.filter((command) => command.startsWith('npx wallet ')).length).toBeGreaterThan(10);
    expect(commands.filter((command) => PLACEHOLDER.test(command))).toEqual([]);
  });

  it(
    'Given a fresh clone after npm ci, When every README command runs as written, Then each succeeds and npx wallet built its bundle there',
    async () => {
      // Given: nothing built in the clone
      expect(existsSync(join(clone!.dir, 'dist', 'cli', 'wallet.js'))).toBe(false);
      // When / Then: block by block, in README order
      for (const block of consoleBlocks(readme()).filter((each) => !each.skipped)) {
        const run = await runBlock(clone!.dir, block.commands, personEnv());
        const failure = `README.md:${block.line}: \`${run.failedCommand}\` failed (exit ${run.code})\n${run.stderr.slice(-2_000)}`;
        expect(run.code, failure).toBe(0);
        // What a newcomer sees: no npm warnings around the commands, but the one the README names
        // (npm itself may run on an older Node than the project's engines).
        expect(unexpectedNpmWarnings(run.stderr, personEnv()), `README.md:${block.line}: npm warned`).toEqual(
          [],
        );
      }
      expect(existsSync(join(clone!.dir, 'dist', 'cli', 'wallet.js'))).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'Given no bundle, When two npx wallet start at once, Then both run and leave one bundle; a source newer than it makes the next run rebuild',
    async () => {
      // Given
      const bundle = join(clone!.dir, 'dist', 'cli', 'wallet.js');
      rmSync(bundle, { force: true });
      // When
      const runs = await Promise.all(
        [1, 2].map(() => runBlock(clone!.dir, ['npx wallet --version'], personEnv())),
      );
      // Then
      for (const run of runs)
        expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: '0.1.0\n' });
      expect(existsSync(bundle)).toBe(true);
      expect(readdirSync(dirname(bundle)).filter((name) => name.startsWith('.build-'))).toEqual([]);
      // When: the bundle is older than a source (an edit, a pull)
      const longAgo = new Date('2001-01-01T00:00:00Z');
      utimesSync(bundle, longAgo, longAgo);
      const stale = await runBlock(clone!.dir, ['npx wallet --version'], personEnv());
      // Then
      expect(stale.code).toBe(0);
      expect(stale.stderr).toContain('building the CLI bundle');
      expect(statSync(bundle).mtimeMs).toBeGreaterThan(longAgo.getTime());
    },
    BLOCK_TIMEOUT_MS,
  );

  it(
    'Given a command that fails, When run the same way, Then the block fails and names that command',
    async () => {
      // When: a balance for nobody (exit 3), then a line that must not run
      const run = await runBlock(
        clone!.dir,
        ['npx wallet balance nobody@example.com', 'echo not reached'],
        personEnv(),
      );
      // Then
      expect(run.code).toBe(3);
      expect(run.failedCommand).toBe('npx wallet balance nobody@example.com');
      expect(run.stdout).not.toContain('not reached');
    },
    BLOCK_TIMEOUT_MS,
  );
});

/**
 * npm's warnings in `stderr`, less the EBADENGINE warning about this project itself when npm runs
 * on a Node older than its `engines` (the README's Requirements say so): the project runs on its
 * own Node 24, npm on the machine's.
 */
function unexpectedNpmWarnings(stderr: string, env: NodeJS.ProcessEnv): string[] {
  const npmNodeMajor = Number(
    execFileSync('node', ['-p', 'process.versions.node.split(".")[0]'], {
      env,
      encoding: 'utf8',
    }).trim(),
  );
  const warnings = stderr.split('\n').filter((line) => /^npm warn/i.test(line));
  if (npmNodeMajor >= ENGINES_NODE_MAJOR) return warnings;
  const engineWarnings = warnings.filter((line) => /^npm warn EBADENGINE/i.test(line));
  const aboutOthers = engineWarnings.filter(
    (line) => /package: '/.test(line) && !/package: 'wallet@/.test(line),
  );
  return [...warnings.filter((line) => !/^npm warn EBADENGINE/i.test(line)), ...aboutOthers];
}
