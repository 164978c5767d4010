import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../services/shared/src/errors.ts';
import {
  AMOUNT_MAX_MINOR,
  BALANCE_MAX_MINOR,
  formatMinor,
  minorToNumber,
  numericToMinor,
  parseAmount,
  parseDecimalToMinor,
} from '../../services/shared/src/money.ts';

describe('parseAmount', () => {
  it.each([
    [100, 10_000n],
    [0.1, 10n],
    [0.01, 1n],
    [12.3, 1_230n],
    ['12.30', 1_230n],
    ['  7 ', 700n],
    [1_000_000_000, AMOUNT_MAX_MINOR],
  ])('reads %j as %s minor units', (input, expected) => {
    expect(parseAmount(input)).toBe(expected);
  });

  it.each([
    ['NaN'],
    ['Infinity'],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [1e-7],
    [true],
    [null],
    [undefined],
    ['-0'],
    [0],
    [-5],
    [1.234],
    ['1.234'],
    ['1e3'],
    ['0x10'],
    [''],
    ['01.5'],
    [1_000_000_000.01],
    [1e21],
    [{}],
  ])('refuses %j with INVALID_AMOUNT', (input) => {
    expect(() => parseAmount(input)).toThrow(AppError);
    try {
      parseAmount(input);
    } catch (error) {
      expect((error as AppError).code).toBe('INVALID_AMOUNT');
    }
  });

  it('reads every 2-decimal amount within bounds exactly, as number or as text', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: AMOUNT_MAX_MINOR }), (minor) => {
        const text = formatMinor(minor);
        expect(parseAmount(text)).toBe(minor);
        expect(parseAmount(Number(text))).toBe(minor);
      }),
    );
  });
});

describe('minorToNumber', () => {
  it('prints exact cents where float arithmetic would not', () => {
    // Given 0.1 + 0.2 computed in minor units
    const sum = parseAmount(0.1) + parseAmount(0.2);
    // Then the JSON number is 0.3 exactly
    expect(JSON.stringify({ balance: minorToNumber(sum) })).toBe('{"balance":0.3}');
  });

  it('round-trips every balance up to the maximum through JSON text', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: BALANCE_MAX_MINOR }), (minor) => {
        const json = JSON.stringify(minorToNumber(minor));
        expect(parseDecimalToMinor(json)).toBe(minor);
      }),
    );
  });

  it('refuses values past the balance maximum', () => {
    expect(() => minorToNumber(BALANCE_MAX_MINOR + 1n)).toThrow(RangeError);
  });
});

describe('numericToMinor', () => {
  it.each([
    ['0.00', 0n],
    ['12.30', 1_230n],
    ['-5.05', -505n],
    ['9999999999999.99', BALANCE_MAX_MINOR],
  ])('reads PostgreSQL NUMERIC text %s', (text, expected) => {
    expect(numericToMinor(text)).toBe(expected);
  });
});
