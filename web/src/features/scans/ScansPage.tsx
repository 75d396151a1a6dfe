import { useState } from "react";
import { useSearchParams } from "react-router";
import { Button } from "../../components/Button";
import { SelectField } from "../../components/Field";
import { Page, Panel } from "../../components/Page";
import { Pager } from "../../components/Pager";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { useNow } from "../../lib/useNow";
import { useCan } from "../auth/session";
import { useScanList, useScansLive } from "./api";
import { scanStatuses, statusLabel } from "./jobs";
import { NewScanDialog } from "./NewScanDialog";
import { ScanTable } from "./ScanTable";
import type { ScanStatus } from "./types";

const pageSize = 50;

/** Scan jobs with live progress; New scan and Cancel for scans:write. */
export function ScansPage() {
  const canRead = useCan("scans:read");
  const canWrite = useCan("scans:write");
  const [dialogOpen, setDialogOpen] = useState(false);
  return (
    <Page
      title="Scans"
      actions={
        canRead && canWrite ? (
          <Button variant="primary" onClick={() => setDialogOpen(true)}>
            New scan
          </Button>
        ) : undefined
      }
    >
      {canRead ? (
        <ScanList canWrite={canWrite} />
      ) : (
        <EmptyState title="Your role cannot see scans.">It needs the permission scans:read.</EmptyState>
      )}
      {canWrite && <NewScanDialog open={dialogOpen} onClose={() => setDialogOpen(false)} />}
    </Page>
  );
}

/** The status filter and the page live in the URL (?status=&offset=). */
interface ListParams {
  status: ScanStatus | undefined;
  offset: number;
}

function useListParams(): [ListParams, (change: { status?: string; offset?: number }) => void] {
  const [params, setParams] = useSearchParams();
  const statusText = params.get("status") ?? "";
  const status = (scanStatuses as readonly string[]).includes(statusText) ? (statusText as ScanStatus) : undefined;
  const offset = Math.max(0, Number.parseInt(params.get("offset") ?? "0", 10) || 0);
  const update = (change: { status?: string; offset?: number }) => {
    const next = { status: change.status ?? status ?? "", offset: change.offset ?? 0 };
    const search = new URLSearchParams();
    if (next.status) search.set("status", next.status);
    if (next.offset > 0) search.set("offset", String(next.offset));
    setParams(search, { replace: true });
  };
  return [{ status, offset }, update];
}

function ScanList({ canWrite }: { canWrite: boolean }) {
  const [{ status, offset }, setParams] = useListParams();
  const list = useScanList({ status, offset, limit: pageSize });
  const now = useNow(30_000);
  useScansLive();

  return (
    <Panel>
      <div className="flex flex-col gap-3">
        <div className="max-w-xs">
          <SelectField label="Status" value={status ?? ""} onChange={(event) => setParams({ status: event.target.value })}>
            <option value="">All</option>
            {scanStatuses.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </SelectField>
        </div>
        {list.isPending ? (
          <Loading label="Loading scans" />
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : list.data.items.length === 0 ? (
          offset > 0 ? (
            <EmptyState title="No scans on this page">
              <Button onClick={() => setParams({ offset: 0 })}>First page</Button>
            </EmptyState>
          ) : (
            <EmptyState title={status ? `No ${statusLabel(status).toLowerCase()} scans` : "No scans yet"}>
              {canWrite
                ? "Start one with New scan; its progress shows here live."
                : "Scans started by others show here live."}
            </EmptyState>
          )
        ) : (
          <>
            <ScanTable jobs={list.data.items} now={now} canCancel={canWrite} />
            <Pager
              offset={offset}
              shown={list.data.items.length}
              total={list.data.total}
              pageSize={pageSize}
              noun="scans"
              onOffset={(next) => setParams({ offset: next })}
            />
          </>
        )}
      </div>
    </Panel>
  );
}
