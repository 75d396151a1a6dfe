import { useDeferredValue, useMemo, useState, type ReactNode } from "react";
import { Button } from "../../components/Button";
import { TextField } from "../../components/Field";
import { EmptyState } from "../../components/States";
import { formatCount } from "./formatCount";
import { searchRows, sortRows, type CellValue } from "./sortRows";
import { VirtualGrid, nextSort, type GridColumn, type GridSort } from "./VirtualGrid";

/** A column of an inventory table; `value` is what it sorts and searches by. */
export interface InventoryColumn<T> extends GridColumn<T> {
  value: (row: T) => CellValue;
}

/** A sortable column showing `value` (the whole text as a tooltip, as cells cut it off) or `cell`. */
export function column<T>(
  id: string,
  title: string,
  width: string,
  value: (row: T) => CellValue,
  cell?: (row: T) => ReactNode,
): InventoryColumn<T> {
  const text = (row: T) => {
    const shown = value(row);
    return shown === null || shown === undefined || shown === "" ? "—" : String(shown);
  };
  return { id, title, width, sortable: true, value, cell: cell ?? ((row) => <span title={text(row)}>{text(row)}</span>) };
}

/** Fetches the section again: process and disk changes raise no stream event, so a person asks. */
export interface Refresh {
  run: () => void;
  busy: boolean;
}

/**
 * One inventory section as a searchable, sortable, virtualised table (an agent can have thousands
 * of packages). `columns` must be a constant: the sorted rows are memoised on it.
 */
export function InventoryTable<T>({
  label,
  singular,
  plural,
  rows,
  columns,
  rowKey,
  initialSort,
  minWidth,
  empty,
  refresh,
}: {
  label: string;
  singular: string;
  plural: string;
  rows: readonly T[];
  columns: readonly InventoryColumn<T>[];
  rowKey: (row: T) => string;
  initialSort: GridSort;
  minWidth: string;
  empty: string;
  refresh: Refresh;
}) {
  const [search, setSearch] = useState("");
  const [sort, setSort] = useState(initialSort);
  const deferredSearch = useDeferredValue(search);
  const sorted = useMemo(() => {
    const column = columns.find((c) => c.id === sort.key);
    return column ? sortRows(rows, column.value, sort.descending) : rows;
  }, [rows, columns, sort]);
  const shown = useMemo(
    () => searchRows(sorted, deferredSearch, (row) => columns.map((column) => column.value(row))),
    [sorted, deferredSearch, columns],
  );

  if (rows.length === 0) {
    return (
      <EmptyState title={`No ${plural} reported`}>
        <p>{empty}</p>
        <Button variant="ghost" busy={refresh.busy} onClick={refresh.run} className="mt-2">
          Refresh
        </Button>
      </EmptyState>
    );
  }
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="w-full sm:w-72">
          <TextField
            label={`Search ${plural}`}
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            autoComplete="off"
          />
        </div>
        <div className="flex items-center gap-3">
          <p role="status" className="text-sm text-muted">
            {formatCount(shown.length, rows.length, singular, plural)}
          </p>
          <Button variant="ghost" busy={refresh.busy} onClick={refresh.run}>
            Refresh
          </Button>
        </div>
      </div>
      <VirtualGrid
        label={label}
        columns={columns}
        rows={shown}
        rowKey={rowKey}
        sort={sort}
        onSort={(key) => setSort((current) => nextSort(current, key))}
        minWidth={minWidth}
        maxHeight="max(18rem, calc(100vh - 24rem))"
        empty={`No ${plural} match “${deferredSearch.trim()}”.`}
        resetScrollKey={`${deferredSearch}|${sort.key}|${sort.descending}`}
      />
    </div>
  );
}
