import { type Colors, colorsEnabled, createColors } from './colors.ts';
import { type Column, renderTable } from './text-table.ts';

/**
 * Where a command's results go. People get lines and tables on stdout (colour only on a TTY);
 * with --json, stdout carries exactly one JSON document and nothing else; notes and spinners
 * go to stderr.
 */
export type Output = {
  json: boolean;
  colors: Colors;
  errorColors: Colors;
  /** Spinners only for a person: stderr is a TTY and --json is off. */
  interactive: boolean;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  line(text?: string): void;
  table(columns: Column[], rows: string[][]): void;
  document(value: unknown): void;
  note(text: string): void;
};

export function createOutput(options: {
  json: boolean;
  color: boolean;
  env: Record<string, string | undefined>;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const colors = createColors(!options.json && colorsEnabled(stdout, options.env, options.color));
  const errorColors = createColors(colorsEnabled(stderr, options.env, options.color));
  return {
    json: options.json,
    colors,
    errorColors,
    interactive: !options.json && stderr.isTTY === true,
    stdout,
    stderr,
    line(text = '') {
      stdout.write(`${text}\n`);
    },
    table(columns, rows) {
      const [header, ...body] = renderTable(columns, rows);
      stdout.write(`${colors.bold(header ?? '')}\n`);
      for (const row of body) stdout.write(`${row}\n`);
    },
    document(value) {
      stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    note(text) {
      stderr.write(`${text}\n`);
    },
  };
}
