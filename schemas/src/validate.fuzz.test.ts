import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from './generated/index.js';
import { validEvents } from './test-fixtures.js';
import { validateEvent, type ValidationResult } from './validate.js';

function checkOutcome(result: ValidationResult): void {
  if (result.ok) return;
  expect(result.errors.length).toBeGreaterThanOrEqual(1);
  for (const error of result.errors) {
    expect(error.field).not.toBe('');
    expect(error.rule).not.toBe('');
    expect(error.message).toBe(`${error.field}: ${error.rule}`);
  }
}

// Values a producer might plausibly put in any field, good or bad.
const fieldValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    null,
    '',
    '2026-03-01T10:00:00Z',
    '2026-03-01T10:00:00',
    1_772_359_200_000,
    1.5,
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '1e400',
    '0.0000001',
    '__proto__',
  ),
);

describe('validateEvent under fuzzing', () => {
  it('never throws on arbitrary JSON and explains every refusal', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        checkOutcome(validateEvent(input));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on mutated valid events and explains every refusal', () => {
    const mutation = fc.record({
      type: fc.constantFrom(...EVENT_TYPES),
      edits: fc.array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom('type', 'id', 'tenant', 'ts', 'amount', 'count', 'status', 'closedAt'),
            fc.constantFrom('joinDate', 'properties', 'attributes', 'issuedAt', 'action'),
            fc.string(),
          ),
          fc.option(fieldValue, { nil: undefined }),
        ),
        { maxLength: 4 },
      ),
      tenant: fc.option(fc.constantFrom('acme', 'globex', 'Bad Tenant'), { nil: undefined }),
    });
    fc.assert(
      fc.property(mutation, ({ type, edits, tenant }) => {
        const event = validEvents()[type];
        for (const [key, value] of edits) {
          if (value === undefined) Reflect.deleteProperty(event, key);
          else Object.defineProperty(event, key, { value, enumerable: true, writable: true });
        }
        const result = validateEvent(event, tenant === undefined ? {} : { tenant });
        checkOutcome(result);
        // Whatever is accepted is a record avsc can encode.
        if (result.ok) expect(result.event.type).toBe(result.type);
      }),
      { numRuns: 2000 },
    );
  });
});
