import type { ReactNode } from "react";
import { useSearchParams } from "react-router";
import { Tabs } from "../../components/Tabs";
import { ErrorState, Loading } from "../../components/States";
import { formatTime } from "../../lib/time";
import { useInventorySection, usePackages } from "./api";
import { InventoryTable, column, type InventoryColumn, type Refresh } from "./InventoryTable";
import { TimelineTab } from "./TimelineTab";
import type { ListeningItem, PackageItem, ProcessItem, UserItem } from "./types";

const tabs = [
  { id: "packages", title: "Packages" },
  { id: "processes", title: "Processes" },
  { id: "listening", title: "Listening ports" },
  { id: "users", title: "Users" },
  { id: "timeline", title: "Timeline" },
] as const;

type TabId = (typeof tabs)[number]["id"];

const notYet = "The agent sends its inventory after it connects; it appears here when the server has it.";

/** The agent's inventory, one tab per section, and its change timeline. The tab is in the URL. */
export function InventoryTabs({ agentId }: { agentId: string }) {
  const [params, setParams] = useSearchParams();
  const requested = params.get("tab");
  const selected: TabId = tabs.find((tab) => tab.id === requested)?.id ?? "packages";
  const title = tabs.find((tab) => tab.id === selected)?.title ?? "";
  const select = (tab: TabId) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (tab === "packages") next.delete("tab");
        else next.set("tab", tab);
        return next;
      },
      { replace: true },
    );
  return (
    <section aria-label="Inventory" className="flex flex-col gap-4">
      <Tabs label="Inventory" tabs={tabs} selected={selected} onSelect={select} />
      <div role="tabpanel" aria-label={title}>
        {selected === "packages" && <PackagesTab agentId={agentId} />}
        {selected === "processes" && <ProcessesTab agentId={agentId} />}
        {selected === "listening" && <ListeningTab agentId={agentId} />}
        {selected === "users" && <UsersTab agentId={agentId} />}
        {selected === "timeline" && <TimelineTab agentId={agentId} />}
      </div>
    </section>
  );
}

interface SectionQuery<T> {
  data?: T;
  error: unknown;
  isPending: boolean;
  isFetching: boolean;
  refetch: () => unknown;
}

/** A tab's loading and error states; `children` gets the data and a way to fetch it again. */
function Loaded<T>({ query, children }: { query: SectionQuery<T>; children: (data: T, refresh: Refresh) => ReactNode }) {
  if (query.isPending) return <Loading />;
  if (query.data === undefined) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  return <>{children(query.data, { run: () => void query.refetch(), busy: query.isFetching })}</>;
}

// Versions, paths and command lines in a fixed-width face; the title shows what the cell cuts off.
const mono = (text: string) => (
  <span title={text} className="font-mono text-xs">
    {text}
  </span>
);

const packageColumns: InventoryColumn<PackageItem>[] = [
  column("name", "Name", "minmax(14rem, 2fr)", (p) => p.name),
  column("version", "Version", "minmax(12rem, 2fr)", (p) => p.version, (p) => mono(p.version)),
  column("arch", "Arch", "7rem", (p) => p.arch),
  column("source", "Source", "6rem", (p) => p.source),
];

function PackagesTab({ agentId }: { agentId: string }) {
  return (
    <Loaded query={usePackages(agentId)}>
      {(rows, refresh) => (
        <InventoryTable
          label="Packages"
          singular="package"
          plural="packages"
          rows={rows}
          columns={packageColumns}
          rowKey={(p) => `${p.name}:${p.arch}`}
          initialSort={{ key: "name", descending: false }}
          minWidth="36rem"
          empty={notYet}
          refresh={refresh}
        />
      )}
    </Loaded>
  );
}

const processColumns: InventoryColumn<ProcessItem>[] = [
  column("pid", "PID", "5.5rem", (p) => p.pid),
  column("user", "User", "minmax(7rem, 1fr)", (p) => p.user),
  column("name", "Name", "minmax(9rem, 1fr)", (p) => p.name),
  column("cmdline", "Command line", "minmax(18rem, 4fr)", (p) => p.cmdline, (p) => mono(p.cmdline)),
  column("start_time", "Started", "11rem", (p) => p.start_time, (p) => formatTime(p.start_time * 1000)),
];

function ProcessesTab({ agentId }: { agentId: string }) {
  return (
    <Loaded query={useInventorySection<ProcessItem>(agentId, "processes")}>
      {(rows, refresh) => (
        <InventoryTable
          label="Processes"
          singular="process"
          plural="processes"
          rows={rows}
          columns={processColumns}
          rowKey={(p) => `${p.pid}@${p.start_time}`}
          initialSort={{ key: "pid", descending: false }}
          minWidth="52rem"
          empty={notYet}
          refresh={refresh}
        />
      )}
    </Loaded>
  );
}

const hostAddress = (p: ListeningItem) => (p.address.includes(":") ? `[${p.address}]` : p.address);

const listeningColumns: InventoryColumn<ListeningItem>[] = [
  column("protocol", "Protocol", "7.5rem", (p) => p.protocol, (p) => p.protocol.toUpperCase()),
  column("address", "Address", "minmax(10rem, 2fr)", (p) => p.address, (p) => mono(hostAddress(p))),
  column("port", "Port", "5.5rem", (p) => p.port),
  column("process", "Process", "minmax(9rem, 2fr)", (p) => p.process),
  column("pid", "PID", "5.5rem", (p) => p.pid),
  column("user", "User", "minmax(7rem, 1fr)", (p) => p.user),
];

function ListeningTab({ agentId }: { agentId: string }) {
  return (
    <Loaded query={useInventorySection<ListeningItem>(agentId, "listening")}>
      {(rows, refresh) => (
        <InventoryTable
          label="Listening ports"
          singular="listening port"
          plural="listening ports"
          rows={rows}
          columns={listeningColumns}
          rowKey={(p) => `${p.protocol} ${p.address} ${p.port}`}
          initialSort={{ key: "port", descending: false }}
          minWidth="44rem"
          empty={notYet}
          refresh={refresh}
        />
      )}
    </Loaded>
  );
}

const userColumns: InventoryColumn<UserItem>[] = [
  column("name", "Name", "minmax(9rem, 1fr)", (u) => u.name),
  column("uid", "UID", "6rem", (u) => u.uid),
  column("gid", "GID", "6rem", (u) => u.gid),
  column("home", "Home", "minmax(10rem, 2fr)", (u) => u.home, (u) => mono(u.home)),
  column("shell", "Shell", "minmax(9rem, 1fr)", (u) => u.shell, (u) => mono(u.shell)),
];

function UsersTab({ agentId }: { agentId: string }) {
  return (
    <Loaded query={useInventorySection<UserItem>(agentId, "users")}>
      {(rows, refresh) => (
        <InventoryTable
          label="Users"
          singular="user"
          plural="users"
          rows={rows}
          columns={userColumns}
          rowKey={(u) => u.name}
          initialSort={{ key: "uid", descending: false }}
          minWidth="40rem"
          empty={notYet}
          refresh={refresh}
        />
      )}
    </Loaded>
  );
}
