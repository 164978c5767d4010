import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const moduleUrl = new URL(
  `file://${join(import.meta.dirname, '..', '..', 'services', 'shared', 'src', 'process', 'known-warnings.ts')}`,
).href;

/** The script in a fresh Node process (warnings are process-wide) with the filter installed first. */
function runWithFilter(script: string): { stdout: string; stderr: string } {
  const program = `import { hideKnownWarnings } from '${moduleUrl}';\nhideKnownWarnings();\n${script}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the script failed (${result.status}): ${result.stderr}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

describe('hideKnownWarnings', () => {
  it("Given the filter, When kafkajs' negative timer and another warning are emitted, Then only the other one is printed, by Node's own printer", () => {
    const { stderr } = runWithFilter(`
      setTimeout(() => {}, -5);
      process.emitWarning('something else', 'CustomWarning');
      process.emitWarning('as options', { type: 'OtherWarning' });
      await new Promise((done) => setTimeout(done, 20));
    `);
    expect(stderr).not.toContain('TimeoutNegativeWarning');
    expect(stderr).toMatch(/\(node:\d+\) CustomWarning: something else/);
    expect(stderr).toMatch(/\(node:\d+\) OtherWarning: as options/);
  });

  it("Given the filter, When it is installed, Then the process's own 'warning' listeners stay, and a second install changes nothing", () => {
    const { stdout } = runWithFilter(`
      const seen = [];
      process.on('warning', (warning) => seen.push(warning.name));
      hideKnownWarnings();
      setTimeout(() => {}, -1);
      process.emitWarning('kept', 'CustomWarning');
      await new Promise((done) => setTimeout(done, 20));
      console.log(JSON.stringify({ listeners: process.listenerCount('warning'), seen }));
    `);
    expect(JSON.parse(stdout)).toEqual({ listeners: 2, seen: ['CustomWarning'] });
  });
});
