import { Panel } from "../../components/Page";
import { ErrorState, Loading } from "../../components/States";
import { useAuthSettings } from "./api";

function amount(value: number | undefined, unit: string): string {
  if (value === undefined) return "not reported by this server";
  return `${value} ${unit}${value === 1 ? "" : "s"}`;
}

/** How long sessions live. Read-only: the server config sets it, not the API. */
export function SessionLifetimeSection() {
  const settings = useAuthSettings();
  return (
    <Panel title="Sessions">
      {settings.isPending ? (
        <Loading label="Loading session settings" />
      ) : settings.isError ? (
        <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
      ) : (
        <div className="flex flex-col gap-3">
          <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
            <dt className="text-muted">Sign out after inactivity</dt>
            <dd className="font-medium">{amount(settings.data.session_idle_minutes, "minute")}</dd>
            <dt className="text-muted">Sign out at the latest after</dt>
            <dd className="font-medium">{amount(settings.data.session_absolute_hours, "hour")}</dd>
          </dl>
          <p className="text-xs text-muted">
            These are set in the server configuration (<code>auth.session_idle_minutes</code>,{" "}
            <code>auth.session_absolute_hours</code>) and take effect when the server restarts; they cannot be changed
            here.
          </p>
        </div>
      )}
    </Panel>
  );
}
