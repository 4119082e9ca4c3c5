import { useMemo, useState, type ReactNode } from 'react';
import { formatValue, humanize } from '../format';

export interface Column<Row> {
  key: string;
  /** Heading; the humanized key when omitted. */
  label?: string;
  /** The cell; by default the row's field `key`, numbers formatted, nulls as an em dash. */
  render?: (row: Row) => ReactNode;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
  /** False: this heading does not sort, even in a sortable table. */
  sortable?: boolean;
  /** Extra class of the column's heading and cells. */
  className?: string;
}

export type SortOrder = { key: string; descending: boolean };

interface DataTableProps<Row> {
  rows: Row[];
  columns: Column<Row>[];
  rowKey: (row: Row) => string;
  testId: string;
  /** Clicking a heading sorts the rows shown by that field (again: the other way). */
  sortable?: boolean;
  /**
   * Sorting done elsewhere (the server, over more rows than shown): the order `rows` come in, and
   * what a heading click asks for instead of sorting here. Given `onSortOrderChange`, the table is
   * sortable and shows `rows` as they are.
   */
  sortOrder?: SortOrder | null;
  onSortOrderChange?: (order: SortOrder) => void;
  onRowClick?: (row: Row) => void;
  selectedRowKey?: string | null;
  emptyText?: string;
}

const fieldOf = (row: unknown, key: string) => (row as Record<string, unknown>)[key];

/** Nulls last whichever way; numbers by value, anything else as text. */
function compareFields(left: unknown, right: unknown): number {
  if (left === right) return 0;
  if (left === null || left === undefined) return 1;
  if (right === null || right === undefined) return -1;
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  return String(left).localeCompare(String(right));
}

/** The one table of the page: summary, trades and history all use it. */
export function DataTable<Row>(props: DataTableProps<Row>) {
  const { rows, columns, rowKey, testId, onSortOrderChange, onRowClick, selectedRowKey, emptyText } = props;
  const [localSortOrder, setLocalSortOrder] = useState<SortOrder | null>(null);
  const controlled = onSortOrderChange !== undefined;
  const sortable = controlled || props.sortable;
  const sortOrder = controlled ? (props.sortOrder ?? null) : localSortOrder;

  const shownRows = useMemo(() => {
    if (controlled || !sortOrder) return rows;
    const direction = sortOrder.descending ? -1 : 1;
    return [...rows].sort((a, b) => {
      const left = fieldOf(a, sortOrder.key);
      const right = fieldOf(b, sortOrder.key);
      const order = compareFields(left, right);
      return left === null || left === undefined || right === null || right === undefined ? order : order * direction;
    });
  }, [rows, sortOrder, controlled]);

  const sortBy = (key: string) => {
    const next = { key, descending: sortOrder?.key === key ? !sortOrder.descending : false };
    if (controlled) onSortOrderChange(next);
    else setLocalSortOrder(next);
  };

  return (
    <div className="table-scroll">
      <table className="data-table" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((column) => {
              const sortedHere = sortOrder?.key === column.key;
              const sortsHere = sortable && column.sortable !== false;
              return (
                <th
                  key={column.key}
                  data-column={column.key}
                  title={column.key}
                  className={[column.numeric ? 'numeric' : '', sortsHere ? 'sortable' : '', column.className ?? ''].join(' ')}
                  aria-sort={sortedHere ? (sortOrder.descending ? 'descending' : 'ascending') : undefined}
                  onClick={sortsHere ? () => sortBy(column.key) : undefined}
                >
                  {column.label ?? humanize(column.key)}
                  {sortedHere && (sortOrder.descending ? ' ▼' : ' ▲')}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {shownRows.length === 0 && (
            <tr>
              <td className="empty" colSpan={columns.length}>
                {emptyText ?? 'Nothing to show.'}
              </td>
            </tr>
          )}
          {shownRows.map((row) => {
            const key = rowKey(row);
            return (
              <tr
                key={key}
                data-row-key={key}
                className={[onRowClick ? 'clickable' : '', key === selectedRowKey ? 'selected' : ''].join(' ')}
                onClick={onRowClick ? () => onRowClick(row) : undefined}
              >
                {columns.map((column) => (
                  <td
                    key={column.key}
                    data-column={column.key}
                    className={[column.numeric ? 'numeric' : '', column.className ?? ''].join(' ').trim() || undefined}
                  >
                    {column.render ? column.render(row) : formatValue(fieldOf(row, column.key))}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
