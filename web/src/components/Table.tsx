import type { ReactNode, TdHTMLAttributes, ThHTMLAttributes } from "react";

const headingClass = "border-b border-line px-3 py-2 text-xs font-semibold tracking-wide text-muted uppercase";

/** A body cell's look, for a cell that takes its class as a value rather than being a `<Td>`. */
export const cellClass = "border-b border-line px-3 py-2 align-top";

const withClass = (base: string, extra: string | undefined) => (extra ? `${base} ${extra}` : base);

/** A real table that scrolls sideways inside its panel on narrow screens instead of the page
 * (`relative` keeps visually hidden headings, which are absolutely positioned, inside it too). */
export function Table({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="relative -mx-4 overflow-x-auto px-4">
      <table aria-label={label} className="w-full min-w-max border-collapse text-left text-sm">
        {children}
      </table>
    </div>
  );
}

/** A column heading; `className` adds to its look (e.g. `text-right`, a width). */
export function Th({ className, ...rest }: ThHTMLAttributes<HTMLTableCellElement>) {
  return <th scope="col" className={withClass(headingClass, className)} {...rest} />;
}

/** A body cell; `className` adds to its look. */
export function Td({ className, ...rest }: TdHTMLAttributes<HTMLTableCellElement>) {
  return <td className={withClass(cellClass, className)} {...rest} />;
}
