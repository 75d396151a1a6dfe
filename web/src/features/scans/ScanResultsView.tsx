import { useState } from "react";
import { TextField } from "../../components/Field";
import { Pager } from "../../components/Pager";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { cellClass, Table, Td, Th } from "../../components/Table";
import { formatTime } from "../../lib/time";
import { useScanResults } from "./api";
import { isActive } from "./jobs";
import { offsetWithin, scanPageSize } from "./paging";
import { countPorts, filterHosts, foundText, osText, portGuess, productText } from "./results";
import { ScriptOutputs } from "./ScriptOutputs";
import type { ScanHost, ScanJob, ScanPort } from "./types";

/** A port row's cells when its scripts' row follows, and that row's: one line below both. */
const tdAbove = "px-3 pt-2 pb-1 align-top";
const tdBelow = "border-b border-line px-3 pb-2 align-top";

const plural = (count: number, one: string, many: string) => `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;

/** Hosts (with nmap's OS guess and host scripts) → open ports → service, product and version
 * (with nmap's port scripts), a page of hosts at a time in address order, with a filter box over
 * the page shown. While the job runs the results so far show, refreshed as it finds more. */
export function ScanResultsView({ job }: { job: ScanJob }) {
  const [offset, setOffset] = useState(0);
  const results = useScanResults(String(job.id), { offset, limit: scanPageSize });
  const [filter, setFilter] = useState("");

  if (results.isPending) return <Loading label="Loading results" />;
  if (results.isError) return <ErrorState error={results.error} onRetry={() => void results.refetch()} />;
  const { hosts, total } = results.data;
  if (total === 0) {
    return (
      <EmptyState title={isActive(job.status) ? "Nothing found yet" : "No host answered"}>
        {isActive(job.status)
          ? "Hosts and open ports show here as the scan finds them."
          : "None of the targets answered on the ports scanned."}
      </EmptyState>
    );
  }
  const shown = filterHosts(hosts, filter);
  const paged = total > hosts.length;
  const ports = (count: number) => plural(count, "open port", "open ports");
  const found = `${plural(results.data.hosts_up, "host", "hosts")} up, ${ports(results.data.open_ports)}`;
  const matching = `${plural(shown.length, "host", "hosts")} and ${ports(countPorts(shown))} ${paged ? "on this page " : ""}match`;
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="w-full max-w-md">
          <TextField
            label={paged ? "Filter this page" : "Filter results"}
            type="search"
            placeholder="Address, MAC, port, service, product, script…"
            autoComplete="off"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
          />
        </div>
        <p className="text-sm text-muted" aria-live="polite">
          {filter.trim() ? matching : found}
          {isActive(job.status) && " so far"}
        </p>
      </div>
      {shown.length === 0 ? (
        <EmptyState
          title={
            hosts.length === 0
              ? "No hosts on this page"
              : paged
                ? "Nothing on this page matches the filter"
                : "Nothing matches the filter"
          }
        />
      ) : (
        <Table label="Scan results">
          <thead>
            <tr>
              <Th>Port</Th>
              <Th>Service</Th>
              <Th>Product and version</Th>
              <Th>TLS</Th>
            </tr>
          </thead>
          {shown.map((host) => (
            <HostRows key={host.address} host={host} />
          ))}
        </Table>
      )}
      {paged || offset > 0 ? (
        <Pager
          offset={offset}
          shown={hosts.length}
          total={total}
          pageSize={scanPageSize}
          noun="hosts"
          onOffset={(next) => setOffset(offsetWithin(next, total, scanPageSize))}
        />
      ) : null}
    </div>
  );
}

function HostRows({ host }: { host: ScanHost }) {
  const os = osText(host);
  const found = foundText(host);
  return (
    <tbody>
      <tr className="bg-raised">
        <th scope="rowgroup" colSpan={4} className="px-3 py-2 text-left font-normal">
          <span className="font-mono font-medium text-ink">{host.address}</span>
          {host.hostnames.length > 0 && <span className="ml-2 text-muted">{host.hostnames.join(", ")}</span>}
          <span className="ml-2 text-xs text-muted">{plural(host.ports.length, "open port", "open ports")}</span>
          {found && <span className="ml-2 text-xs text-muted">{found}</span>}
          {os && <span className="ml-2 text-xs text-ink">OS: {os}</span>}
        </th>
      </tr>
      {host.scripts.length > 0 && (
        <tr>
          <Td colSpan={4}>
            <ScriptOutputs scripts={host.scripts} label={`Host scripts of ${host.address}`} />
          </Td>
        </tr>
      )}
      {host.ports.length === 0 ? (
        <tr>
          <Td colSpan={4} className="text-muted">
            {host.reason ? "Up" : "Answered"}, with no open port among those scanned.
          </Td>
        </tr>
      ) : (
        host.ports.map((port) => <PortRows key={`${port.protocol}/${port.port}`} port={port} />)
      )}
    </tbody>
  );
}

function PortRows({ port }: { port: ScanPort }) {
  const scripts = port.scripts.length > 0;
  return (
    <>
      <PortRow port={port} cell={scripts ? tdAbove : cellClass} />
      {scripts && (
        <tr>
          <td className={tdBelow} />
          <td colSpan={3} className={tdBelow}>
            <ScriptOutputs scripts={port.scripts} label={`Scripts of port ${port.port}/${port.protocol}`} />
          </td>
        </tr>
      )}
    </>
  );
}

function PortRow({ port, cell }: { port: ScanPort; cell: string }) {
  const product = productText(port.service);
  const guess = portGuess(port);
  return (
    <tr>
      <td className={`${cell} font-mono tabular-nums`}>
        {port.port}/{port.protocol}
      </td>
      <td className={cell}>
        {port.service?.service ?? (guess ? null : <span className="text-muted">unknown</span>)}
        {port.tunnel && <span className="ml-1 text-xs text-muted">over {port.tunnel.toUpperCase()}</span>}
        {guess && (
          <span
            className={`text-muted ${port.service ? "ml-1" : ""}`}
            title={`Not identified; nmap-services calls port ${port.port}/${port.protocol} ${guess}`}
          >
            {port.service ? "· " : ""}
            {guess}?
          </span>
        )}
      </td>
      <td className={`${cell} max-w-md`}>
        {product || <span className="text-muted">—</span>}
        {port.service && port.service.cpe.length > 0 && (
          <p className="truncate font-mono text-xs text-muted" title={port.service.cpe.join(" ")}>
            {port.service.cpe.join(" ")}
          </p>
        )}
      </td>
      <td className={`${cell} max-w-xs`}>
        {port.tls ? (
          <>
            <p className="truncate" title={port.tls.subject}>
              {port.tls.subject || "—"}
            </p>
            <p className="text-xs text-muted">
              expires {formatTime(port.tls.not_after)}
              {port.tls.self_signed && " · self-signed"}
              {port.tls.versions_accepted.length > 0 && ` · ${port.tls.versions_accepted.join(", ")}`}
            </p>
          </>
        ) : (
          <span className="text-muted">—</span>
        )}
      </td>
    </tr>
  );
}
