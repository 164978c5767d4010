import { describe, expect, it } from 'vitest';
import { consoleBlocks, SKIP_MARKER } from './readme-blocks.ts';

const fence = '```';

describe('which README lines the README test runs', () => {
  it('Given console, bash and skipped blocks, When read, Then only the $ lines of console blocks are commands, skipped ones marked', () => {
    // Given
    const markdown = [
      '# title',
      `${fence}console`,
      '$ npx wallet doctor',
      'ok    node   Node 24',
      '$ x=$(echo 1)',
      fence,
      `${fence}bash`,
      'npm start',
      fence,
      SKIP_MARKER,
      '',
      `${fence}console`,
      '$ rm -rf /',
      fence,
    ].join('\n');
    // When
    const blocks = consoleBlocks(markdown);
    // Then
    expect(blocks).toEqual([
      { line: 2, commands: ['npx wallet doctor', 'x=$(echo 1)'], skipped: false },
      { line: 12, commands: ['rm -rf /'], skipped: true },
    ]);
  });

  it('Given a console block never closed, When read, Then it says where', () => {
    expect(() => consoleBlocks(`text\n${fence}console\n$ npx wallet users\n`)).toThrow('line 2');
  });
});
