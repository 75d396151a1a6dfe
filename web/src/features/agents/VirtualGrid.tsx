import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, type ReactNode } from "react";

/** One column: its header, its CSS grid track ("minmax(10rem, 2fr)") and how a row shows in it. */
export interface GridColumn<T, K extends string = string> {
  id: K;
  title: string;
  width: string;
  sortable?: boolean;
  cell: (row: T) => ReactNode;
}

export interface GridSort<K extends string = string> {
  key: K;
  descending: boolean;
}

const ROW_HEIGHT = 40;
const HEADER_HEIGHT = 40;

/**
 * A table that renders only the rows in view, so that 10,000 rows cost what 30 do. ARIA grid
 * roles (grid, row, columnheader, gridcell, aria-rowcount, aria-rowindex) tell assistive
 * technology and tests the whole size and each row's place. Rows have one fixed height; cells
 * truncate. It scrolls in both directions inside its own box: the page never overflows.
 */
export function VirtualGrid<T, K extends string = string>({
  label,
  columns,
  rows,
  rowKey,
  sort,
  onSort,
  minWidth,
  maxHeight = "max(20rem, calc(100vh - 20rem))",
  empty,
  resetScrollKey,
}: {
  label: string;
  columns: readonly GridColumn<T, K>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  sort?: GridSort<K> | undefined;
  onSort?: ((key: K) => void) | undefined;
  /** Below this width the grid scrolls sideways instead of squeezing its columns. */
  minWidth: string;
  maxHeight?: string;
  /** Shown in place of rows when there are none. */
  empty?: ReactNode;
  /** When this changes (a new filter or sort), the grid scrolls back to its first row. */
  resetScrollKey?: unknown;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    scrollMargin: HEADER_HEIGHT,
    // Rows are drawn at first render, before the box has been measured.
    initialRect: { width: 1200, height: 800 },
    // React 19 warns about flushSync during rendering; fixed-height rows do not need it.
    useFlushSync: false,
  });

  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [resetScrollKey]);

  const template = columns.map((column) => column.width).join(" ");
  const line = { gridTemplateColumns: template, minWidth };

  return (
    <div
      ref={scroller}
      role="grid"
      aria-label={label}
      aria-rowcount={rows.length + 1}
      aria-colcount={columns.length}
      tabIndex={0}
      className="relative overflow-auto rounded-lg border border-line bg-panel"
      style={{ maxHeight }}
    >
      <div role="rowgroup" className="sticky top-0 z-10 border-b border-line bg-raised">
        <div role="row" aria-rowindex={1} className="grid items-center" style={{ ...line, height: HEADER_HEIGHT }}>
          {columns.map((column) => {
            const sorted = sort?.key === column.id;
            const ariaSort = !column.sortable ? undefined : sorted ? (sort.descending ? "descending" : "ascending") : "none";
            return (
              <div
                key={column.id}
                role="columnheader"
                aria-sort={ariaSort}
                className="truncate px-3 text-left text-xs font-semibold tracking-wide text-muted uppercase"
              >
                {column.sortable && onSort ? (
                  <button
                    type="button"
                    onClick={() => onSort(column.id)}
                    className="inline-flex items-center gap-1 uppercase hover:text-ink"
                  >
                    {column.title}
                    <span aria-hidden="true" className={sorted ? "text-ink" : "opacity-30"}>
                      {sorted && sort.descending ? "▼" : "▲"}
                    </span>
                  </button>
                ) : (
                  column.title
                )}
              </div>
            );
          })}
        </div>
      </div>
      <div
        role="rowgroup"
        className="relative"
        style={{ height: rows.length ? virtualizer.getTotalSize() : undefined, minWidth }}
      >
        {rows.length === 0 && empty !== undefined && (
          <div role="row" aria-rowindex={2} className="p-6" style={{ minWidth }}>
            <div role="gridcell" aria-colspan={columns.length} className="text-center text-sm text-muted">
              {empty}
            </div>
          </div>
        )}
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          if (row === undefined) return null;
          return (
            <div
              key={rowKey(row)}
              role="row"
              aria-rowindex={item.index + 2}
              className="absolute top-0 left-0 grid w-full items-center border-b border-line text-sm hover:bg-raised/60"
              style={{ ...line, height: ROW_HEIGHT, transform: `translateY(${item.start - HEADER_HEIGHT}px)` }}
            >
              {columns.map((column) => (
                <div key={column.id} role="gridcell" className="min-w-0 truncate px-3">
                  {column.cell(row)}
                </div>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** The next sort after a click on `key`: the same column flips, another starts ascending. */
export function nextSort<K extends string>(current: GridSort<K>, key: K): GridSort<K> {
  return current.key === key ? { key, descending: !current.descending } : { key, descending: false };
}
