/**
 * The rule for which README commands run (test/readme/readme-commands.test.ts): every fenced
 * block whose info string is `console`, and in it every line starting with `$ `, the command
 * being the rest of the line; other lines are shown output. A `console` block right after the
 * line `<!-- readme-test: skip -->` is shown but not run (none is, so far). `bash`, `sh` and
 * `text` blocks are never run: they hold `npm start`, curl against any deployment and captures.
 */
export const SKIP_MARKER = '<!-- readme-test: skip -->';
const COMMAND_PREFIX = '$ ';

export type ConsoleBlock = {
  /** 1-based line of the opening fence, to name the block in a failure. */
  line: number;
  commands: string[];
  skipped: boolean;
};

export function consoleBlocks(markdown: string): ConsoleBlock[] {
  const lines = markdown.split('\n');
  const blocks: ConsoleBlock[] = [];
  let open: ConsoleBlock | undefined;
  let previousText = '';
  for (const [index, line] of lines.entries()) {
    if (open) {
      if (line.trim() === '```') {
        blocks.push(open);
        open = undefined;
      } else if (line.startsWith(COMMAND_PREFIX)) {
        open.commands.push(line.slice(COMMAND_PREFIX.length));
      }
      continue;
    }
    if (line.trim() === '```console') {
      open = { line: index + 1, commands: [], skipped: previousText === SKIP_MARKER };
    }
    if (line.trim() !== '') previousText = line.trim();
  }
  if (open) throw new Error(`README: the console block at line ${open.line} is never closed`);
  return blocks;
}
