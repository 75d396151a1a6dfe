#include "sql_scan_repository.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>

#include "scan_json.h"

namespace sentinel::scanner {
namespace {

// Rows per INSERT: few statements for many results, and far below SQLite's 32,766 parameters.
constexpr std::size_t kRowsPerInsert = 64;

constexpr std::string_view kSelectJob =
    "SELECT id, source, status, targets, exclude, ports, profile, scope_key, method, "
    "requested_by, created_at, started_at, finished_at, pairs_total, pairs_done, open_found, "
    "hosts_total, hosts_done, rate, error, agents, nmap, phase, discovery, discovery_partial, "
    "max_rate, max_concurrency FROM scan_jobs";

std::string list_text(const std::vector<std::string>& items) {
  boost::json::array array;
  for (const std::string& item : items) array.emplace_back(item);
  return boost::json::serialize(array);
}

std::vector<std::string> list_of(const std::string& text) {
  std::vector<std::string> items;
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_array()) return items;
  for (const boost::json::value& item : value.get_array()) {
    if (item.is_string()) items.emplace_back(item.get_string());
  }
  return items;
}

store::Value selection_text(const std::optional<AgentSelection>& agents) {
  if (!agents) return nullptr;
  return boost::json::serialize(agents_json(agents));
}

// The inverse of selection_text(); a selection naming neither is kept as an empty id list, so
// that the job still reads as distributed.
AgentSelection selection_of(const std::string& text) {
  AgentSelection selection;
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return selection;
  if (const auto* group = value.get_object().if_contains("group"); group && group->is_string()) {
    selection.group = std::string(group->get_string());
  }
  if (const auto* ids = value.get_object().if_contains("ids")) {
    selection.ids = list_of(boost::json::serialize(*ids));
  }
  if (const auto* networks = value.get_object().if_contains("networks");
      networks && networks->is_bool()) {
    selection.networks = networks->get_bool();
  }
  return selection;
}

double real_of(const store::Row& row, std::size_t column) {
  const store::Value& value = row.at(column);
  if (const auto* real = std::get_if<double>(&value)) return *real;
  return static_cast<double>(row.integer(column));
}

store::Value text_or_null(const std::string& text) {
  return text.empty() ? store::Value(nullptr) : store::Value(text);
}

Result<ScanJob> job_of(const store::Row& row) {
  ScanJob job;
  job.id = row.integer(0);
  job.source = row.text(1);
  const auto status = parse_job_status(row.text(2));
  if (!status) {
    return internal_error(
        fmt::format("scan job {} has an unknown status '{}'", job.id, row.text(2)));
  }
  job.status = *status;
  job.targets = list_of(row.text(3));
  job.exclude = list_of(row.text(4));
  job.ports = row.text(5);
  if (const auto profile = row.optional_text(6)) job.profile = parse_scan_profile(*profile);
  job.scope_key = row.text(7);
  job.method = row.text(8);
  job.requested_by = row.text(9);
  job.created_ms = row.integer(10);
  job.started_ms = row.optional_integer(11);
  job.finished_ms = row.optional_integer(12);
  job.counters = {.pairs_total = row.integer(13),
                  .pairs_done = row.integer(14),
                  .open_found = row.integer(15),
                  .hosts_total = row.integer(16),
                  .hosts_done = row.integer(17),
                  .rate = real_of(row, 18)};
  job.error = row.text(19);
  if (const auto agents = row.optional_text(20)) job.agents = selection_of(*agents);
  if (const auto nmap = row.optional_text(21)) job.nmap = nmap_from_json(*nmap);
  job.counters.phase = row.text(22);
  if (const auto discovery = row.optional_integer(23)) job.discovery = *discovery != 0;
  job.discovery_partial = row.optional_integer(24).value_or(0) != 0;
  if (!row.is_null(25)) job.limits.max_rate = real_of(row, 25);
  job.limits.max_concurrency = row.optional_integer(26);
  return job;
}

// "($1, $2, $3), ($4, $5, $6)" for `rows` rows of `columns` placeholders.
std::string placeholders(std::size_t rows, std::size_t columns) {
  std::string out;
  std::size_t next = 1;
  for (std::size_t row = 0; row < rows; ++row) {
    out += row == 0 ? "(" : ", (";
    for (std::size_t column = 0; column < columns; ++column) {
      out += fmt::format("{}${}", column == 0 ? "" : ", ", next++);
    }
    out += ")";
  }
  return out;
}

std::string cpe_text(const scan::ServiceInfo& service) {
  return fmt::format("{}", fmt::join(service.cpes, " "));
}

std::vector<std::string> cpes_of(const std::string& text) {
  std::vector<std::string> cpes;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) cpes.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return cpes;
}

store::Value scripts_text(const std::vector<scan::ScriptOutput>& scripts) {
  return scripts.empty() ? store::Value(nullptr)
                         : store::Value(boost::json::serialize(scripts_json(scripts)));
}

store::Value tls_text(const FoundPort& port) {
  return port.tls ? store::Value(boost::json::serialize(tls_json(port.tls)))
                  : store::Value(nullptr);
}

// Inserts rows of `columns` values each, kRowsPerInsert per statement.
Status insert_rows(store::Connection& connection, std::string_view head, std::string_view conflict,
                   std::size_t columns, const std::vector<store::Params>& rows) {
  for (std::size_t start = 0; start < rows.size(); start += kRowsPerInsert) {
    const std::size_t count = std::min(kRowsPerInsert, rows.size() - start);
    store::Params params;
    params.reserve(count * columns);
    for (std::size_t i = start; i < start + count; ++i) {
      params.insert(params.end(), rows[i].begin(), rows[i].end());
    }
    SENTINEL_TRY(connection.execute(
        fmt::format("{} VALUES {} {}", head, placeholders(count, columns), conflict), params));
  }
  return ok();
}

// Sorts as the addresses do: "4" and 8 hex digits for IPv4, "6" and 32 for IPv6.
std::string address_key(const scan::IpAddress& address) {
  if (address.is_v4()) {
    return fmt::format("4{:08x}", static_cast<std::uint32_t>(address.value()));
  }
  return fmt::format("6{:016x}{:016x}", static_cast<std::uint64_t>(address.value() >> 64),
                     static_cast<std::uint64_t>(address.value()));
}

// The key of stored text; text that is no address sorts after every address.
std::string address_key(const std::string& text) {
  const auto address = scan::IpAddress::parse(text);
  return address ? address_key(*address) : "z" + text;
}

constexpr std::string_view kSelectHost =
    "SELECT address, hostnames, os, os_accuracy, scripts, reason, mac FROM scan_hosts";
constexpr std::string_view kSelectPort =
    "SELECT address, port, protocol, service, product, version, extra_info, cpe, tunnel, tls, "
    "state, scripts FROM scan_ports";

// A row of kSelectHost into `host` (all but the address).
void read_host(const store::Row& row, FoundHost& host) {
  host.hostnames = list_of(row.text(1));
  host.os = row.text(2);
  host.os_accuracy = static_cast<int>(row.optional_integer(3).value_or(0));
  if (!row.is_null(4)) host.scripts = scripts_from_json(row.text(4));
  host.reason = row.text(5);
  host.mac = row.text(6);
}

// A row of kSelectPort (all but the address).
FoundPort port_of(const store::Row& row) {
  FoundPort port;
  port.port = static_cast<std::uint16_t>(row.integer(1));
  port.protocol = row.text(2) == "udp" ? scan::Protocol::kUdp : scan::Protocol::kTcp;
  port.state = row.text(10) == "open" ? scan::PortState::kOpen : scan::PortState::kOpenFiltered;
  if (!row.is_null(3) || !row.is_null(4) || !row.is_null(5)) {
    port.service = scan::ServiceInfo{.service = row.text(3),
                                     .product = row.text(4),
                                     .version = row.text(5),
                                     .info = row.text(6),
                                     .cpes = cpes_of(row.text(7))};
  }
  port.tunnel = row.text(8);
  if (!row.is_null(9)) port.tls = tls_from_json(row.text(9));
  if (!row.is_null(11)) port.scripts = scripts_from_json(row.text(11));
  return port;
}

void sort_ports(FoundHost& host) {
  std::sort(host.ports.begin(), host.ports.end(), [](const FoundPort& a, const FoundPort& b) {
    return std::pair(a.protocol, a.port) < std::pair(b.protocol, b.port);
  });
}

store::Value service_text(const std::optional<scan::ServiceInfo>& service) {
  return service ? store::Value(boost::json::serialize(service_json(service)))
                 : store::Value(nullptr);
}

// The inverse of service_text() for stored text; nullopt for anything else.
std::optional<scan::ServiceInfo> service_of(const store::Row& row, std::size_t column) {
  if (row.is_null(column)) return std::nullopt;
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(row.text(column), ec);
  if (ec || !value.is_object()) return std::nullopt;
  const boost::json::object& object = value.get_object();
  const auto text = [&](std::string_view key) {
    const auto* field = object.if_contains(key);
    return field != nullptr && field->is_string() ? std::string(field->get_string())
                                                  : std::string();
  };
  std::vector<std::string> cpes;
  if (const auto* cpe = object.if_contains("cpe"); cpe != nullptr && cpe->is_array()) {
    for (const auto& item : cpe->get_array()) {
      if (item.is_string()) cpes.emplace_back(item.get_string());
    }
  }
  return scan::ServiceInfo{.service = text("service"),
                           .product = text("product"),
                           .version = text("version"),
                           .info = text("extra_info"),
                           .cpes = std::move(cpes)};
}

constexpr std::array kChangeActions = {ChangeAction::kHostNew, ChangeAction::kHostGone,
                                       ChangeAction::kPortOpened, ChangeAction::kPortClosed,
                                       ChangeAction::kServiceChanged};

std::optional<ChangeAction> change_action_of(std::string_view text) {
  for (const ChangeAction action : kChangeActions) {
    if (to_string(action) == text) return action;
  }
  return std::nullopt;
}

std::int64_t count_of(const std::vector<store::Row>& rows) {
  return rows.empty() ? 0 : rows.front().integer(0);
}

}  // namespace

Result<std::int64_t> SqlScanRepository::insert_job(const ScanJob& job) {
  SENTINEL_ASSIGN(
      rows,
      connection_.query(
          "INSERT INTO scan_jobs (source, status, targets, exclude, ports, profile, scope_key, "
          "method, requested_by, created_at, started_at, finished_at, pairs_total, pairs_done, "
          "open_found, hosts_total, hosts_done, rate, error, agents, nmap, discovery, max_rate, "
          "max_concurrency) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
          "$15, $16, $17, $18, $19, $20, $21, $22, $23, $24) RETURNING id",
          {job.source,
           std::string(to_string(job.status)),
           list_text(job.targets),
           list_text(job.exclude),
           job.ports,
           job.profile ? store::Value(std::string(to_string(*job.profile))) : store::Value(nullptr),
           text_or_null(job.scope_key),
           text_or_null(job.method),
           job.requested_by,
           job.created_ms,
           job.started_ms ? store::Value(*job.started_ms) : store::Value(nullptr),
           job.finished_ms ? store::Value(*job.finished_ms) : store::Value(nullptr),
           job.counters.pairs_total,
           job.counters.pairs_done,
           job.counters.open_found,
           job.counters.hosts_total,
           job.counters.hosts_done,
           job.counters.rate,
           text_or_null(job.error),
           selection_text(job.agents),
           job.nmap ? store::Value(boost::json::serialize(nmap_json(job.nmap)))
                    : store::Value(nullptr),
           job.discovery ? store::Value(std::int64_t{*job.discovery ? 1 : 0})
                         : store::Value(nullptr),
           job.limits.max_rate ? store::Value(*job.limits.max_rate) : store::Value(nullptr),
           job.limits.max_concurrency ? store::Value(*job.limits.max_concurrency)
                                      : store::Value(nullptr)}));
  if (rows.empty()) return internal_error("inserting a scan job returned no id");
  return rows.front().integer(0);
}

Result<std::optional<ScanJob>> SqlScanRepository::find(std::int64_t id) {
  SENTINEL_ASSIGN(rows, connection_.query(std::string(kSelectJob) + " WHERE id = $1", {id}));
  if (rows.empty()) return std::optional<ScanJob>();
  SENTINEL_ASSIGN(job, job_of(rows.front()));
  return std::optional<ScanJob>(std::move(job));
}

Result<ScanJobPage> SqlScanRepository::list(const ScanJobFilter& filter) {
  std::string where;
  store::Params params;
  if (filter.status) {
    where = " WHERE status = $1";
    params.emplace_back(std::string(to_string(*filter.status)));
  }
  SENTINEL_ASSIGN(counted, connection_.query("SELECT COUNT(*) FROM scan_jobs" + where, params));
  ScanJobPage page;
  page.total = counted.empty() ? 0 : counted.front().integer(0);
  SENTINEL_ASSIGN(
      rows, connection_.query(fmt::format("{}{} ORDER BY id DESC LIMIT {} OFFSET {}", kSelectJob,
                                          where, filter.limit, filter.offset),
                              params));
  for (const store::Row& row : rows) {
    SENTINEL_ASSIGN(job, job_of(row));
    page.items.push_back(std::move(job));
  }
  return page;
}

Result<bool> SqlScanRepository::mark_running(std::int64_t id, std::int64_t now_ms,
                                             std::string_view method) {
  SENTINEL_ASSIGN(changed,
                  connection_.execute("UPDATE scan_jobs SET status = 'running', started_at = $2, "
                                      "method = $3 WHERE id = $1 AND status = 'queued'",
                                      {id, now_ms, std::string(method)}));
  return changed == 1;
}

Status SqlScanRepository::set_method(std::int64_t id, std::string_view method) {
  SENTINEL_TRY(connection_.execute("UPDATE scan_jobs SET method = $2 WHERE id = $1",
                                   {id, std::string(method)}));
  return ok();
}

Result<JobStatus> SqlScanRepository::write_progress(std::int64_t id, const JobCounters& counters) {
  SENTINEL_ASSIGN(
      rows, connection_.query("UPDATE scan_jobs SET pairs_total = $2, pairs_done = $3, "
                              "open_found = $4, hosts_total = $5, hosts_done = $6, rate = $7, "
                              "phase = $8 WHERE id = $1 RETURNING status",
                              {id, counters.pairs_total, counters.pairs_done, counters.open_found,
                               counters.hosts_total, counters.hosts_done, counters.rate,
                               text_or_null(counters.phase)}));
  if (rows.empty()) return not_found(fmt::format("scan job {} is gone", id));
  const auto status = parse_job_status(rows.front().text(0));
  if (!status) return internal_error(fmt::format("scan job {} has an unknown status", id));
  return *status;
}

Status SqlScanRepository::finish(std::int64_t id, JobStatus status, const JobCounters& counters,
                                 std::int64_t now_ms, std::string_view error) {
  SENTINEL_TRY(connection_.execute(
      "UPDATE scan_jobs SET status = CASE WHEN status = 'running' THEN $2 ELSE status END, "
      "pairs_total = $3, pairs_done = $4, open_found = $5, hosts_total = $6, hosts_done = $7, "
      "rate = $8, finished_at = $9, error = COALESCE(error, $10), phase = NULL WHERE id = $1",
      {id, std::string(to_string(status)), counters.pairs_total, counters.pairs_done,
       counters.open_found, counters.hosts_total, counters.hosts_done, counters.rate, now_ms,
       error.empty() ? store::Value(nullptr) : store::Value(std::string(error))}));
  return ok();
}

Status SqlScanRepository::set_note(std::int64_t id, std::string_view note) {
  SENTINEL_TRY(connection_.execute(
      "UPDATE scan_jobs SET error = $2 WHERE id = $1 AND status = 'running'",
      {id, note.empty() ? store::Value(nullptr) : store::Value(std::string(note))}));
  return ok();
}

Status SqlScanRepository::mark_discovery_partial(std::int64_t id) {
  SENTINEL_TRY(
      connection_.execute("UPDATE scan_jobs SET discovery_partial = 1 WHERE id = $1", {id}));
  return ok();
}

Result<bool> SqlScanRepository::cancel(std::int64_t id, std::int64_t now_ms,
                                       std::string_view error) {
  SENTINEL_ASSIGN(
      changed,
      connection_.execute(
          "UPDATE scan_jobs SET status = 'cancelled', finished_at = $2, "
          "error = $3 WHERE id = $1 AND status IN ('queued', 'running')",
          {id, now_ms, error.empty() ? store::Value(nullptr) : store::Value(std::string(error))}));
  return changed == 1;
}

Status SqlScanRepository::add_hosts(std::int64_t job_id, const std::vector<FoundHost>& hosts,
                                    std::int64_t now_ms) {
  std::vector<store::Params> rows;
  rows.reserve(hosts.size());
  for (const FoundHost& host : hosts) {
    rows.push_back(
        {job_id, host.address.to_string(), list_text(host.hostnames), now_ms, text_or_null(host.os),
         host.os.empty() ? store::Value(nullptr) : store::Value(std::int64_t{host.os_accuracy}),
         scripts_text(host.scripts), text_or_null(host.reason), text_or_null(host.mac),
         address_key(host.address)});
  }
  return insert_rows(connection_,
                     "INSERT INTO scan_hosts (job_id, address, hostnames, first_seen, os, "
                     "os_accuracy, scripts, reason, mac, address_key)",
                     "ON CONFLICT (job_id, address) DO NOTHING", 10, rows);
}

Status SqlScanRepository::add_ports(std::int64_t job_id, const std::vector<FoundHost>& hosts,
                                    std::int64_t now_ms) {
  std::vector<store::Params> rows;
  for (const FoundHost& host : hosts) {
    const std::string address = host.address.to_string();
    for (const FoundPort& port : host.ports) {
      const auto field = [&](std::string scan::ServiceInfo::*member) {
        return port.service ? text_or_null((*port.service).*member) : store::Value(nullptr);
      };
      rows.push_back(
          {job_id, address, std::int64_t{port.port}, std::string(to_string(port.protocol)),
           std::string(scan::to_string(port.state)), field(&scan::ServiceInfo::service),
           field(&scan::ServiceInfo::product), field(&scan::ServiceInfo::version),
           field(&scan::ServiceInfo::info),
           port.service ? text_or_null(cpe_text(*port.service)) : store::Value(nullptr),
           text_or_null(port.tunnel), tls_text(port), now_ms, scripts_text(port.scripts)});
    }
  }
  return insert_rows(connection_,
                     "INSERT INTO scan_ports (job_id, address, port, protocol, state, service, "
                     "product, version, extra_info, cpe, tunnel, tls, first_seen, scripts)",
                     // A port seen open where a repeated shard first heard silence is open.
                     "ON CONFLICT (job_id, address, port, protocol) DO UPDATE SET state = "
                     "excluded.state WHERE excluded.state = 'open'",
                     14, rows);
}

Status SqlScanRepository::set_services(std::int64_t job_id, const std::vector<FoundHost>& hosts) {
  for (const FoundHost& host : hosts) {
    for (const FoundPort& port : host.ports) {
      // A UDP port that answered a service probe is open now, named or not.
      const bool answered_udp =
          port.protocol == scan::Protocol::kUdp && port.state == scan::PortState::kOpen;
      if (!port.service && !port.tls && !answered_udp) continue;
      const scan::ServiceInfo service = port.service.value_or(scan::ServiceInfo{});
      SENTINEL_TRY(connection_.execute(
          "UPDATE scan_ports SET service = $5, product = $6, version = $7, extra_info = $8, "
          "cpe = $9, tunnel = $10, tls = $11, state = COALESCE($12, state) "
          "WHERE job_id = $1 AND address = $2 AND port = $3 AND protocol = $4",
          {job_id, host.address.to_string(), std::int64_t{port.port},
           std::string(to_string(port.protocol)), text_or_null(service.service),
           text_or_null(service.product), text_or_null(service.version), text_or_null(service.info),
           text_or_null(cpe_text(service)), text_or_null(port.tunnel), tls_text(port),
           answered_udp ? store::Value(std::string("open")) : store::Value(nullptr)}));
    }
  }
  return ok();
}

Result<std::vector<FoundHost>> SqlScanRepository::results(std::int64_t job_id) {
  std::map<scan::IpAddress, FoundHost> hosts;
  const auto host_at = [&hosts](const std::string& text) -> FoundHost* {
    const auto address = scan::IpAddress::parse(text);
    if (!address) return nullptr;
    FoundHost& host = hosts[*address];
    host.address = *address;
    return &host;
  };
  SENTINEL_ASSIGN(host_rows,
                  connection_.query(std::string(kSelectHost) + " WHERE job_id = $1", {job_id}));
  for (const store::Row& row : host_rows) {
    if (FoundHost* host = host_at(row.text(0))) read_host(row, *host);
  }
  SENTINEL_ASSIGN(port_rows,
                  connection_.query(std::string(kSelectPort) + " WHERE job_id = $1 AND state IN "
                                                               "('open', 'open|filtered')",
                                    {job_id}));
  for (const store::Row& row : port_rows) {
    if (FoundHost* host = host_at(row.text(0))) host->ports.push_back(port_of(row));
  }
  std::vector<FoundHost> out;
  out.reserve(hosts.size());
  for (auto& [address, host] : hosts) {
    sort_ports(host);
    out.push_back(std::move(host));
  }
  return out;
}

Status SqlScanRepository::fill_address_keys(std::int64_t job_id) {
  SENTINEL_ASSIGN(rows, connection_.query("SELECT address FROM scan_hosts WHERE job_id = $1 AND "
                                          "address_key IS NULL",
                                          {job_id}));
  for (const store::Row& row : rows) {
    SENTINEL_TRY(connection_.execute(
        "UPDATE scan_hosts SET address_key = $3 WHERE job_id = $1 AND address = $2",
        {job_id, row.text(0), address_key(row.text(0))}));
  }
  return ok();
}

Result<FoundHostPage> SqlScanRepository::results_page(std::int64_t job_id,
                                                      const PageRequest& page) {
  SENTINEL_TRY(fill_address_keys(job_id));
  FoundHostPage out;
  SENTINEL_ASSIGN(hosts_counted,
                  connection_.query("SELECT COUNT(*) FROM scan_hosts WHERE job_id = $1", {job_id}));
  SENTINEL_ASSIGN(ports_counted, connection_.query("SELECT COUNT(*) FROM scan_ports WHERE job_id "
                                                   "= $1 AND state = 'open'",
                                                   {job_id}));
  out.total = count_of(hosts_counted);
  out.open_ports = count_of(ports_counted);
  SENTINEL_ASSIGN(host_rows,
                  connection_.query(fmt::format("{} WHERE job_id = $1 ORDER BY address_key, "
                                                "address LIMIT {} OFFSET {}",
                                                kSelectHost, page.limit, page.offset),
                                    {job_id}));
  if (host_rows.empty()) return out;
  std::map<std::string, std::size_t, std::less<>> index;
  store::Params params{job_id};
  std::string addresses;
  for (const store::Row& row : host_rows) {
    FoundHost host;
    if (const auto address = scan::IpAddress::parse(row.text(0))) host.address = *address;
    read_host(row, host);
    index.emplace(row.text(0), out.items.size());
    out.items.push_back(std::move(host));
    params.emplace_back(row.text(0));
    addresses += fmt::format("{}${}", addresses.empty() ? "" : ", ", params.size());
  }
  SENTINEL_ASSIGN(port_rows,
                  connection_.query(fmt::format("{} WHERE job_id = $1 AND state IN ('open', "
                                                "'open|filtered') AND address IN ({})",
                                                kSelectPort, addresses),
                                    params));
  for (const store::Row& row : port_rows) {
    if (const auto found = index.find(row.text(0)); found != index.end()) {
      out.items[found->second].ports.push_back(port_of(row));
    }
  }
  for (FoundHost& host : out.items) sort_ports(host);
  return out;
}

Status SqlScanRepository::store_diff(const ScanDiff& diff) {
  if (!diff.previous_id) return ok();
  SENTINEL_ASSIGN(
      inserted, connection_.execute(
                    "INSERT INTO scan_diffs (job_id, previous_id, total) VALUES ($1, "
                    "$2, $3) ON CONFLICT (job_id) DO NOTHING",
                    {diff.id, *diff.previous_id, static_cast<std::int64_t>(diff.changes.size())}));
  if (inserted == 0) return ok();
  std::vector<store::Params> rows;
  rows.reserve(diff.changes.size());
  for (std::size_t seq = 0; seq < diff.changes.size(); ++seq) {
    const ScanChange& change = diff.changes[seq];
    rows.push_back({diff.id, static_cast<std::int64_t>(seq), std::string(to_string(change.action)),
                    change.address.to_string(),
                    change.port ? store::Value(std::int64_t{*change.port}) : store::Value(nullptr),
                    change.port ? store::Value(std::string(to_string(change.protocol)))
                                : store::Value(nullptr),
                    service_text(change.before), service_text(change.after)});
  }
  return insert_rows(connection_,
                     "INSERT INTO scan_changes (job_id, seq, action, address, port, protocol, "
                     "before_service, after_service)",
                     "ON CONFLICT (job_id, seq) DO NOTHING", 8, rows);
}

Result<std::optional<ScanDiffPage>> SqlScanRepository::stored_diff(std::int64_t job_id,
                                                                   const PageRequest& page) {
  SENTINEL_ASSIGN(
      stored,
      connection_.query("SELECT previous_id, total FROM scan_diffs WHERE job_id = $1", {job_id}));
  if (stored.empty()) return std::optional<ScanDiffPage>();
  ScanDiffPage out{
      .id = job_id, .previous_id = stored.front().integer(0), .total = stored.front().integer(1)};
  SENTINEL_ASSIGN(counted, connection_.query("SELECT action, COUNT(*) FROM scan_changes WHERE "
                                             "job_id = $1 GROUP BY action",
                                             {job_id}));
  for (const store::Row& row : counted) {
    if (const auto action = change_action_of(row.text(0))) {
      out.counts.at(static_cast<std::size_t>(*action)) = row.integer(1);
    }
  }
  SENTINEL_ASSIGN(rows,
                  connection_.query(fmt::format("SELECT action, address, port, protocol, "
                                                "before_service, after_service FROM scan_changes "
                                                "WHERE job_id = $1 ORDER BY seq LIMIT {} OFFSET {}",
                                                page.limit, page.offset),
                                    {job_id}));
  for (const store::Row& row : rows) {
    const auto action = change_action_of(row.text(0));
    const auto address = scan::IpAddress::parse(row.text(1));
    if (!action || !address) {
      return internal_error(
          fmt::format("scan job {} has a stored change that does not read: "
                      "'{}' of '{}'",
                      job_id, row.text(0), row.text(1)));
    }
    ScanChange change{.action = *action, .address = *address};
    if (const auto port = row.optional_integer(2)) {
      change.port = static_cast<std::uint16_t>(*port);
      change.protocol = row.text(3) == "udp" ? scan::Protocol::kUdp : scan::Protocol::kTcp;
    }
    change.before = service_of(row, 4);
    change.after = service_of(row, 5);
    out.changes.push_back(std::move(change));
  }
  return std::optional<ScanDiffPage>(std::move(out));
}

Result<std::optional<std::int64_t>> SqlScanRepository::previous_completed(
    std::int64_t job_id, std::string_view scope_key) {
  if (scope_key.empty()) return std::optional<std::int64_t>();
  SENTINEL_ASSIGN(rows,
                  connection_.query("SELECT id FROM scan_jobs WHERE scope_key = $1 AND status = "
                                    "'completed' AND id < $2 ORDER BY id DESC LIMIT 1",
                                    {std::string(scope_key), job_id}));
  if (rows.empty()) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(rows.front().integer(0));
}

}  // namespace sentinel::scanner
