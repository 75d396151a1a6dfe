import { scriptView } from "./results";
import type { ScriptOutput } from "./types";

const outputClass =
  "mt-1 max-w-4xl border-l-2 border-line pl-2 font-mono text-xs whitespace-pre-wrap text-ink wrap-anywhere";

/** nmap's script outputs as text (never markup), line breaks kept; a long one shows its first
 * line until opened. */
export function ScriptOutputs({ scripts, label }: { scripts: readonly ScriptOutput[]; label: string }) {
  return (
    <ul aria-label={label} className="flex flex-col gap-2">
      {scripts.map((script, index) => {
        const view = scriptView(script);
        return (
          <li key={`${script.id}-${index}`} className="min-w-0">
            {view.long ? (
              <details>
                <summary className="max-w-4xl cursor-pointer text-xs wrap-anywhere">
                  <span className="font-mono font-medium whitespace-nowrap text-ink">{script.id}</span>
                  <span className="ml-2 text-muted">
                    {view.firstLine}
                    {view.lines > 1 && ` · ${view.lines.toLocaleString("en-US")} lines`}
                  </span>
                </summary>
                <pre className={outputClass}>{view.text}</pre>
              </details>
            ) : (
              <>
                <span className="font-mono text-xs font-medium text-ink">{script.id}</span>
                {view.text ? (
                  <pre className={outputClass}>{view.text}</pre>
                ) : (
                  <span className="ml-2 text-xs text-muted">no output</span>
                )}
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}
