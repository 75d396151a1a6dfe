import type { ReactNode } from "react";
import { useSearchParams } from "react-router";
import { Tabs } from "../../components/Tabs";
import { ErrorState, Loading } from "../../components/States";
import { formatTime } from "../../lib/time";
import { useInventorySection, usePackages } from "./api";
import { InventoryTable, type InventoryColumn } from "./InventoryTable";
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

function Loaded<T>({ query, children }: { query: { data?: T; error: unknown; isPending: boolean; refetch: () => unknown }; children: (data: T) => ReactNode }) {
  if (query.isPending) return <Loading />;
  if (query.data === undefined) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}

const mono = (text: string) => <span className="font-mono text-xs">{text}</span>;

const packageColumns: InventoryColumn<PackageItem>[] = [
  { id: "name", title: "Name", width: "minmax(14rem, 2fr)", sortable: true, value: (p) => p.name, cell: (p) => <span title={p.name}>{p.name}</span> },
  { id: "version", title: "Version", width: "minmax(12rem, 2fr)", sortable: true, value: (p) => p.version, cell: (p) => <span title={p.version}>{mono(p.version)}</span> },
  { id: "arch", title: "Arch", width: "7rem", sortable: true, value: (p) => p.arch, cell: (p) => p.arch },
  { id: "source", title: "Source", width: "6rem", sortable: true, value: (p) => p.source, cell: (p) => p.source },
];

function PackagesTab({ agentId }: { agentId: string }) {
  return (
    <Loaded query={usePackages(agentId)}>
      {(rows) => (
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
        />
      )}
    </Loaded>
  );
}

const processColumns: InventoryColumn<ProcessItem>[] = [
  { id: "pid", title: "PID", width: "5.5rem", sortable: true, value: (p) => p.pid, cell: (p) => p.pid },
  { id: "user", title: "User", width: "minmax(7rem, 1fr)", sortable: true, value: (p) => p.user, cell: (p) => p.user },
  { id: "name", title: "Name", width: "minmax(9rem, 1fr)", sortable: true, value: (p) => p.name, cell: (p) => p.name },
  {
    id: "cmdline",
    title: "Command line",
    width: "minmax(18rem, 4fr)",
    sortable: true,
    value: (p) => p.cmdline,
    cell: (p) => <span title={p.cmdline}>{mono(p.cmdline)}</span>,
  },
  {
    id: "start_time",
    title: "Started",
    width: "11rem",
    sortable: true,
    value: (p) => p.start_time,
    cell: (p) => formatTime(p.start_time * 1000),
  },
];

function ProcessesTab({ agentId }: { agentId: string }) {
  return (
    <Loaded query={useInventorySection<ProcessItem>(agentId, "processes")}>
      {(rows) => (
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
        />
      )}
    </Loaded>
  );
}

const hostPort = (p: ListeningItem) => (p.address.includes(":") ? `[${p.address}]` : p.address);

const listeningColumns: InventoryColumn<ListeningItem>[] = [
  { id: "protocol", title: "Protocol", width: "7.5rem", sortable: true, value: (p) => p.protocol, cell: (p) => p.protocol.toUpperCase() },
  { id: "address", title: "Address", width: "minmax(10rem, 2fr)", sortable: true, value: (p) => p.address, cell: (p) => mono(hostPort(p)) },
  { id: "port", title: "Port", width: "5.5rem", sortable: true, value: (p) => p.port, cell: (p) => p.port },
  { id: "process", title: "Process", width: "minmax(9rem, 2fr)", sortable: true, value: (p) => p.process, cell: (p) => p.process ?? "—" },
  { id: "pid", title: "PID", width: "5.5rem", sortable: true, value: (p) => p.pid, cell: (p) => p.pid ?? "—" },
  { id: "user", title: "User", width: "minmax(7rem, 1fr)", sortable: true, value: (p) => p.user, cell: (p) => p.user },
];

function ListeningTab({ agentId }: { agentId: string }) {
  return (
    <Loaded query={useInventorySection<ListeningItem>(agentId, "listening")}>
      {(rows) => (
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
        />
      )}
    </Loaded>
  );
}

const userColumns: InventoryColumn<UserItem>[] = [
  { id: "name", title: "Name", width: "minmax(9rem, 1fr)", sortable: true, value: (u) => u.name, cell: (u) => u.name },
  { id: "uid", title: "UID", width: "6rem", sortable: true, value: (u) => u.uid, cell: (u) => u.uid },
  { id: "gid", title: "GID", width: "6rem", sortable: true, value: (u) => u.gid, cell: (u) => u.gid },
  { id: "home", title: "Home", width: "minmax(10rem, 2fr)", sortable: true, value: (u) => u.home, cell: (u) => mono(u.home) },
  { id: "shell", title: "Shell", width: "minmax(9rem, 1fr)", sortable: true, value: (u) => u.shell, cell: (u) => mono(u.shell) },
];

function UsersTab({ agentId }: { agentId: string }) {
  return (
    <Loaded query={useInventorySection<UserItem>(agentId, "users")}>
      {(rows) => (
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
        />
      )}
    </Loaded>
  );
}
