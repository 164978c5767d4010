import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { repoRoot } from './stack/paths.ts';

/**
 * Bundles the `wallet` CLI (cli/src/main.ts) into one ESM file, dist/cli/wallet.js, which the
 * `wallet` bin (cli/bin/wallet.js) runs and builds on first use. ESM because ink and yoga use top-level await; the banner adds the shebang and a
 * `require` for the CommonJS packages in the bundle (kafkajs, pg, commander) that call it.
 */
export const cliEntry = join(repoRoot, 'cli', 'src', 'main.ts');
export const cliBundle = join(repoRoot, 'dist', 'cli', 'wallet.js');

/** undici 8 and ink 8 need Node 22 or newer; the repo pins Node 24 as a devDependency. */
export const NODE_MAJOR_MIN = 22;

/**
 * Runs first in the bundle. `npm link` puts `wallet` on PATH, where `node` may be the machine's
 * older one: then the CLI re-runs itself with the repo's own Node (node_modules/.bin/node) if
 * there is one, else says what to do, instead of crashing inside a library.
 */
const NODE_VERSION_GUARD = `
if (Number(process.versions.node.split('.')[0]) < ${NODE_MAJOR_MIN}) {
  const { spawnSync } = await import('node:child_process');
  const { existsSync, realpathSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const self = realpathSync(fileURLToPath(import.meta.url));
  const repoNode = fileURLToPath(new URL('../../node_modules/.bin/node', 'file://' + self));
  if (existsSync(repoNode) && !process.env.WALLET_NODE_REEXEC) {
    const child = spawnSync(repoNode, [self, ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, WALLET_NODE_REEXEC: '1' },
    });
    process.exit(child.status ?? 1);
  }
  process.stderr.write('error NODE_TOO_OLD: wallet needs Node ${NODE_MAJOR_MIN} or newer, this is ' + process.version +
    ' — run it with the Node of the repo: export PATH="<repo>/node_modules/.bin:$PATH"\\n');
  process.exit(2);
}`;

const BANNER = [
  '#!/usr/bin/env node',
  "import { createRequire as __walletCreateRequire } from 'node:module';",
  'const require = __walletCreateRequire(import.meta.url);',
  NODE_VERSION_GUARD,
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

/**
 * Builds into a scratch dir beside `outfile`, then moves the map and the bundle into place (same
 * file system, so each rename is atomic): a `wallet` started while another process builds (two
 * first runs at once, `npm start` opening the dashboard) never loads a half-written bundle.
 */
export async function buildCli(options: { outfile?: string; minify?: boolean } = {}): Promise<string> {
  const outfile = options.outfile ?? cliBundle;
  mkdirSync(dirname(outfile), { recursive: true });
  const scratch = mkdtempSync(join(dirname(outfile), '.build-'));
  try {
    const scratchFile = join(scratch, basename(outfile));
    await build({
      entryPoints: [cliEntry],
      outfile: scratchFile,
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
    chmodSync(scratchFile, 0o755);
    renameSync(`${scratchFile}.map`, `${outfile}.map`);
    renameSync(scratchFile, outfile);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return outfile;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { outfile: { type: 'string' } } });
  const outfile = await buildCli({ outfile: values.outfile });
  process.stdout.write(`built ${outfile}\n`);
}
