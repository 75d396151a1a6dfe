// Sorting and searching the inventory tables (packages, processes, ports, users) in the browser.

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

export type CellValue = string | number | null | undefined;

/** `rows` ordered by `value` (numbers by size, text as people read it, empty last), stable. */
export function sortRows<T>(rows: readonly T[], value: (row: T) => CellValue, descending: boolean): T[] {
  const direction = descending ? -1 : 1;
  const keyed = rows.map((row, index) => ({ row, index, value: value(row) }));
  keyed.sort((a, b) => {
    const aEmpty = a.value === null || a.value === undefined || a.value === "";
    const bEmpty = b.value === null || b.value === undefined || b.value === "";
    if (aEmpty || bEmpty) return aEmpty === bEmpty ? a.index - b.index : aEmpty ? 1 : -1;
    const order =
      typeof a.value === "number" && typeof b.value === "number"
        ? a.value - b.value
        : collator.compare(String(a.value), String(b.value));
    return order * direction || a.index - b.index;
  });
  return keyed.map((entry) => entry.row);
}

/** The rows where any of `fields` contains `search` (case-insensitive); all rows for no search. */
export function searchRows<T>(rows: readonly T[], search: string, fields: (row: T) => CellValue[]): readonly T[] {
  const needle = search.trim().toLowerCase();
  if (!needle) return rows;
  return rows.filter((row) =>
    fields(row).some((field) => field !== null && field !== undefined && String(field).toLowerCase().includes(needle)),
  );
}
