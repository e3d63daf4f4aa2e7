import { describe, expect, it } from 'vitest';
import { diffView, formatReport, viewMatches, type ViewShape } from './diff.js';
import { cellsAgree, moneyOf, normaliseCell } from './normalise.js';
import { disorderLines } from './workload.js';

describe('normaliseCell', () => {
  it('reads money printed without trailing zeros, quoted or not, as 6 exact places', () => {
    expect(moneyOf('15')).toBe('15.000000');
    expect(moneyOf(15.5)).toBe('15.500000');
    expect(moneyOf('166.666667')).toBe('166.666667');
    expect(moneyOf('-0')).toBe('0.000000');
    expect(moneyOf(null)).toBeNull();
    expect(() => moneyOf('1.0000001')).toThrow(/6 decimal places/);
  });

  it('reads quoted 64-bit integers as numbers and treats an empty text as absent', () => {
    expect(normaliseCell('int', '1767225600000')).toBe(1_767_225_600_000);
    expect(normaliseCell('text', null)).toBe('');
    expect(normaliseCell('day', '')).toBeNull();
  });

  it('drops 0-ms modules from a module map and orders its keys', () => {
    expect(normaliseCell('module-map', { b: '5', a: 0, '': '7' })).toBe('{"":7,"b":5}');
  });

  it('compares floats with a relative tolerance, everything else exactly', () => {
    expect(cellsAgree('float', 1 / 3, 0.333333333333)).toBe(true);
    expect(cellsAgree('float', 1 / 3, 0.3334)).toBe(false);
    expect(cellsAgree('int', 1, 2)).toBe(false);
  });
});

const shape: ViewShape = {
  name: 'account_financials',
  key: ['account_id'],
  columns: { account_id: 'text', mrr: 'money' },
  zeroRowsOptional: true,
};

describe('diffView', () => {
  it('matches rows by key, accepts a one-sided all-zero row and reports the rest', () => {
    const diff = diffView(
      shape,
      [
        { account_id: 'a', mrr: '10' },
        { account_id: 'b', mrr: '1' },
      ],
      [
        { account_id: 'a', mrr: '10.000000' },
        { account_id: 'b', mrr: '2.000000' },
        { account_id: 'z', mrr: '0.000000' },
        { account_id: 'y', mrr: '3.000000' },
      ],
    );
    expect(diff.matched).toBe(1);
    expect(diff.zeroRowsSkipped).toBe(1);
    expect(diff.differing.map((d) => d.columns)).toEqual([['mrr']]);
    expect(diff.onlyInReference).toEqual([{ account_id: 'y', mrr: '3.000000' }]);
    expect(viewMatches(diff)).toBe(false);
    expect(formatReport([diff])).toMatch(/MISMATCH account_financials[\s\S]*mrr: view "1.000000"/);
  });
});

describe('disorderLines', () => {
  const usage = (id: string, hour: number): string =>
    JSON.stringify({ type: 'usage', id, ts: Date.UTC(2026, 0, 1, hour) });

  it('moves usage lines later by at most the window and keeps every line once', () => {
    const lines = Array.from({ length: 48 }, (_, hour) => usage(`e${String(hour)}`, hour));
    const moved = disorderLines(lines, 0.5, 6, 7);
    expect([...moved].sort()).toEqual([...lines].sort());
    expect(moved).not.toEqual(lines);
    moved.forEach((line, position) => {
      const original = lines.indexOf(line);
      // A line only moves later, and never past events more than 6 h newer than itself.
      expect(position).toBeGreaterThanOrEqual(original - 6);
      expect(position).toBeLessThanOrEqual(original + 6);
    });
  });

  it('moves account lines only when asked to', () => {
    const account = (id: string, hour: number): string =>
      JSON.stringify({ type: 'account', id, ts: Date.UTC(2026, 0, 1, hour) });
    const lines = Array.from({ length: 48 }, (_, hour) =>
      hour % 2 === 0 ? usage(`e${String(hour)}`, hour) : account(`a${String(hour)}`, hour),
    );
    const accountsAt = (list: readonly string[]) =>
      list.flatMap((line, position) => (line.includes('"account"') ? [position] : []));
    const usageOnly = disorderLines(lines, 0.5, 6, 7);
    const withAccounts = disorderLines(lines, 0.5, 6, 7, true);
    expect([...withAccounts].sort()).toEqual([...lines].sort());
    // Account lines keep their place among the unmoved lines unless asked to move.
    expect(accountsAt(usageOnly).map((position) => usageOnly[position])).toEqual(
      lines.filter((line) => line.includes('"account"')),
    );
    expect(accountsAt(withAccounts).map((position) => withAccounts[position])).not.toEqual(
      lines.filter((line) => line.includes('"account"')),
    );
  });
});
