import { useId, type ReactNode } from "react";

/** One option of a radio group drawn as a card: its name, and a line saying what it means. A
 * disabled card is dimmed; the group says why. */
function RadioCard({
  name,
  value,
  label,
  description,
  checked,
  disabled = false,
  onSelect,
}: {
  name: string;
  value: string;
  label: string;
  description: ReactNode;
  checked: boolean;
  disabled?: boolean;
  onSelect: () => void;
}) {
  const descriptionId = useId();
  return (
    <label
      className={`flex items-start gap-2 rounded-md border px-3 py-2 text-sm ${
        checked ? "border-accent bg-accent/5" : "border-line"
      } ${disabled ? "cursor-not-allowed opacity-50" : "cursor-pointer"}`}
    >
      <input
        type="radio"
        name={name}
        value={value}
        checked={checked}
        disabled={disabled}
        onChange={onSelect}
        aria-label={label}
        aria-describedby={descriptionId}
        className="mt-0.5 accent-accent"
      />
      <span>
        <span className="font-medium text-ink">{label}</span>
        <span id={descriptionId} className="block text-xs text-muted">
          {description}
        </span>
      </span>
    </label>
  );
}

export interface RadioCardOption<T extends string> {
  id: T;
  label: string;
  description: ReactNode;
}

const gridColumns = { 2: "sm:grid-cols-2", 3: "sm:grid-cols-3" } as const;

/** A labelled radio group of cards: its legend, one card per option, a hint and the server's
 * refusal below, both tied to the group for screen readers. */
export function RadioCardGroup<T extends string>({
  legend,
  name,
  options,
  value,
  onChange,
  columns = 2,
  isDisabled,
  hint,
  error,
}: {
  legend: string;
  name: string;
  options: readonly RadioCardOption<T>[];
  value: T;
  onChange: (value: T) => void;
  columns?: keyof typeof gridColumns;
  isDisabled?: (value: T) => boolean;
  hint?: ReactNode;
  error?: string;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter((part) => part).join(" ");
  return (
    <fieldset aria-describedby={described || undefined} className="flex flex-col gap-2">
      <legend className="mb-1 text-sm font-medium text-ink">{legend}</legend>
      <div className={`grid grid-cols-1 gap-2 ${gridColumns[columns]}`}>
        {options.map((option) => (
          <RadioCard
            key={option.id}
            name={name}
            value={option.id}
            label={option.label}
            description={option.description}
            checked={value === option.id}
            disabled={isDisabled?.(option.id) ?? false}
            onSelect={() => onChange(option.id)}
          />
        ))}
      </div>
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-muted">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-xs text-bad">
          {error}
        </p>
      )}
    </fieldset>
  );
}
