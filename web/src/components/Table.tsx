import type { ReactNode, ThHTMLAttributes, TdHTMLAttributes } from "react";

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

/** A column heading. */
export function Th({ children, className = "", ...rest }: ThHTMLAttributes<HTMLTableCellElement>) {
  return (
    <th
      scope="col"
      className={`border-b border-line px-3 py-2 text-xs font-semibold tracking-wide text-muted uppercase ${className}`}
      {...rest}
    >
      {children}
    </th>
  );
}

/** A cell. */
export function Td({ children, className = "", ...rest }: TdHTMLAttributes<HTMLTableCellElement>) {
  return (
    <td className={`border-b border-line px-3 py-2 align-top ${className}`} {...rest}>
      {children}
    </td>
  );
}
