import { useId, type ReactNode } from "react";

/** One option of a radio group drawn as a card: its name, and a line saying what it means. A
 * disabled card is dimmed; the group says why. */
export function RadioCard({
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
