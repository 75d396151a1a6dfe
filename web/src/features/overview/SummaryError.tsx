import { ApiError } from "../../api/errors";
import { EmptyState, ErrorState } from "../../components/States";

/** Why the events summary is missing. A 404 means a server from before the summary route: that is
 * no failure to retry, so it is said plainly instead of showing the server's "no such path". */
export function SummaryError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  if (error instanceof ApiError && error.status === 404) {
    return (
      <EmptyState title="Event statistics are not available">
        This server does not offer the events summary yet; it appears after a server update.
      </EmptyState>
    );
  }
  return <ErrorState error={error} onRetry={onRetry} />;
}
