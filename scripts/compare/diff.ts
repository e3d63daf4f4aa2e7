// Row-by-row diff of one view: rows keyed by the view's natural key, every compared column
// normalised by its kind (normalise.ts), then a per-view summary with the first differing rows.
import { cellsAgree, isZeroCell, normaliseCell, type Cell, type ColumnKind } from './normalise.js';

export interface ViewShape {
  /** The report's name for it, e.g. `module_usage(2026-01-01 … 2026-01-10)`. */
  readonly name: string;
  /** Column → kind, for every compared column (view columns not listed are not compared). */
  readonly columns: Readonly<Record<string, ColumnKind>>;
  /** The columns that identify a row (all listed in `columns`). */
  readonly key: readonly string[];
  /**
   * A row whose non-key cells are all zero may be absent on either side (account_financials:
   * the reference lists every account it knows, the view the accounts with figures).
   */
  readonly zeroRowsOptional?: boolean;
}

export type NormalRow = Readonly<Record<string, Cell>>;

export interface RowDifference {
  readonly key: string;
  readonly columns: readonly string[];
  readonly view: NormalRow;
  readonly reference: NormalRow;
}

export interface ViewDiff {
  readonly name: string;
  readonly viewRows: number;
  readonly referenceRows: number;
  readonly matched: number;
  /** All-zero rows present on one side only, accepted (zeroRowsOptional). */
  readonly zeroRowsSkipped: number;
  readonly onlyInView: readonly NormalRow[];
  readonly onlyInReference: readonly NormalRow[];
  readonly differing: readonly RowDifference[];
}

export const viewMatches = (diff: ViewDiff): boolean =>
  diff.onlyInView.length === 0 && diff.onlyInReference.length === 0 && diff.differing.length === 0;

function normaliseRow(shape: ViewShape, row: object): NormalRow {
  const source = row as Record<string, unknown>;
  const out: Record<string, Cell> = {};
  for (const [column, kind] of Object.entries(shape.columns)) {
    try {
      out[column] = normaliseCell(kind, source[column]);
    } catch (error: unknown) {
      throw new Error(`${shape.name}.${column}: ${(error as Error).message}`, { cause: error });
    }
  }
  return out;
}

function keyed(shape: ViewShape, rows: readonly object[], side: string): Map<string, NormalRow> {
  const map = new Map<string, NormalRow>();
  for (const row of rows) {
    const normal = normaliseRow(shape, row);
    const key = JSON.stringify(shape.key.map((column) => normal[column] ?? null));
    // A repeated key is itself a finding (e.g. a session the views failed to net): keep both.
    const unique = map.has(key) ? `${key}#dup${String(map.size)}(${side})` : key;
    map.set(unique, normal);
  }
  return map;
}

function allZero(shape: ViewShape, row: NormalRow): boolean {
  return Object.keys(shape.columns)
    .filter((column) => !shape.key.includes(column))
    .every((column) => isZeroCell(row[column] ?? null));
}

export function diffView(
  shape: ViewShape,
  viewRows: readonly object[],
  referenceRows: readonly object[],
): ViewDiff {
  const view = keyed(shape, viewRows, 'view');
  const reference = keyed(shape, referenceRows, 'reference');
  const onlyInView: NormalRow[] = [];
  const onlyInReference: NormalRow[] = [];
  const differing: RowDifference[] = [];
  let matched = 0;
  let zeroRowsSkipped = 0;
  const oneSided = (row: NormalRow, into: NormalRow[]): void => {
    if (shape.zeroRowsOptional === true && allZero(shape, row)) zeroRowsSkipped++;
    else into.push(row);
  };
  for (const [key, viewRow] of view) {
    const referenceRow = reference.get(key);
    if (referenceRow === undefined) {
      oneSided(viewRow, onlyInView);
      continue;
    }
    const columns = Object.entries(shape.columns)
      .filter(
        ([column, kind]) =>
          !cellsAgree(kind, viewRow[column] ?? null, referenceRow[column] ?? null),
      )
      .map(([column]) => column);
    if (columns.length === 0) matched++;
    else differing.push({ key, columns, view: viewRow, reference: referenceRow });
  }
  for (const [key, referenceRow] of reference) {
    if (!view.has(key)) oneSided(referenceRow, onlyInReference);
  }
  return {
    name: shape.name,
    viewRows: viewRows.length,
    referenceRows: referenceRows.length,
    matched,
    zeroRowsSkipped,
    onlyInView,
    onlyInReference,
    differing,
  };
}

const show = (row: NormalRow): string => JSON.stringify(row);

/** A human-readable report: one summary line per view, then up to `limit` examples of each kind. */
export function formatReport(diffs: readonly ViewDiff[], limit = 5): string {
  const lines: string[] = [];
  for (const diff of diffs) {
    const ok = viewMatches(diff);
    const counts =
      `view ${String(diff.viewRows)} rows, reference ${String(diff.referenceRows)}, ` +
      `${String(diff.matched)} match` +
      (diff.zeroRowsSkipped > 0 ? `, ${String(diff.zeroRowsSkipped)} all-zero one-sided` : '');
    lines.push(`${ok ? 'MATCH   ' : 'MISMATCH'} ${diff.name}: ${counts}`);
    if (ok) continue;
    lines.push(
      `         ${String(diff.differing.length)} differ, ${String(diff.onlyInView.length)} only in view, ` +
        `${String(diff.onlyInReference.length)} only in reference`,
    );
    for (const d of diff.differing.slice(0, limit)) {
      lines.push(`    ≠ ${d.key} [${d.columns.join(', ')}]`);
      for (const column of d.columns) {
        lines.push(
          `        ${column}: view ${JSON.stringify(d.view[column] ?? null)} | reference ${JSON.stringify(
            d.reference[column] ?? null,
          )}`,
        );
      }
    }
    for (const row of diff.onlyInView.slice(0, limit)) lines.push(`    + view only: ${show(row)}`);
    for (const row of diff.onlyInReference.slice(0, limit)) {
      lines.push(`    - reference only: ${show(row)}`);
    }
  }
  return lines.join('\n');
}
