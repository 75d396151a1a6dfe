import { useState } from "react";
import { TextField } from "../../components/Field";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { formatTime } from "../../lib/time";
import { useScanResults } from "./api";
import { isActive } from "./jobs";
import { countPorts, filterHosts, productText } from "./results";
import type { ScanHost, ScanJob, ScanPort } from "./types";

const th = "border-b border-line px-3 py-2 text-xs font-semibold tracking-wide text-muted uppercase";
const td = "border-b border-line px-3 py-2 align-top";

const plural = (count: number, one: string, many: string) => `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;

/** Hosts → open ports → service, product and version, with a filter box. While the job runs the
 * results so far show, refreshed as it finds more. */
export function ScanResultsView({ job }: { job: ScanJob }) {
  const results = useScanResults(String(job.id));
  const [filter, setFilter] = useState("");

  if (results.isPending) return <Loading label="Loading results" />;
  if (results.isError) return <ErrorState error={results.error} onRetry={() => void results.refetch()} />;
  const { hosts } = results.data;
  if (hosts.length === 0) {
    return (
      <EmptyState title={isActive(job.status) ? "Nothing found yet" : "No host answered"}>
        {isActive(job.status)
          ? "Hosts and open ports show here as the scan finds them."
          : "None of the targets answered on the ports scanned."}
      </EmptyState>
    );
  }
  const shown = filterHosts(hosts, filter);
  const ports = (count: number) => plural(count, "open port", "open ports");
  const found = `${plural(results.data.hosts_up, "host", "hosts")} up, ${ports(results.data.open_ports)}`;
  const matching = `${plural(shown.length, "host", "hosts")} and ${ports(countPorts(shown))} match`;
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="w-full max-w-md">
          <TextField
            label="Filter results"
            type="search"
            placeholder="Address, port, service, product…"
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
        <EmptyState title="Nothing matches the filter" />
      ) : (
        <div className="relative -mx-4 overflow-x-auto px-4">
          <table aria-label="Scan results" className="w-full min-w-max border-collapse text-left text-sm">
            <thead>
              <tr>
                <th scope="col" className={th}>Port</th>
                <th scope="col" className={th}>Service</th>
                <th scope="col" className={th}>Product and version</th>
                <th scope="col" className={th}>TLS</th>
              </tr>
            </thead>
            {shown.map((host) => (
              <HostRows key={host.address} host={host} />
            ))}
          </table>
        </div>
      )}
    </div>
  );
}

function HostRows({ host }: { host: ScanHost }) {
  return (
    <tbody>
      <tr className="bg-raised">
        <th scope="rowgroup" colSpan={4} className="px-3 py-2 text-left font-normal">
          <span className="font-mono font-medium text-ink">{host.address}</span>
          {host.hostnames.length > 0 && <span className="ml-2 text-muted">{host.hostnames.join(", ")}</span>}
          <span className="ml-2 text-xs text-muted">{plural(host.ports.length, "open port", "open ports")}</span>
        </th>
      </tr>
      {host.ports.length === 0 ? (
        <tr>
          <td colSpan={4} className={`${td} text-muted`}>
            Answered, with no open port among those scanned.
          </td>
        </tr>
      ) : (
        host.ports.map((port) => <PortRow key={`${port.protocol}/${port.port}`} port={port} />)
      )}
    </tbody>
  );
}

function PortRow({ port }: { port: ScanPort }) {
  const product = productText(port.service);
  return (
    <tr>
      <td className={`${td} font-mono tabular-nums`}>
        {port.port}/{port.protocol}
      </td>
      <td className={td}>
        {port.service?.service ?? <span className="text-muted">unknown</span>}
        {port.tunnel && <span className="ml-1 text-xs text-muted">over {port.tunnel.toUpperCase()}</span>}
      </td>
      <td className={`${td} max-w-md`}>
        {product || <span className="text-muted">—</span>}
        {port.service && port.service.cpe.length > 0 && (
          <p className="truncate font-mono text-xs text-muted" title={port.service.cpe.join(" ")}>
            {port.service.cpe.join(" ")}
          </p>
        )}
      </td>
      <td className={`${td} max-w-xs`}>
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
