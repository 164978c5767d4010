import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

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

/**
 * ink loads its devtools bridge (react-devtools-core, not installed) only when DEV=true, through a
 * dynamic import that a bundle turns into a static one; an empty stand-in keeps the bundle loadable.
 */
const stubReactDevtools: Plugin = {
  name: 'stub-react-devtools-core',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^react-devtools-core$/ }, () => ({
      path: 'react-devtools-core',
      namespace: 'stub',
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'export default { initialize() {}, connectToDevTools() {} };',
      loader: 'js',
    }));
  },
};

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
    // pg tries pg-native only if it is installed (it is not).
    external: ['pg-native'],
    plugins: [stubReactDevtools],
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
