import { describe, expect, it } from 'vitest';
import { contentTypeFor } from './response-format.js';

describe('contentTypeFor', () => {
  it('matches what a ClickHouse server sends', () => {
    expect(contentTypeFor('TabSeparated')).toBe('text/tab-separated-values; charset=UTF-8');
    expect(contentTypeFor('TSVWithNames')).toBe('text/tab-separated-values; charset=UTF-8');
    expect(contentTypeFor('JSONEachRow')).toBe('application/json; charset=UTF-8');
    expect(contentTypeFor('JSON')).toBe('application/json; charset=UTF-8');
    expect(contentTypeFor('CSVWithNames')).toBe('text/csv; charset=UTF-8; header=present');
    expect(contentTypeFor('CSV')).toBe('text/csv; charset=UTF-8; header=absent');
    expect(contentTypeFor('RowBinary')).toBe('application/octet-stream');
    expect(contentTypeFor('Pretty')).toBe('text/plain; charset=UTF-8');
  });
});
