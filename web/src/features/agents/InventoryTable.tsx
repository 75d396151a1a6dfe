import { useDeferredValue, useMemo, useState } from "react";
import { TextField } from "../../components/Field";
import { EmptyState } from "../../components/States";
import { formatCount } from "./formatCount";
import { searchRows, sortRows, type CellValue } from "./sortRows";
import { VirtualGrid, nextSort, type GridColumn, type GridSort } from "./VirtualGrid";

/** A column of an inventory table; `value` is what it sorts and searches by. */
export interface InventoryColumn<T> extends GridColumn<T> {
  value: (row: T) => CellValue;
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

  if (rows.length === 0) return <EmptyState title={`No ${plural} reported`}>{empty}</EmptyState>;
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
        <p role="status" className="text-sm text-muted">
          {formatCount(shown.length, rows.length, singular, plural)}
        </p>
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
