import { useId, type InputHTMLAttributes, type ReactNode } from "react";

/** A checkbox with its label (and an optional hint) beside it. */
export function Checkbox({
  label,
  hint,
  ...input
}: Omit<InputHTMLAttributes<HTMLInputElement>, "type"> & { label: ReactNode; hint?: ReactNode }) {
  const id = useId();
  return (
    <div className="flex items-start gap-2">
      <input id={id} type="checkbox" className="mt-0.5 h-4 w-4 shrink-0 accent-accent" {...input} />
      <label htmlFor={id} className="text-sm text-ink">
        {label}
        {hint && <span className="block text-xs text-muted">{hint}</span>}
      </label>
    </div>
  );
}

/** Related checkboxes under a legend, with the server's message for the whole set below them. */
export function CheckboxGroup({
  legend,
  error,
  children,
  className = "",
}: {
  legend: string;
  error?: string | undefined;
  children: ReactNode;
  className?: string;
}) {
  const id = useId();
  return (
    <fieldset aria-describedby={error ? id : undefined} className={`flex flex-col gap-2 ${className}`}>
      <legend className="mb-1 text-sm font-medium text-ink">{legend}</legend>
      {children}
      {error && (
        <p id={id} className="text-xs text-bad">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** Adds or removes `value` from a list of checked values. */
export function toggled(values: readonly string[], value: string, checked: boolean): string[] {
  return checked ? [...new Set([...values, value])] : values.filter((v) => v !== value);
}
