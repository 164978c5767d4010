import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { withLock } from './lock.ts';
import { defaultCacheDir, repoRoot } from './paths.ts';
import { runCommand } from './processes.ts';

export const kafkaVersion = '3.9.1';

const pomFile = join(repoRoot, 'scripts', 'kafka', 'pom.xml');
const fetchTimeoutMs = 15 * 60_000;
const markerName = '.complete';

export function kafkaLibsDir(cacheDir: string = defaultCacheDir()): string {
  return join(cacheDir, `kafka-${kafkaVersion}`, 'libs');
}

/**
 * Fetches the broker's jars from Maven Central once per machine (per cache dir). The marker is
 * written last, so an interrupted fetch is simply redone.
 */
export async function ensureKafkaJars(
  options: { cacheDir?: string; log?: (line: string) => void } = {},
): Promise<string> {
  const libsDir = kafkaLibsDir(options.cacheDir);
  const marker = join(libsDir, '..', markerName);
  if (existsSync(marker)) return libsDir;
  mkdirSync(dirname(libsDir), { recursive: true });
  // Two test runs on a cold cache would otherwise write the same files at once.
  return withLock(`${libsDir}.lock`, fetchTimeoutMs, async () => {
    if (!existsSync(marker)) await fetchJars(libsDir, marker, options.log);
    return libsDir;
  });
}

async function fetchJars(libsDir: string, marker: string, log?: (line: string) => void): Promise<void> {
  log?.(`kafka: fetching ${kafkaVersion} jars with Maven into ${libsDir}`);
  rmSync(libsDir, { recursive: true, force: true });
  mkdirSync(libsDir, { recursive: true });
  await runCommand(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      pomFile,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${libsDir}`,
      '-DincludeScope=runtime',
    ],
    { timeoutMs: fetchTimeoutMs },
  );
  const jarCount = readdirSync(libsDir).filter((name) => name.endsWith('.jar')).length;
  if (!existsSync(join(libsDir, `kafka_2.13-${kafkaVersion}.jar`))) {
    throw new Error(`Maven finished but kafka_2.13-${kafkaVersion}.jar is missing from ${libsDir}`);
  }
  writeFileSync(marker, `${jarCount} jars\n`);
}
