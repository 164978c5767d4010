import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Bundles the `wallet` CLI (cli/src/main.ts) into one ESM file, dist/cli/wallet.js (package.json
 * `bin`). ESM because ink and yoga use top-level await; the banner adds the shebang and a
 * `require` for the CommonJS packages in the bundle (kafkajs, pg, commander) that call it.
 */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
export const cliEntry = join(repoRoot, 'cli', 'src', 'main.ts');
export const cliBundle = join(repoRoot, 'dist', 'cli', 'wallet.js');

const BANNER = [
  '#!/usr/bin/env node',
  "import { createRequire as __walletCreateRequire } from 'node:module';",
  'const require = __walletCreateRequire(import.meta.url);',
].join('\n');

export async function buildCli(options: { outfile?: string; minify?: boolean } = {}): Promise<string> {
  const outfile = options.outfile ?? cliBundle;
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [cliEntry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    jsx: 'automatic',
    minify: options.minify ?? false,
    sourcemap: 'linked',
    legalComments: 'none',
    banner: { js: BANNER },
    // ink imports react-devtools-core only when DEV is set; pg tries pg-native only if installed.
    external: ['react-devtools-core', 'pg-native'],
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  chmodSync(outfile, 0o755);
  return outfile;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outfile = await buildCli();
  process.stdout.write(`built ${outfile}\n`);
}
