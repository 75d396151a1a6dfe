import { Badge } from "../../components/Page";
import { barPercent, statusLabel, statusTone } from "./jobs";
import type { ScanJob } from "./types";

export function ScanStatusBadge({ status }: { status: string }) {
  return <Badge tone={statusTone(status)}>{statusLabel(status)}</Badge>;
}

/** A job's progress as a bar with its percentage; the width is set through CSSOM (CSP-safe). */
export function ProgressBar({
  job,
  className = "",
}: {
  job: Pick<ScanJob, "id" | "status" | "progress">;
  className?: string;
}) {
  const percent = barPercent(job);
  const tone = job.status === "failed" ? "bg-bad" : job.status === "cancelled" ? "bg-muted" : "bg-accent";
  return (
    <div className={`flex items-center gap-2 ${className}`}>
      <div
        role="progressbar"
        aria-label={`Progress of scan ${job.id}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent.toFixed(1)}%`}
        className="h-2 min-w-16 flex-1 overflow-hidden rounded-full bg-raised"
      >
        <div className={`h-full rounded-full transition-[width] duration-500 ${tone}`} style={{ width: `${percent}%` }} />
      </div>
      <span className="w-12 text-right text-xs tabular-nums text-muted">{percent.toFixed(percent === 100 ? 0 : 1)}%</span>
    </div>
  );
}
