import { createContext, useCallback, useContext, useState, type ReactNode } from "react";

type Tone = "info" | "success" | "error";
interface Toast {
  id: number;
  tone: Tone;
  text: string;
}

const ToastContext = createContext<((text: string, tone?: Tone) => void) | null>(null);

/** Short notices in a corner; errors stay until dismissed, others fade after five seconds. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const show = useCallback(
    (text: string, tone: Tone = "info") => {
      const id = Date.now() + Math.random();
      setToasts((all) => [...all.slice(-4), { id, tone, text }]);
      if (tone !== "error") setTimeout(() => dismiss(id), 5000);
    },
    [dismiss],
  );
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div className="fixed right-4 bottom-4 z-50 flex w-80 max-w-[calc(100vw-2rem)] flex-col gap-2">
        {toasts.map((toast) => (
          <div
            key={toast.id}
            role={toast.tone === "error" ? "alert" : "status"}
            className={`flex items-start gap-3 rounded-md border px-4 py-3 text-sm shadow-lg ${
              toast.tone === "error"
                ? "border-bad/40 bg-panel text-bad"
                : toast.tone === "success"
                  ? "border-ok/40 bg-panel text-ink"
                  : "border-line bg-panel text-ink"
            }`}
          >
            <span className="flex-1">{toast.text}</span>
            <button
              type="button"
              className="text-muted hover:text-ink"
              aria-label="Dismiss notification"
              onClick={() => dismiss(toast.id)}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

/** `toast(text, tone)` shows a notice. */
export function useToast() {
  const show = useContext(ToastContext);
  if (!show) throw new Error("useToast outside ToastProvider");
  return show;
}
