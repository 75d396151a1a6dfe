#include "sentinel/server/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>

#include "sentinel/scan/scan_scope.h"

namespace sentinel::server {
namespace {

using Values = std::vector<std::string>;
using Setter = std::function<Status(ServerConfig&, const Values&)>;

/// One settable key of the tree.
struct Field {
  std::string key;
  Setter set;
  bool list = false;  // environment and flag values are comma-separated
};

Status single(const Values& values) {
  if (values.size() != 1) return invalid_argument("expects a single value, not a list");
  return ok();
}

Setter text(std::string ServerConfig::*member) {
  return [member](ServerConfig& config, const Values& values) -> Status {
    SENTINEL_TRY(single(values));
    config.*member = values.front();
    return ok();
  };
}

template <typename Section>
Setter text(Section ServerConfig::*section, std::string Section::*member) {
  return [section, member](ServerConfig& config, const Values& values) -> Status {
    SENTINEL_TRY(single(values));
    config.*section.*member = values.front();
    return ok();
  };
}

Result<std::int64_t> parse_integer(const std::string& text, std::int64_t min, std::int64_t max) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return invalid_argument(fmt::format("'{}' is not an integer", text));
  }
  if (value < min || value > max) {
    return invalid_argument(fmt::format("{} is outside {}..{}", value, min, max));
  }
  return value;
}

template <typename Section>
Setter integer(Section ServerConfig::*section, std::int64_t Section::*member, std::int64_t min,
               std::int64_t max) {
  return [=](ServerConfig& config, const Values& values) -> Status {
    SENTINEL_TRY(single(values));
    SENTINEL_ASSIGN(value, parse_integer(values.front(), min, max));
    config.*section.*member = value;
    return ok();
  };
}

Setter tls_text(std::string TlsConfig::*member) {
  return [member](ServerConfig& config, const Values& values) -> Status {
    SENTINEL_TRY(single(values));
    config.gateway.tls.*member = values.front();
    return ok();
  };
}

const std::vector<Field>& fields() {
  static const std::vector<Field> all = {
      {"data_dir", text(&ServerConfig::data_dir)},
      {"db", text(&ServerConfig::db)},
      {"bus", text(&ServerConfig::bus)},
      {"targets",
       [](ServerConfig& config, const Values& values) -> Status {
         if (values.empty()) return invalid_argument("needs at least one target");
         config.targets = values;
         return ok();
       },
       true},
      {"log.level", text(&ServerConfig::log, &LogConfig::level)},
      {"log.format", text(&ServerConfig::log, &LogConfig::format)},
      {"gateway.listen", text(&ServerConfig::gateway, &GatewayConfig::listen)},
      {"gateway.web_root", text(&ServerConfig::gateway, &GatewayConfig::web_root)},
      {"gateway.max_body_bytes",
       integer(&ServerConfig::gateway, &GatewayConfig::max_body_bytes, 1024, 1LL << 30)},
      {"gateway.max_header_bytes",
       integer(&ServerConfig::gateway, &GatewayConfig::max_header_bytes, 1024, 1 << 20)},
      {"gateway.idle_timeout_s",
       integer(&ServerConfig::gateway, &GatewayConfig::idle_timeout_s, 1, 3600)},
      {"gateway.request_timeout_s",
       integer(&ServerConfig::gateway, &GatewayConfig::request_timeout_s, 1, 3600)},
      {"gateway.io_threads", integer(&ServerConfig::gateway, &GatewayConfig::io_threads, 1, 64)},
      {"gateway.worker_threads",
       integer(&ServerConfig::gateway, &GatewayConfig::worker_threads, 1, 256)},
      {"gateway.long_running_threads",
       integer(&ServerConfig::gateway, &GatewayConfig::long_running_threads, 1, 256)},
      {"gateway.long_running_queue",
       integer(&ServerConfig::gateway, &GatewayConfig::long_running_queue, 0, 1024)},
      {"gateway.tls.cert_file", tls_text(&TlsConfig::cert_file)},
      {"gateway.tls.key_file", tls_text(&TlsConfig::key_file)},
      {"gateway.tls.min_version", tls_text(&TlsConfig::min_version)},
      {"auth.session_idle_minutes",
       integer(&ServerConfig::auth, &AuthConfig::session_idle_minutes, 1, 7 * 24 * 60)},
      {"auth.session_absolute_hours",
       integer(&ServerConfig::auth, &AuthConfig::session_absolute_hours, 1, 30 * 24)},
      {"auth.lockout_threshold",
       integer(&ServerConfig::auth, &AuthConfig::lockout_threshold, 1, 1000)},
      {"auth.lockout_base_seconds",
       integer(&ServerConfig::auth, &AuthConfig::lockout_base_seconds, 1, 3600)},
      {"auth.lockout_max_seconds",
       integer(&ServerConfig::auth, &AuthConfig::lockout_max_seconds, 1, 24 * 3600)},
      {"auth.totp_issuer", text(&ServerConfig::auth, &AuthConfig::totp_issuer)},
      {"auth.principal_cache_ms",
       integer(&ServerConfig::auth, &AuthConfig::principal_cache_ms, 0, 60'000)},
      {"agents.listen", text(&ServerConfig::agents, &AgentsConfig::listen)},
      {"agents.public_url", text(&ServerConfig::agents, &AgentsConfig::public_url)},
      {"agents.public_channel_url", text(&ServerConfig::agents, &AgentsConfig::public_channel_url)},
      {"agents.certificate_lifetime_minutes",
       integer(&ServerConfig::agents, &AgentsConfig::certificate_lifetime_minutes, 1,
               366 * 24 * 60)},
      {"agents.heartbeat_s", integer(&ServerConfig::agents, &AgentsConfig::heartbeat_s, 1, 3600)},
      {"agents.offline_after_s",
       integer(&ServerConfig::agents, &AgentsConfig::offline_after_s, 2, 24 * 3600)},
      {"agents.enroll_token_minutes",
       integer(&ServerConfig::agents, &AgentsConfig::enroll_token_minutes, 1, 7 * 24 * 60)},
      {"detection.rules_dirs",
       [](ServerConfig& config, const Values& values) -> Status {
         config.detection.rules_dirs = values;
         return ok();
       },
       true},
      {"detection.queue_events",
       integer(&ServerConfig::detection, &DetectionConfig::queue_events, 1024, 10000000)},
      {"events.retention_days",
       integer(&ServerConfig::events, &EventsConfig::retention_days, 1, 36500)},
      {"agents.channel_names",
       [](ServerConfig& config, const Values& values) -> Status {
         config.agents.channel_names = values;
         return ok();
       },
       true},
      {"scanner.raw_sockets",
       [](ServerConfig& config, const Values& values) -> Status {
         SENTINEL_TRY(single(values));
         if (values.front() != "true" && values.front() != "false") {
           return invalid_argument(fmt::format("'{}' is not true or false", values.front()));
         }
         config.scanner.raw_sockets = values.front() == "true";
         return ok();
       }},
      {"scanner.service_detection",
       [](ServerConfig& config, const Values& values) -> Status {
         SENTINEL_TRY(single(values));
         if (values.front() != "true" && values.front() != "false") {
           return invalid_argument(fmt::format("'{}' is not true or false", values.front()));
         }
         config.scanner.service_detection = values.front() == "true";
         return ok();
       }},
      {"scanner.schedule_min_interval_s",
       integer(&ServerConfig::scanner, &ScannerConfig::schedule_min_interval_s, 1, 86400)},
      {"scanner.nmap_path", text(&ServerConfig::scanner, &ScannerConfig::nmap_path)},
      {"scanner.nmap_timeout_s",
       integer(&ServerConfig::scanner, &ScannerConfig::nmap_timeout_s, 1, 7 * 86400)},
      {"scanner.scopes",
       [](ServerConfig& config, const Values& values) -> Status {
         config.scanner.scopes = values;
         return ok();
       },
       true},
      {"firewall.confirm_grace_s",
       integer(&ServerConfig::firewall, &FirewallConfig::confirm_grace_s, 5, 3600)},
  };
  return all;
}

/// Short environment names for the keys people set most.
const std::map<std::string, std::string>& environment_aliases() {
  static const std::map<std::string, std::string> aliases = {
      {"SENTINEL_LISTEN", "gateway.listen"},
      {"SENTINEL_DATA_DIR", "data_dir"},
      {"SENTINEL_DB", "db"},
      {"SENTINEL_BUS", "bus"},
      {"SENTINEL_TARGET", "targets"},
      {"SENTINEL_LOG_LEVEL", "log.level"},
  };
  return aliases;
}

const Field* find_field(const std::string& key) {
  for (const Field& field : fields()) {
    if (field.key == key) return &field;
  }
  return nullptr;
}

Values split_list(const std::string& text) {
  Values out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::size_t end = comma == std::string::npos ? text.size() : comma;
    std::string item = text.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

/// Collects problems so that every one is reported at once.
class Problems {
 public:
  void add(const std::string& where, const std::string& what) {
    lines_.push_back(fmt::format("{}: {}", where, what));
  }
  bool empty() const { return lines_.empty(); }
  std::string joined() const { return fmt::format("{}", fmt::join(lines_, "\n")); }

 private:
  std::vector<std::string> lines_;
};

/// Values of a key given as one string (environment, flag): lists are comma-separated.
Values values_of(const std::string& key, const std::string& text) {
  const Field* field = find_field(key);
  return field != nullptr && field->list ? split_list(text) : Values{text};
}

void apply(ServerConfig& config, const std::string& where, const std::string& key,
           const Values& values, Problems& problems) {
  const Field* field = find_field(key);
  if (field == nullptr) {
    problems.add(where, fmt::format("{}: unknown key", key));
    return;
  }
  if (Status status = field->set(config, values); !status) {
    problems.add(where, fmt::format("{}: {}", key, status.error().message));
  }
}

void apply_yaml(ServerConfig& config, const std::string& file, const YAML::Node& node,
                const std::string& prefix, Problems& problems) {
  const auto where = [&](const YAML::Node& at) {
    return fmt::format("{}:{}", file, at.Mark().line + 1);
  };
  if (!node.IsMap()) {
    problems.add(where(node),
                 fmt::format("{}: expected a mapping", prefix.empty() ? "<root>" : prefix));
    return;
  }
  for (const auto& entry : node) {
    const std::string key = prefix.empty() ? entry.first.as<std::string>()
                                           : prefix + "." + entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    if (value.IsMap()) {
      apply_yaml(config, file, value, key, problems);
    } else if (value.IsSequence()) {
      Values values;
      bool scalars = true;
      for (const auto& item : value) {
        if (!item.IsScalar())
          scalars = false;
        else
          values.push_back(item.as<std::string>());
      }
      if (!scalars)
        problems.add(where(value), fmt::format("{}: expected a list of scalars", key));
      else
        apply(config, where(entry.first), key, values, problems);
    } else if (value.IsScalar()) {
      apply(config, where(entry.first), key, {value.as<std::string>()}, problems);
    } else {
      problems.add(where(entry.first), fmt::format("{}: has no value", key));
    }
  }
}

bool valid_listen(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  return parse_integer(listen.substr(colon + 1), 0, 65535).has_value();
}

bool has_scheme(const std::string& url, std::initializer_list<std::string_view> schemes) {
  for (std::string_view scheme : schemes) {
    if (url.size() > scheme.size() && url.compare(0, scheme.size(), scheme) == 0) return true;
  }
  return false;
}

void validate_agents(const AgentsConfig& agents, Problems& problems) {
  if (!valid_listen(agents.listen)) {
    problems.add("agents.listen", fmt::format("'{}' is not HOST:PORT", agents.listen));
  }
  const auto no_spaces = [](const std::string& text) {
    return std::none_of(text.begin(), text.end(),
                        [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
  };
  if (!agents.public_url.empty() &&
      (!has_scheme(agents.public_url, {"https://"}) || !no_spaces(agents.public_url))) {
    problems.add("agents.public_url", "must be an https:// URL without spaces");
  }
  if (!agents.public_channel_url.empty() &&
      (!has_scheme(agents.public_channel_url, {"wss://", "https://"}) ||
       !no_spaces(agents.public_channel_url))) {
    problems.add("agents.public_channel_url", "must be a wss:// or https:// URL without spaces");
  }
  if (agents.offline_after_s <= agents.heartbeat_s) {
    problems.add("agents.offline_after_s",
                 fmt::format("must be longer than agents.heartbeat_s ({})", agents.heartbeat_s));
  }
  for (const std::string& name : agents.channel_names) {
    if (name.empty() || name.size() > 253 || !no_spaces(name) ||
        name.find(',') != std::string::npos) {
      problems.add("agents.channel_names", fmt::format("'{}' is not a host name or address", name));
    }
  }
}

void validate(const ServerConfig& config, Problems& problems) {
  if (!valid_listen(config.gateway.listen)) {
    problems.add("gateway.listen", fmt::format("'{}' is not HOST:PORT", config.gateway.listen));
  }
  if (config.gateway.tls.min_version != "1.3" && config.gateway.tls.min_version != "1.2") {
    problems.add("gateway.tls.min_version", "must be 1.3 or 1.2");
  }
  if (config.gateway.tls.cert_file.empty() != config.gateway.tls.key_file.empty()) {
    problems.add("gateway.tls", "cert_file and key_file go together");
  }
  static const std::vector<std::string> levels = {"trace", "debug", "info", "warn", "error"};
  if (std::find(levels.begin(), levels.end(), config.log.level) == levels.end()) {
    problems.add("log.level", fmt::format("'{}' is not one of trace, debug, info, warn, error",
                                          config.log.level));
  }
  if (config.log.format != "text" && config.log.format != "json") {
    problems.add("log.format", "must be text or json");
  }
  const std::string url = config.database_url();
  if (url.rfind("sqlite:", 0) != 0 && url.rfind("postgresql://", 0) != 0 &&
      url.rfind("postgres://", 0) != 0) {
    problems.add("db", "must start with sqlite:, postgresql:// or postgres://");
  }
  if (config.bus != "inproc") {
    problems.add("bus", fmt::format("'{}' is not supported yet (only inproc)", config.bus));
  }
  if (config.data_dir.empty()) problems.add("data_dir", "must not be empty");
  validate_agents(config.agents, problems);
  for (const std::string& scope : config.scanner.scopes) {
    if (auto parsed = scan::ScanScope::parse(scope, "scanner.scopes"); !parsed) {
      problems.add("scanner.scopes", parsed.error().message);
    }
  }
}

}  // namespace

std::string ServerConfig::database_url() const {
  return db.empty() ? "sqlite:" + data_dir + "/sentinel.db" : db;
}

std::string environment_name(const std::string& dotted_key) {
  std::string name = "SENTINEL_";
  for (char c : dotted_key) {
    if (c == '.')
      name += "__";
    else
      name.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return name;
}

std::vector<std::string> config_keys() {
  std::vector<std::string> keys;
  for (const Field& field : fields()) keys.push_back(field.key);
  return keys;
}

Result<ServerConfig> load_config(const ConfigSources& sources) {
  ServerConfig config;
  Problems problems;

  if (sources.file) {
    try {
      apply_yaml(config, *sources.file, YAML::LoadFile(*sources.file), "", problems);
    } catch (const YAML::BadFile&) {
      problems.add(*sources.file, "cannot read the file");
    } catch (const YAML::Exception& e) {
      problems.add(fmt::format("{}:{}", *sources.file, e.mark.line + 1), e.msg);
    }
  }

  for (const Field& field : fields()) {
    const auto generic = sources.environment.find(environment_name(field.key));
    if (generic != sources.environment.end()) {
      apply(config, generic->first, field.key, values_of(field.key, generic->second), problems);
    }
  }
  for (const auto& [variable, key] : environment_aliases()) {
    const auto it = sources.environment.find(variable);
    if (it != sources.environment.end()) {
      apply(config, variable, key, values_of(key, it->second), problems);
    }
  }

  for (const auto& [key, value] : sources.flags) {
    apply(config, "--" + key, key, values_of(key, value), problems);
  }

  validate(config, problems);
  if (!problems.empty()) return invalid_argument(problems.joined());
  return config;
}

}  // namespace sentinel::server
