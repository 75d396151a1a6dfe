// The scan shard commands' arguments and answers, and the JSON form of found hosts.

#include "sentinel/scanner/scan_shard_protocol.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <cmath>
#include <initializer_list>

#include "sentinel/common/time_format.h"

namespace sentinel::scanner {
namespace {

boost::json::value text_or_null(const std::string& text) {
  return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
}

boost::json::array strings(const std::vector<std::string>& items) {
  boost::json::array out;
  for (const std::string& item : items) out.emplace_back(item);
  return out;
}

std::string path(const std::string& parent, std::string_view key) {
  // An empty key still needs a name in the error: it is shown as "".
  const std::string_view shown = key.empty() ? std::string_view("\"\"") : key;
  return parent.empty() ? std::string(shown) : fmt::format("{}.{}", parent, shown);
}

Error bad(const std::string& field, std::string_view what) {
  return invalid_argument(fmt::format("{}: {}", field, what), field);
}

// What a decoder says of a key it does not know; agents built before a field existed say it of
// that field (refuses_unknown_field() reads it back).
constexpr std::string_view kUnknownField = "unknown field";

/// Reads the fields of one JSON object strictly: every key must be among `allowed`, each read
/// checks type and bounds, and errors carry the field's full path.
class Fields {
 public:
  static Result<Fields> of(const boost::json::value& value, std::string parent,
                           std::initializer_list<std::string_view> allowed) {
    if (!value.is_object()) {
      return bad(parent.empty() ? std::string("body") : parent, "must be an object");
    }
    return of(value.get_object(), std::move(parent), allowed);
  }

  // The object must outlive the reader (it is not copied).
  static Result<Fields> of(const boost::json::object& object, std::string parent,
                           std::initializer_list<std::string_view> allowed) {
    for (const auto& entry : object) {
      if (std::find(allowed.begin(), allowed.end(), entry.key()) == allowed.end()) {
        return bad(path(parent, entry.key()), kUnknownField);
      }
    }
    return Fields(object, std::move(parent));
  }

  const boost::json::value* find(std::string_view key) const {
    const boost::json::value* value = object_.if_contains(key);
    return value == nullptr || value->is_null() ? nullptr : value;
  }
  std::string field(std::string_view key) const { return path(parent_, key); }

  Result<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max,
                               bool required) const {
    const boost::json::value* value = find(key);
    if (value == nullptr) {
      if (required) return bad(field(key), "is required");
      return min;
    }
    std::int64_t number = 0;
    if (value->is_int64()) {
      number = value->get_int64();
    } else if (value->is_uint64() && value->get_uint64() <= INT64_MAX) {
      number = static_cast<std::int64_t>(value->get_uint64());
    } else {
      return bad(field(key), "must be an integer");
    }
    if (number < min || number > max) {
      return bad(field(key), fmt::format("must be {}..{}", min, max));
    }
    return number;
  }

  Result<double> real(std::string_view key) const {
    const boost::json::value* value = find(key);
    if (value == nullptr) return 0.0;
    if (!value->is_number()) return bad(field(key), "must be a number");
    const double number = value->to_number<double>();
    if (!std::isfinite(number) || number < 0)
      return bad(field(key), "must be a finite number >= 0");
    return number;
  }

  Result<bool> boolean(std::string_view key, bool fallback) const {
    const boost::json::value* value = find(key);
    if (value == nullptr) return fallback;
    if (!value->is_bool()) return bad(field(key), "must be true or false");
    return value->get_bool();
  }

  Result<std::string> text(std::string_view key, std::size_t max_bytes, bool required) const {
    const boost::json::value* value = find(key);
    if (value == nullptr) {
      if (required) return bad(field(key), "is required");
      return std::string();
    }
    if (!value->is_string()) return bad(field(key), "must be a string");
    if (value->get_string().size() > max_bytes) {
      return bad(field(key), fmt::format("is longer than {} bytes", max_bytes));
    }
    return std::string(value->get_string());
  }

  Result<std::vector<std::string>> texts(std::string_view key) const {
    std::vector<std::string> out;
    const boost::json::value* value = find(key);
    if (value == nullptr) return out;
    if (!value->is_array()) return bad(field(key), "must be a list of strings");
    const boost::json::array& items = value->get_array();
    if (items.size() > kMaxWireListItems) {
      return bad(field(key), fmt::format("holds more than {} items", kMaxWireListItems));
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string item_field = fmt::format("{}[{}]", field(key), i);
      if (!items[i].is_string()) return bad(item_field, "must be a string");
      if (items[i].get_string().size() > kMaxWireStringBytes) {
        return bad(item_field, fmt::format("is longer than {} bytes", kMaxWireStringBytes));
      }
      out.emplace_back(items[i].get_string());
    }
    return out;
  }

 private:
  Fields(const boost::json::object& object, std::string parent)
      : object_(object), parent_(std::move(parent)) {}

  const boost::json::object& object_;
  std::string parent_;
};

Result<std::optional<scan::ServiceInfo>> service_from_json(const boost::json::value* value,
                                                           const std::string& field) {
  if (value == nullptr) return std::optional<scan::ServiceInfo>();
  SENTINEL_ASSIGN(
      fields, Fields::of(*value, field, {"service", "product", "version", "extra_info", "cpe"}));
  scan::ServiceInfo service;
  SENTINEL_ASSIGN(name, fields.text("service", kMaxWireStringBytes, false));
  SENTINEL_ASSIGN(product, fields.text("product", kMaxWireStringBytes, false));
  SENTINEL_ASSIGN(version, fields.text("version", kMaxWireStringBytes, false));
  SENTINEL_ASSIGN(info, fields.text("extra_info", kMaxWireStringBytes, false));
  SENTINEL_ASSIGN(cpes, fields.texts("cpe"));
  service.service = std::move(name);
  service.product = std::move(product);
  service.version = std::move(version);
  service.info = std::move(info);
  service.cpes = std::move(cpes);
  return std::optional<scan::ServiceInfo>(std::move(service));
}

Result<std::optional<scan::TlsFacts>> tls_from_wire(const boost::json::value* value,
                                                    const std::string& field) {
  if (value == nullptr) return std::optional<scan::TlsFacts>();
  SENTINEL_ASSIGN(
      fields, Fields::of(*value, field,
                         {"subject", "issuer", "subject_alt_names", "not_before", "not_before_ms",
                          "not_after", "not_after_ms", "self_signed", "key_type", "key_bits",
                          "fingerprint_sha256", "versions_tested", "versions_accepted"}));
  // The ISO forms of the two times are for people; the milliseconds are what counts.
  SENTINEL_TRY(fields.text("not_before", kMaxWireStringBytes, false));
  SENTINEL_TRY(fields.text("not_after", kMaxWireStringBytes, false));
  scan::TlsFacts tls;
  SENTINEL_ASSIGN(subject, fields.text("subject", kMaxWireStringBytes, false));
  SENTINEL_ASSIGN(issuer, fields.text("issuer", kMaxWireStringBytes, false));
  SENTINEL_ASSIGN(names, fields.texts("subject_alt_names"));
  SENTINEL_ASSIGN(not_before, fields.integer("not_before_ms", INT64_MIN, INT64_MAX, false));
  SENTINEL_ASSIGN(not_after, fields.integer("not_after_ms", INT64_MIN, INT64_MAX, false));
  SENTINEL_ASSIGN(self_signed, fields.boolean("self_signed", false));
  SENTINEL_ASSIGN(key_type, fields.text("key_type", kMaxWireStringBytes, false));
  SENTINEL_ASSIGN(key_bits, fields.integer("key_bits", 0, 1 << 20, false));
  SENTINEL_ASSIGN(fingerprint, fields.text("fingerprint_sha256", kMaxWireStringBytes, false));
  SENTINEL_ASSIGN(tested, fields.texts("versions_tested"));
  SENTINEL_ASSIGN(accepted, fields.texts("versions_accepted"));
  tls.subject = std::move(subject);
  tls.issuer = std::move(issuer);
  tls.subject_alt_names = std::move(names);
  tls.not_before_ms = fields.find("not_before_ms") != nullptr ? not_before : 0;
  tls.not_after_ms = fields.find("not_after_ms") != nullptr ? not_after : 0;
  tls.self_signed = self_signed;
  tls.key_type = std::move(key_type);
  tls.key_bits = static_cast<int>(key_bits);
  tls.fingerprint_sha256 = std::move(fingerprint);
  tls.versions_tested = std::move(tested);
  tls.versions_accepted = std::move(accepted);
  return std::optional<scan::TlsFacts>(std::move(tls));
}

Result<FoundPort> port_from_json(const boost::json::value& value, const std::string& field) {
  SENTINEL_ASSIGN(
      fields, Fields::of(value, field, {"port", "protocol", "state", "service", "tunnel", "tls"}));
  FoundPort port;
  SENTINEL_ASSIGN(number, fields.integer("port", 1, 65535, true));
  port.port = static_cast<std::uint16_t>(number);
  SENTINEL_ASSIGN(protocol, fields.text("protocol", 8, false));
  if (protocol == "udp") {
    port.protocol = scan::Protocol::kUdp;
  } else if (protocol.empty() || protocol == "tcp") {
    port.protocol = scan::Protocol::kTcp;
  } else {
    return bad(fields.field("protocol"), "must be tcp or udp");
  }
  SENTINEL_ASSIGN(state, fields.text("state", 16, false));
  if (state == "open|filtered") {
    port.state = scan::PortState::kOpenFiltered;
  } else if (!state.empty() && state != "open") {
    return bad(fields.field("state"), "must be open or open|filtered");
  }
  SENTINEL_ASSIGN(service, service_from_json(fields.find("service"), fields.field("service")));
  port.service = std::move(service);
  SENTINEL_ASSIGN(tunnel, fields.text("tunnel", 16, false));
  if (!tunnel.empty() && tunnel != "ssl") return bad(fields.field("tunnel"), "must be ssl or null");
  port.tunnel = std::move(tunnel);
  SENTINEL_ASSIGN(tls, tls_from_wire(fields.find("tls"), fields.field("tls")));
  port.tls = std::move(tls);
  return port;
}

/// Shards carry addresses only: a name in one is refused rather than resolved where it runs.
class NoNamesResolver final : public scan::HostResolver {
 public:
  Result<std::vector<scan::IpAddress>> resolve(const std::string& name) override {
    return invalid_argument(fmt::format("'{}': a shard names addresses only", name), "targets");
  }
};

// Length of the valid UTF-8 sequence at text[i], or 0 when the bytes there are not one.
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlong forms
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

// Valid UTF-8 of at most kMaxWireStringBytes bytes, never cut inside a character.
void fit_text(std::string& text) {
  std::string out;
  out.reserve(std::min(text.size(), kMaxWireStringBytes));
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence(text, i);
    const std::size_t taken = length == 0 ? 1 : length;
    if (out.size() + taken > kMaxWireStringBytes) break;
    if (length == 0) {
      out += '?';
    } else {
      out.append(text, i, length);
    }
    i += taken;
  }
  text = std::move(out);
}

void fit_list(std::vector<std::string>& items) {
  if (items.size() > kMaxWireListItems) items.resize(kMaxWireListItems);
  for (std::string& item : items) fit_text(item);
}

}  // namespace

void fit_for_wire(FoundHost& host) {
  if (host.ports.size() > kMaxPortsPerHost) host.ports.resize(kMaxPortsPerHost);
  for (FoundPort& port : host.ports) {
    fit_text(port.tunnel);
    if (port.service) {
      scan::ServiceInfo& service = *port.service;
      for (std::string* text :
           {&service.service, &service.product, &service.version, &service.info}) {
        fit_text(*text);
      }
      fit_list(service.cpes);
    }
    if (port.tls) {
      scan::TlsFacts& tls = *port.tls;
      for (std::string* text :
           {&tls.subject, &tls.issuer, &tls.key_type, &tls.fingerprint_sha256}) {
        fit_text(*text);
      }
      fit_list(tls.subject_alt_names);
      fit_list(tls.versions_tested);
      fit_list(tls.versions_accepted);
    }
  }
}

Result<scan::TargetSet> parse_shard_targets(std::string_view targets) {
  NoNamesResolver resolver;
  return scan::TargetSet::parse(targets, "", resolver);
}

std::string_view to_string(ShardState state) {
  switch (state) {
    case ShardState::kRunning:
      return "running";
    case ShardState::kDone:
      return "done";
    case ShardState::kFailed:
      return "failed";
  }
  return "failed";
}

boost::json::value service_json(const std::optional<scan::ServiceInfo>& service) {
  if (!service) return nullptr;
  return boost::json::object{{"service", text_or_null(service->service)},
                             {"product", text_or_null(service->product)},
                             {"version", text_or_null(service->version)},
                             {"extra_info", text_or_null(service->info)},
                             {"cpe", strings(service->cpes)}};
}

boost::json::value tls_json(const std::optional<scan::TlsFacts>& tls) {
  if (!tls) return nullptr;
  return boost::json::object{{"subject", tls->subject},
                             {"issuer", tls->issuer},
                             {"subject_alt_names", strings(tls->subject_alt_names)},
                             {"not_before", iso8601_utc(tls->not_before_ms)},
                             {"not_before_ms", tls->not_before_ms},
                             {"not_after", iso8601_utc(tls->not_after_ms)},
                             {"not_after_ms", tls->not_after_ms},
                             {"self_signed", tls->self_signed},
                             {"key_type", tls->key_type},
                             {"key_bits", tls->key_bits},
                             {"fingerprint_sha256", tls->fingerprint_sha256},
                             {"versions_tested", strings(tls->versions_tested)},
                             {"versions_accepted", strings(tls->versions_accepted)}};
}

bool is_host_reason(std::string_view reason) {
  return !reason.empty() && reason.size() <= 32 &&
         std::all_of(reason.begin(), reason.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

bool is_mac_text(std::string_view mac) {
  if (mac.size() != 17) return false;
  for (std::size_t i = 0; i < mac.size(); ++i) {
    const char c = mac[i];
    const bool ok = i % 3 == 2 ? c == ':' : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!ok) return false;
  }
  return true;
}

boost::json::object found_host_json(const FoundHost& host) {
  boost::json::array ports;
  for (const FoundPort& port : host.ports) {
    boost::json::object item{{"port", port.port},
                             {"protocol", to_string(port.protocol)},
                             {"service", service_json(port.service)},
                             {"tunnel", text_or_null(port.tunnel)},
                             {"tls", tls_json(port.tls)}};
    // Open is said by leaving the state out, so that a server from before UDP scanning, whose
    // decoder refuses fields it does not know, still takes the reports of TCP shards.
    if (port.state != scan::PortState::kOpen) item["state"] = scan::to_string(port.state);
    ports.push_back(std::move(item));
  }
  boost::json::object out{{"address", host.address.to_string()}, {"ports", std::move(ports)}};
  // Only when known, so that a server from before agents found hosts takes the rest.
  if (!host.reason.empty()) out["reason"] = host.reason;
  if (!host.mac.empty()) out["mac"] = host.mac;
  return out;
}

Result<FoundHost> found_host_from_json(const boost::json::value& value, const std::string& field) {
  SENTINEL_ASSIGN(fields, Fields::of(value, field, {"address", "reason", "mac", "ports"}));
  SENTINEL_ASSIGN(address_text, fields.text("address", 64, true));
  const auto address = scan::IpAddress::parse(address_text);
  if (!address) return bad(fields.field("address"), "must be an IPv4 or IPv6 address");
  FoundHost host;
  host.address = *address;
  SENTINEL_ASSIGN(reason, fields.text("reason", 32, false));
  if (fields.find("reason") != nullptr && !is_host_reason(reason)) {
    return bad(fields.field("reason"), "must be a discovery reason such as arp-response");
  }
  SENTINEL_ASSIGN(mac, fields.text("mac", 17, false));
  if (fields.find("mac") != nullptr && !is_mac_text(mac)) {
    return bad(fields.field("mac"), "must be a MAC such as 02:00:5e:10:00:01");
  }
  if (!mac.empty() && reason.empty()) {
    return bad(fields.field("mac"), "is known only with how the host was found (reason)");
  }
  host.reason = std::move(reason);
  host.mac = std::move(mac);
  const boost::json::value* ports = fields.find("ports");
  if (ports == nullptr) return host;
  if (!ports->is_array()) return bad(fields.field("ports"), "must be a list");
  if (ports->get_array().size() > kMaxPortsPerHost) {
    return bad(fields.field("ports"), fmt::format("holds more than {} ports", kMaxPortsPerHost));
  }
  std::size_t index = 0;
  for (const boost::json::value& item : ports->get_array()) {
    SENTINEL_ASSIGN(port,
                    port_from_json(item, fmt::format("{}[{}]", fields.field("ports"), index++)));
    host.ports.push_back(std::move(port));
  }
  return host;
}

boost::json::object encode(const ShardStart& start) {
  boost::json::object out{{"job_id", start.job_id},
                          {"shard", start.shard},
                          {"targets", start.targets},
                          {"ports", start.ports},
                          {"scope", start.scope},
                          {"raw", start.raw},
                          {"service_detection", start.service_detection}};
  // Only when true: an agent from before discovery refuses the field it does not know, and so
  // scans no shard without finding hosts first that it was asked to find them in (the server
  // then decides to start it without, and says so in the job: shard_dispatch.cpp).
  if (start.discovery) out["discovery"] = true;
  // Likewise only when set: an older agent must refuse a cap rather than scan without it.
  if (start.max_rate) out["max_rate"] = *start.max_rate;
  if (start.max_concurrency) out["max_concurrency"] = *start.max_concurrency;
  return out;
}

boost::json::object encode(const ShardRef& ref) {
  return {{"job_id", ref.job_id}, {"shard", ref.shard}};
}

boost::json::object encode(const ShardReport& report) {
  boost::json::array hosts;
  for (const FoundHost& host : report.hosts) hosts.push_back(found_host_json(host));
  boost::json::object out{{"state", to_string(report.state)},
                          {"pairs_done", report.pairs_done},
                          {"pairs_total", report.pairs_total},
                          {"open_found", report.open_found},
                          {"rate", report.rate},
                          {"hosts", std::move(hosts)}};
  if (!report.error.empty()) out["error"] = report.error;
  if (!report.phase.empty()) out["phase"] = report.phase;
  return out;
}

Result<ShardStart> decode_shard_start(const boost::json::object& args) {
  SENTINEL_ASSIGN(fields,
                  Fields::of(args, "",
                             {"job_id", "shard", "targets", "ports", "scope", "raw",
                              "service_detection", "discovery", "max_rate", "max_concurrency"}));
  ShardStart start;
  if (fields.find("max_rate") != nullptr) {
    SENTINEL_ASSIGN(rate, fields.real("max_rate"));
    if (!(rate > 0) || rate > kMaxProbeRate) {
      return bad("max_rate", fmt::format("must be more than 0 and at most {}", kMaxProbeRate));
    }
    start.max_rate = rate;
  }
  if (fields.find("max_concurrency") != nullptr) {
    SENTINEL_ASSIGN(concurrency, fields.integer("max_concurrency", 1, kMaxProbeConcurrency, true));
    start.max_concurrency = concurrency;
  }
  SENTINEL_ASSIGN(job_id, fields.integer("job_id", 1, INT64_MAX, true));
  SENTINEL_ASSIGN(shard, fields.integer("shard", 0, INT64_MAX, true));
  SENTINEL_ASSIGN(targets, fields.text("targets", kMaxShardTargetsBytes, true));
  SENTINEL_ASSIGN(ports, fields.text("ports", kMaxShardPortsBytes, true));
  SENTINEL_ASSIGN(scope, fields.text("scope", kMaxShardScopeBytes, true));
  SENTINEL_ASSIGN(raw, fields.boolean("raw", true));
  SENTINEL_ASSIGN(detection, fields.boolean("service_detection", false));
  SENTINEL_ASSIGN(discovery, fields.boolean("discovery", false));
  if (targets.empty()) return bad("targets", "must name at least one address");
  if (ports.empty()) return bad("ports", "must name at least one port");
  if (scope.empty()) return bad("scope", "must name at least one network");
  start.job_id = job_id;
  start.shard = shard;
  start.targets = std::move(targets);
  start.ports = std::move(ports);
  start.scope = std::move(scope);
  start.raw = raw;
  start.service_detection = detection;
  start.discovery = discovery;
  return start;
}

bool refuses_unknown_field(std::string_view error, std::string_view field) {
  // Exactly the decoder's words for a top-level key ("discovery: unknown field"): a field of
  // that name deeper in the arguments, or any other complaint, is not an old agent's.
  return error == fmt::format("{}: {}", field, kUnknownField);
}

Result<ShardRef> decode_shard_ref(const boost::json::object& args) {
  SENTINEL_ASSIGN(fields, Fields::of(args, "", {"job_id", "shard"}));
  SENTINEL_ASSIGN(job_id, fields.integer("job_id", 1, INT64_MAX, true));
  SENTINEL_ASSIGN(shard, fields.integer("shard", 0, INT64_MAX, true));
  return ShardRef{job_id, shard};
}

Result<ShardReport> decode_shard_report(const boost::json::object& answer) {
  SENTINEL_ASSIGN(fields, Fields::of(answer, "",
                                     {"state", "pairs_done", "pairs_total", "open_found", "rate",
                                      "hosts", "error", "phase"}));
  ShardReport report;
  SENTINEL_ASSIGN(state, fields.text("state", 16, true));
  if (state == "running") {
    report.state = ShardState::kRunning;
  } else if (state == "done") {
    report.state = ShardState::kDone;
  } else if (state == "failed") {
    report.state = ShardState::kFailed;
  } else {
    return bad("state", "must be running, done or failed");
  }
  SENTINEL_ASSIGN(pairs_total, fields.integer("pairs_total", 0, INT64_MAX, false));
  SENTINEL_ASSIGN(pairs_done, fields.integer("pairs_done", 0, INT64_MAX, false));
  SENTINEL_ASSIGN(open_found, fields.integer("open_found", 0, INT64_MAX, false));
  SENTINEL_ASSIGN(rate, fields.real("rate"));
  SENTINEL_ASSIGN(error, fields.text("error", 1024, false));
  SENTINEL_ASSIGN(phase, fields.text("phase", 16, false));
  if (!phase.empty() && phase != "discovery" && phase != "ports" && phase != "services") {
    return bad("phase", "must be discovery, ports or services");
  }
  report.phase = std::move(phase);
  report.pairs_total = pairs_total;
  report.pairs_done = pairs_done;
  report.open_found = open_found;
  report.rate = rate;
  report.error = std::move(error);
  if (pairs_done > pairs_total) return bad("pairs_done", "must not exceed pairs_total");
  if (const boost::json::value* hosts = fields.find("hosts"); hosts != nullptr) {
    if (!hosts->is_array()) return bad("hosts", "must be a list");
    if (hosts->get_array().size() > kMaxHostsPerReport) {
      return bad("hosts", fmt::format("holds more than {} hosts", kMaxHostsPerReport));
    }
    std::size_t index = 0;
    for (const boost::json::value& item : hosts->get_array()) {
      SENTINEL_ASSIGN(host, found_host_from_json(item, fmt::format("hosts[{}]", index++)));
      report.hosts.push_back(std::move(host));
    }
  }
  return report;
}

}  // namespace sentinel::scanner
