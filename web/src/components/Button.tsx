import type { ButtonHTMLAttributes } from "react";

type Variant = "primary" | "secondary" | "danger" | "ghost";

const variants: Record<Variant, string> = {
  primary: "bg-accent text-accent-ink hover:opacity-90",
  secondary: "border border-line bg-panel text-ink hover:bg-raised",
  danger: "bg-bad text-white hover:opacity-90",
  ghost: "text-muted hover:bg-raised hover:text-ink",
};

/** A button; `busy` disables it and says so to assistive technology. */
export function Button({
  variant = "secondary",
  busy = false,
  className = "",
  disabled,
  children,
  type = "button",
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; busy?: boolean }) {
  return (
    <button
      type={type}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      className={`inline-flex items-center justify-center gap-2 rounded-md px-3 py-1.5 text-sm font-medium transition disabled:cursor-not-allowed disabled:opacity-50 ${variants[variant]} ${className}`}
      {...rest}
    >
      {busy && <Spinner small />}
      {children}
    </button>
  );
}

/** A small rotating indicator for work in progress. */
export function Spinner({ small = false, label }: { small?: boolean; label?: string }) {
  return (
    <span
      role={label ? "status" : undefined}
      aria-label={label}
      className={`inline-block animate-spin rounded-full border-2 border-current border-r-transparent ${
        small ? "h-3.5 w-3.5" : "h-6 w-6"
      }`}
    />
  );
}
