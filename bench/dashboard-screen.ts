import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';

type Waiter = { text: string; resolve: (shown: boolean) => void; timer: NodeJS.Timeout };

/**
 * Where the dashboard probe's ink draws: a non-TTY stream of a terminal's size that keeps no
 * frames, counts bytes, and tells a waiter when a frame shows a given text (colours stripped).
 */
export class ScreenStream extends Writable {
  readonly isTTY = false;
  bytesWritten = 0;
  private waiters: Waiter[] = [];
  private lastChunk = '';

  readonly columns: number;
  readonly rows: number;

  constructor(columns: number, rows: number) {
    super({ decodeStrings: false });
    this.columns = columns;
    this.rows = rows;
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.bytesWritten += chunk.length;
    this.lastChunk = chunk.toString();
    if (this.waiters.length > 0) {
      const text = stripVTControlCharacters(chunk.toString());
      for (const waiter of this.waiters.filter((candidate) => text.includes(candidate.text)))
        this.settle(waiter, true);
    }
    done();
  }

  /** Whether the last frame written contains `text`. */
  shows(text: string): boolean {
    return stripVTControlCharacters(this.lastChunk).includes(text);
  }

  /** Resolves true when a frame written from now on contains `text`, false after `timeoutMs`. */
  waitFor(text: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        text,
        resolve,
        timer: setTimeout(() => this.settle(waiter, false), timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  private settle(waiter: Waiter, shown: boolean): void {
    clearTimeout(waiter.timer);
    this.waiters = this.waiters.filter((candidate) => candidate !== waiter);
    waiter.resolve(shown);
  }
}

/** A terminal's stdin for ink (as ink-testing-library's): raw mode is accepted, keys are pressed. */
export class FakeKeyboard extends EventEmitter {
  readonly isTTY = true;
  private pending: string | null = null;

  press(data: string): void {
    this.pending = data;
    this.emit('readable');
    this.emit('data', data);
  }

  read(): string | null {
    const data = this.pending;
    this.pending = null;
    return data;
  }

  setEncoding(): this {
    return this;
  }
  setRawMode(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}
