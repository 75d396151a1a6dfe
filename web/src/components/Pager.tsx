import { Button } from "./Button";

/** "1–50 of 123" with the previous and next pages. */
export function Pager({
  offset,
  shown,
  total,
  onOffset,
  noun = "alerts",
  pageSize,
}: {
  offset: number;
  shown: number;
  total: number;
  onOffset: (offset: number) => void;
  noun?: string;
  pageSize: number;
}) {
  const first = shown === 0 ? 0 : offset + 1;
  const last = offset + shown;
  return (
    <nav aria-label="Pages" className="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm">
      <p className="text-muted" aria-live="polite">
        {first.toLocaleString()}–{last.toLocaleString()} of {total.toLocaleString()} {noun}
      </p>
      <div className="flex gap-2">
        <Button disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - pageSize))}>
          Previous
        </Button>
        <Button disabled={last >= total} onClick={() => onOffset(offset + pageSize)}>
          Next
        </Button>
      </div>
    </nav>
  );
}
