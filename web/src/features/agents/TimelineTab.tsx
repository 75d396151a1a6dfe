import { useMemo, useState } from "react";
import { Button } from "../../components/Button";
import { SelectField } from "../../components/Field";
import { Badge } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { formatAgo, formatTime } from "../../lib/time";
import { useChanges } from "./api";
import { describeChange } from "./changeText";
import { groupChanges, type TimelineGroup } from "./timelineGroups";

const sections = [
  { value: "", label: "All sections" },
  { value: "packages", label: "Packages" },
  { value: "listening", label: "Listening ports" },
  { value: "users", label: "Users" },
  { value: "groups", label: "Groups" },
  { value: "sessions", label: "Sessions" },
  { value: "processes", label: "Processes" },
  { value: "disks", label: "Disks" },
  { value: "interfaces", label: "Network interfaces" },
  { value: "system", label: "System" },
];

const sectionName = (section: string) => sections.find((s) => s.value === section)?.label ?? section;

/** The agent's inventory changes, newest first, as sentences; older ones a page at a time. */
export function TimelineTab({ agentId }: { agentId: string }) {
  const [section, setSection] = useState("");
  const changes = useChanges(agentId, section);
  const items = useMemo(() => changes.data?.pages.flat() ?? [], [changes.data]);
  const groups = useMemo(() => groupChanges(items), [items]);
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="w-full sm:w-64">
          <SelectField label="Section" value={section} onChange={(event) => setSection(event.target.value)}>
            {sections.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </SelectField>
        </div>
        <Button
          variant="ghost"
          busy={changes.isFetching && !changes.isFetchingNextPage}
          onClick={() => void changes.refetch()}
        >
          Refresh
        </Button>
      </div>
      {changes.isPending ? (
        <Loading label="Loading changes" />
      ) : changes.isError && items.length === 0 ? (
        <ErrorState error={changes.error} onRetry={() => void changes.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No changes recorded">
          The first inventory of each section is the baseline; what changes after it appears here.
        </EmptyState>
      ) : (
        <>
          <ol aria-label="Inventory changes" className="divide-y divide-line rounded-lg border border-line bg-panel">
            {groups.map((group) => (
              <Entry key={group.key} group={group} />
            ))}
          </ol>
          {changes.hasNextPage && (
            <div>
              <Button busy={changes.isFetchingNextPage} onClick={() => void changes.fetchNextPage()}>
                Load older changes
              </Button>
            </div>
          )}
        </>
      )}
    </div>
  );
}

function Entry({ group }: { group: TimelineGroup }) {
  return (
    <li className="flex flex-col gap-1 px-4 py-2.5 sm:flex-row sm:items-baseline sm:gap-4">
      <time
        dateTime={group.time}
        title={formatAgo(group.time)}
        className="shrink-0 font-mono text-xs text-muted tabular-nums sm:w-40"
      >
        {formatTime(group.time)}
      </time>
      {group.folded ? (
        <details className="min-w-0 flex-1 text-sm">
          <summary className="cursor-pointer">{group.summary}</summary>
          <ul className="mt-1 flex flex-col gap-0.5 pl-4 text-muted">
            {group.changes.map((change) => (
              <li key={change.id} className="break-words">
                {describeChange(change)}
              </li>
            ))}
          </ul>
        </details>
      ) : (
        <ul className="min-w-0 flex-1 text-sm">
          {group.changes.map((change) => (
            <li key={change.id} className="break-words">
              {describeChange(change)}
            </li>
          ))}
        </ul>
      )}
      <span className="shrink-0">
        <Badge>{sectionName(group.section)}</Badge>
      </span>
    </li>
  );
}
