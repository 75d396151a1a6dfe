// Answers of /api/v1/scans and /api/v1/scan-scopes (src/scanner/scan_json.cpp) and the stream's
// "scan" messages ({"type":"scan","scan": ScanJob}).

export type ScanStatus = "queued" | "running" | "completed" | "cancelled" | "failed";
export type ScanProfile = "quick" | "standard" | "full";
/** Who runs a job: our own engine, or nmap (optional, when the server has it). */
export type ScanBackend = "engine" | "nmap";

/** The agents a job is split across (src/scanner: AgentSelection): those of a group, those named
 * by id, or those whose inventory interfaces sit in the target networks, each network's addresses
 * going only to the agents in it. Agents scan with our engine, never nmap. */
export type ScanAgents = { group: string } | { ids: string[] } | { networks: true };

/** What a nmap job runs besides its port scan and version detection (-sV). */
export interface NmapOptions {
  /** NSE script names or the categories default, safe, discovery, version. */
  scripts: string[];
  /** nmap -O; needs raw sockets on the server. */
  os_detection: boolean;
}

/** Counters as the job last wrote them (every 500 ms while it runs). */
export interface ScanProgress {
  /** 0 to 100, one decimal. */
  percent: number;
  /** Address × port pairs with a final state, of all. */
  pairs_done: number;
  pairs_total: number;
  /** Hosts whose every port has a final state. */
  hosts_done: number;
  hosts_total: number;
  open_found: number;
  /** Probes per second, one decimal. */
  rate: number;
  /** What a running job does now: "discovery", "ports", "services", "scripts" or "os"
   * (the last two for nmap jobs); null before it starts and once it ends. */
  phase: string | null;
}

/** One scan job. Times are ISO 8601 UTC. */
export interface ScanJob {
  id: number;
  /** "scan" for jobs started here, "import" for nmap XML imports. */
  source: string;
  status: ScanStatus;
  targets: string[];
  exclude: string[];
  /** The port spec scanned: "top100", "top1000", "all" or a list. */
  ports: string;
  /** Null for custom ports and imports. */
  profile: ScanProfile | null;
  backend: ScanBackend;
  /** Null unless `backend` is "nmap". */
  nmap: NmapOptions | null;
  /** Null when this server scans the targets itself. */
  agents: ScanAgents | null;
  /** "syn" or "connect" once the job started, nmap's flags for nmap jobs ("nmap -sS -sV -O
   * --script"), "agents" for jobs its agents scanned (each picks SYN or connect); null before. */
  method: string | null;
  /** Whether the job found the live hosts first (false: every address was scanned, like nmap
   * -Pn; always for agents); null for imports and older jobs. */
  discovery: boolean | null;
  /** The job's cap in probes per second (for the whole job, split across its agents); null
   * without one. Absent from servers that predate caps. */
  max_rate?: number | null;
  /** The job's cap in probes in flight (per agent); null without one. */
  max_concurrency?: number | null;
  requested_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** Why a job failed or was cancelled by the system; also what users should know of a job that
   * did not fail (agents from before host discovery that scanned every address of their shards),
   * from the moment it happens, after the failure reason if there is one. */
  error: string | null;
  progress: ScanProgress;
}

/** GET /api/v1/scans: newest first; `total` counts every match. */
export interface ScanPage {
  items: ScanJob[];
  total: number;
}

export interface ServiceInfo {
  service: string | null;
  product: string | null;
  version: string | null;
  extra_info: string | null;
  cpe: string[];
}

export interface TlsFacts {
  subject: string;
  issuer: string;
  subject_alt_names: string[];
  not_before: string;
  not_after: string;
  self_signed: boolean;
  key_type: string;
  key_bits: number;
  fingerprint_sha256: string;
  versions_tested: string[];
  versions_accepted: string[];
}

/** One NSE script's output; multi-line text (up to about 16 KB), never markup. */
export interface ScriptOutput {
  id: string;
  output: string;
}

export interface ScanPort {
  port: number;
  protocol: "tcp" | "udp";
  /** Always "open": closed and filtered ports are only counted. */
  state: string;
  service: ServiceInfo | null;
  /** "ssl" when the service speaks inside TLS. */
  tunnel: string | null;
  /** What nmap-services calls the port ("https-alt" for 8443/tcp), null when it has no name (or
   * nmap is not installed on the server): a guess where no service was named. */
  port_name: string | null;
  tls: TlsFacts | null;
  /** nmap's port scripts; empty for the built-in engine. */
  scripts: ScriptOutput[];
}

export interface ScanHost {
  address: string;
  hostnames: string[];
  /** How host discovery found it up: "echo-reply", "syn-ack", "rst", "arp-response",
   * "ndp-response", …; null when the job did not look for hosts first (or for imports). */
  reason: string | null;
  /** Its link-layer address when ARP or NDP found it ("02:00:5e:10:00:01"). */
  mac: string | null;
  /** nmap's best OS guess ("Linux 5.0 - 5.2"), with its accuracy in percent (0 to 100). */
  os: string | null;
  os_accuracy: number;
  /** nmap's host scripts. */
  scripts: ScriptOutput[];
  /** Ascending. */
  ports: ScanPort[];
}

/** GET /api/v1/scans/{id}/results: one page of the hosts that answered (in address order), with
 * their open ports; `total` and `hosts_up` count every host of the job, `open_ports` every open
 * port. */
export interface ScanResults {
  id: number;
  status: ScanStatus;
  hosts_up: number;
  open_ports: number;
  total: number;
  hosts: ScanHost[];
}

export type ChangeAction = "host_new" | "host_gone" | "port_opened" | "port_closed" | "service_changed";

/** One change against the previous scan; host changes have no port. */
export interface ScanChange {
  action: ChangeAction;
  address: string;
  port: number | null;
  protocol: "tcp" | "udp" | null;
  before: ServiceInfo | null;
  after: ServiceInfo | null;
}

/** GET /api/v1/scans/{id}/diff (limit, offset): `previous_id` is null when no earlier completed
 * scan of the same targets and ports exists. */
export interface ScanDiff {
  id: number;
  previous_id: number | null;
  /** One page of the changes, by address. */
  changes: ScanChange[];
  /** Every change, not only the page's. */
  total: number;
  /** Every change of each kind. */
  counts: Record<ChangeAction, number>;
}

/** GET /api/v1/scan-scopes. */
export interface ScopeList {
  items: { cidr: string }[];
}

/** What the server makes of one entry of POST /api/v1/scan-scopes/check, with the scan targets' grammar. */
export interface ScopeCheckItem {
  /** The entry as sent. */
  target: string;
  parses: boolean;
  /** Why it does not parse (or a host name does not resolve); null when it parses. */
  error: string | null;
  addresses: number;
  /** Every address lies inside some scope (false when it does not parse). */
  in_scope: boolean;
  /** The scopes that hold some of its addresses. */
  scopes: string[];
  /** Its ranges outside every scope: at most a few, then "N more ranges". */
  outside: string[];
}

/** POST /api/v1/scan-scopes/check: one item per entry sent, in order. */
export interface ScopeCheckReply {
  items: ScopeCheckItem[];
  all_in_scope: boolean;
}

/** POST /api/v1/scans. Without `ports` and `profile` the server scans the standard profile. */
export interface NewScan {
  targets: string[];
  exclude?: string[];
  ports?: string;
  profile?: ScanProfile;
  confirm_large?: boolean;
  /** Left out for this server to scan the targets itself; only with our engine. */
  agents?: ScanAgents;
  /** "engine" when left out; `nmap` only with "nmap". */
  backend?: ScanBackend;
  nmap?: NmapOptions;
  /** Find the live hosts first (the default, on the server and on agents); false scans every
   * address. */
  discovery?: boolean;
  /** Probes per second for the whole job, more than 0 and at most 1,000,000; left out: no cap. */
  max_rate?: number;
}
