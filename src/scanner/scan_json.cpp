#include "scan_json.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>

#include "sentinel/common/time_format.h"

namespace sentinel::scanner {
namespace {

boost::json::value optional_time(const std::optional<std::int64_t>& time_ms) {
  return time_ms ? boost::json::value(iso8601_utc(*time_ms)) : boost::json::value(nullptr);
}

boost::json::value text_or_null(std::string_view text) {
  return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
}

boost::json::array strings(const std::vector<std::string>& items) {
  boost::json::array out;
  for (const std::string& item : items) out.emplace_back(item);
  return out;
}

// One decimal is what a progress bar shows; more only makes the messages longer.
double rounded(double value) { return std::round(value * 10.0) / 10.0; }

}  // namespace

boost::json::object progress_json(const JobCounters& counters) {
  return {{"percent", rounded(counters.percent())}, {"pairs_done", counters.pairs_done},
          {"pairs_total", counters.pairs_total},    {"hosts_done", counters.hosts_done},
          {"hosts_total", counters.hosts_total},    {"open_found", counters.open_found},
          {"rate", rounded(counters.rate)},         {"phase", text_or_null(counters.phase)}};
}

boost::json::value agents_json(const std::optional<AgentSelection>& agents) {
  if (!agents) return nullptr;
  if (!agents->group.empty()) return boost::json::object{{"group", agents->group}};
  if (agents->networks) return boost::json::object{{"networks", true}};
  return boost::json::object{{"ids", strings(agents->ids)}};
}

boost::json::value nmap_json(const std::optional<NmapOptions>& nmap) {
  if (!nmap) return nullptr;
  return boost::json::object{{"scripts", strings(nmap->scripts)},
                             {"os_detection", nmap->os_detection}};
}

std::optional<NmapOptions> nmap_from_json(std::string_view text) {
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  NmapOptions nmap;
  if (const auto* scripts = parsed.get_object().if_contains("scripts");
      scripts != nullptr && scripts->is_array()) {
    for (const auto& script : scripts->get_array()) {
      if (script.is_string()) nmap.scripts.emplace_back(script.get_string());
    }
  }
  const auto* os = parsed.get_object().if_contains("os_detection");
  nmap.os_detection = os != nullptr && os->is_bool() && os->get_bool();
  return nmap;
}

boost::json::array scripts_json(const std::vector<scan::ScriptOutput>& scripts) {
  boost::json::array out;
  for (const scan::ScriptOutput& script : scripts) {
    out.push_back(boost::json::object{{"id", script.id}, {"output", script.output}});
  }
  return out;
}

std::vector<scan::ScriptOutput> scripts_from_json(std::string_view text) {
  std::vector<scan::ScriptOutput> out;
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_array()) return out;
  for (const auto& item : parsed.get_array()) {
    const auto* object = item.if_object();
    if (object == nullptr) continue;
    const auto* id = object->if_contains("id");
    const auto* output = object->if_contains("output");
    if (id == nullptr || !id->is_string() || output == nullptr || !output->is_string()) continue;
    out.push_back({std::string(id->get_string()), std::string(output->get_string())});
  }
  return out;
}

boost::json::object job_json(const ScanJob& job) {
  return {{"id", job.id},
          {"source", job.source},
          {"status", to_string(job.status)},
          {"targets", strings(job.targets)},
          {"exclude", strings(job.exclude)},
          {"ports", job.ports},
          {"profile",
           job.profile ? boost::json::value(to_string(*job.profile)) : boost::json::value(nullptr)},
          {"method", text_or_null(job.method)},
          {"requested_by", job.requested_by},
          {"created_at", iso8601_utc(job.created_ms)},
          {"started_at", optional_time(job.started_ms)},
          {"finished_at", optional_time(job.finished_ms)},
          {"error", text_or_null(job.error)},
          {"agents", agents_json(job.agents)},
          {"backend", job.nmap ? "nmap" : "engine"},
          {"nmap", nmap_json(job.nmap)},
          {"discovery",
           job.discovery ? boost::json::value(*job.discovery) : boost::json::value(nullptr)},
          {"max_rate", job.limits.max_rate ? boost::json::value(*job.limits.max_rate)
                                           : boost::json::value(nullptr)},
          {"max_concurrency", job.limits.max_concurrency
                                  ? boost::json::value(*job.limits.max_concurrency)
                                  : boost::json::value(nullptr)},
          {"progress", progress_json(job.counters)}};
}

std::optional<scan::TlsFacts> tls_from_json(std::string_view text) {
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const boost::json::object& object = parsed.get_object();
  const auto text_of = [&](std::string_view key) {
    const auto* value = object.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->get_string())
                                                  : std::string();
  };
  const auto integer_of = [&](std::string_view key) -> std::int64_t {
    const auto* value = object.if_contains(key);
    return value != nullptr && value->is_int64() ? value->get_int64() : 0;
  };
  const auto list_of = [&](std::string_view key) {
    std::vector<std::string> out;
    const auto* value = object.if_contains(key);
    if (value == nullptr || !value->is_array()) return out;
    for (const auto& item : value->get_array()) {
      if (item.is_string()) out.emplace_back(item.get_string());
    }
    return out;
  };
  const auto* self_signed = object.if_contains("self_signed");
  return scan::TlsFacts{
      .subject = text_of("subject"),
      .issuer = text_of("issuer"),
      .subject_alt_names = list_of("subject_alt_names"),
      .not_before_ms = integer_of("not_before_ms"),
      .not_after_ms = integer_of("not_after_ms"),
      .self_signed = self_signed != nullptr && self_signed->is_bool() && self_signed->get_bool(),
      .key_type = text_of("key_type"),
      .key_bits = static_cast<int>(integer_of("key_bits")),
      .fingerprint_sha256 = text_of("fingerprint_sha256"),
      .versions_tested = list_of("versions_tested"),
      .versions_accepted = list_of("versions_accepted")};
}

boost::json::object results_json(const ScanJob& job, const FoundHostPage& hosts,
                                 const scan::PortNames& names) {
  boost::json::array host_items;
  for (const FoundHost& host : hosts.items) {
    boost::json::array ports;
    for (const FoundPort& port : host.ports) {
      const std::string_view port_name = names.name(port.protocol, port.port);
      ports.push_back(boost::json::object{{"port", port.port},
                                          {"protocol", to_string(port.protocol)},
                                          {"state", scan::to_string(port.state)},
                                          {"port_name", text_or_null(port_name)},
                                          {"service", service_json(port.service)},
                                          {"tunnel", text_or_null(port.tunnel)},
                                          {"tls", tls_json(port.tls)},
                                          {"scripts", scripts_json(port.scripts)}});
    }
    host_items.push_back(boost::json::object{{"address", host.address.to_string()},
                                             {"hostnames", strings(host.hostnames)},
                                             {"reason", text_or_null(host.reason)},
                                             {"mac", text_or_null(host.mac)},
                                             {"os", text_or_null(host.os)},
                                             {"os_accuracy", host.os_accuracy},
                                             {"scripts", scripts_json(host.scripts)},
                                             {"ports", std::move(ports)}});
  }
  return {{"id", job.id},
          {"status", to_string(job.status)},
          {"hosts_up", hosts.total},
          {"open_ports", hosts.open_ports},
          {"total", hosts.total},
          {"hosts", std::move(host_items)}};
}

boost::json::object diff_json(const ScanDiffPage& diff) {
  boost::json::array changes;
  for (const ScanChange& change : diff.changes) {
    changes.push_back(boost::json::object{
        {"action", to_string(change.action)},
        {"address", change.address.to_string()},
        {"port", change.port ? boost::json::value(*change.port) : boost::json::value(nullptr)},
        {"protocol", change.port ? boost::json::value(to_string(change.protocol))
                                 : boost::json::value(nullptr)},
        {"before", service_json(change.before)},
        {"after", service_json(change.after)}});
  }
  boost::json::object counts;
  for (std::size_t action = 0; action < diff.counts.size(); ++action) {
    counts[to_string(static_cast<ChangeAction>(action))] = diff.counts[action];
  }
  return {{"id", diff.id},
          {"previous_id",
           diff.previous_id ? boost::json::value(*diff.previous_id) : boost::json::value(nullptr)},
          {"total", diff.total},
          {"counts", std::move(counts)},
          {"changes", std::move(changes)}};
}

std::string scan_message(const ScanJob& job) {
  return boost::json::serialize(boost::json::object{{"type", "scan"}, {"scan", job_json(job)}});
}

}  // namespace sentinel::scanner
