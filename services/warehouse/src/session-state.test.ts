import { describe, expect, it } from 'vitest';
import {
  isUseStatement,
  quoteIdentifier,
  quoteString,
  resetStatement,
  setStatement,
  setStatementNames,
} from './session-state.js';

describe('session-state', () => {
  it('quotes setting values and identifiers', () => {
    expect(setStatement('insert_deduplication_token', "it's\\")).toBe(
      "SET insert_deduplication_token = 'it\\'s\\\\'",
    );
    expect(quoteString('x')).toBe("'x'");
    expect(quoteIdentifier('we`ird')).toBe('`we\\`ird`');
    expect(resetStatement(['a', 'b'])).toBe('SET a = DEFAULT, b = DEFAULT');
  });

  it('resets a setting the engine was started with to its start value, not the compiled default', () => {
    expect(resetStatement(['max_threads', 'b'], { max_threads: '1' })).toBe(
      "SET max_threads = '1', b = DEFAULT",
    );
  });

  it('finds the names a SET statement assigns', () => {
    expect(setStatementNames("SET a = 1, b = 'x,y', c = [1, 2], d = {'k': 'v'};")).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    expect(setStatementNames('  set max_threads=2')).toEqual(['max_threads']);
    expect(setStatementNames('SET ROLE admin')).toEqual([]);
    expect(setStatementNames('SELECT 1')).toEqual([]);
  });

  it('recognises USE', () => {
    expect(isUseStatement(' USE db')).toBe(true);
    expect(isUseStatement('SELECT 1 AS use')).toBe(false);
  });
});
