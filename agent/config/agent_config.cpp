#include "agent/config/agent_config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <functional>
#include <map>

namespace sentinel::agent {
namespace {

using Values = std::vector<std::string>;
using Setter = std::function<Status(AgentConfig&, const Values&)>;

struct Field {
  Setter set;
  bool list = false;
  bool runtime = false;  // may be changed by the server's set_config
};

Status single(const Values& values) {
  if (values.size() != 1) return invalid_argument("expects a single value, not a list");
  return ok();
}

Setter text(std::string AgentConfig::*member, std::vector<std::string> allowed = {}) {
  return [member, allowed](AgentConfig& config, const Values& values) -> Status {
    SENTINEL_TRY(single(values));
    if (!allowed.empty() &&
        std::find(allowed.begin(), allowed.end(), values.front()) == allowed.end()) {
      return invalid_argument(
          fmt::format("'{}' is not one of {}", values.front(), fmt::join(allowed, ", ")));
    }
    config.*member = values.front();
    return ok();
  };
}

Setter integer(std::int64_t AgentConfig::*member, std::int64_t min, std::int64_t max) {
  return [=](AgentConfig& config, const Values& values) -> Status {
    SENTINEL_TRY(single(values));
    const std::string& text = values.front();
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return invalid_argument(fmt::format("'{}' is not an integer", text));
    }
    if (value < min || value > max) {
      return invalid_argument(fmt::format("{} is outside {}..{}", value, min, max));
    }
    config.*member = value;
    return ok();
  };
}

Setter boolean(bool AgentConfig::*member) {
  return [member](AgentConfig& config, const Values& values) -> Status {
    SENTINEL_TRY(single(values));
    if (values.front() != "true" && values.front() != "false") {
      return invalid_argument(fmt::format("'{}' is not true or false", values.front()));
    }
    config.*member = values.front() == "true";
    return ok();
  };
}

Setter list(std::vector<std::string> AgentConfig::*member) {
  return [member](AgentConfig& config, const Values& values) -> Status {
    config.*member = values;
    return ok();
  };
}

const std::map<std::string, Field>& fields() {
  static const std::map<std::string, Field> all = {
      {"server", {text(&AgentConfig::server)}},
      {"channel", {text(&AgentConfig::channel)}},
      {"log_level",
       {text(&AgentConfig::log_level, {"trace", "debug", "info", "warn", "error"}), false, true}},
      {"heartbeat_s", {integer(&AgentConfig::heartbeat_s, 1, 3600), false, true}},
      {"inventory.interval_s",
       {integer(&AgentConfig::inventory_interval_s, 5, 7 * 24 * 3600), false, true}},
      {"spool.max_mb", {integer(&AgentConfig::spool_max_mb, 1, 1 << 20)}},
      {"spool.sync", {text(&AgentConfig::spool_sync, {"process", "power"})}},
      {"limits.memory_mb", {integer(&AgentConfig::memory_max_mb, 16, 1 << 20), false, true}},
      {"limits.cpu_percent", {integer(&AgentConfig::cpu_max_percent, 1, 100), false, true}},
      {"sandbox.enabled", {boolean(&AgentConfig::sandbox)}},
      {"sandbox.user", {text(&AgentConfig::sandbox_user)}},
      {"logs.files", {list(&AgentConfig::log_files), true}},
      {"logs.journal", {boolean(&AgentConfig::log_journal)}},
      {"fim.paths", {list(&AgentConfig::fim_paths), true}},
      {"fim.exclude", {list(&AgentConfig::fim_exclude), true}},
      {"fim.interval_s", {integer(&AgentConfig::fim_interval_s, 60, 30 * 24 * 3600)}},
      {"process.enabled", {boolean(&AgentConfig::process_events)}},
      {"firewall.enabled", {boolean(&AgentConfig::firewall)}},
  };
  return all;
}

void apply_yaml(AgentConfig& config, const std::string& file, const YAML::Node& node,
                const std::string& prefix, std::vector<std::string>& problems) {
  const auto where = [&](const YAML::Node& at) {
    return fmt::format("{}:{}", file, at.Mark().line + 1);
  };
  if (!node.IsMap()) {
    problems.push_back(
        fmt::format("{}: {}: expected a mapping", where(node), prefix.empty() ? "(top)" : prefix));
    return;
  }
  for (const auto& entry : node) {
    const std::string key = prefix + entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    const auto field = fields().find(key);
    if (field == fields().end()) {
      if (value.IsMap()) {
        apply_yaml(config, file, value, key + ".", problems);
      } else {
        problems.push_back(fmt::format("{}: {}: unknown key", where(entry.first), key));
      }
      continue;
    }
    Values values;
    if (value.IsSequence()) {
      if (!field->second.list) {
        problems.push_back(fmt::format("{}: {}: expects a single value", where(value), key));
        continue;
      }
      for (const auto& item : value) {
        if (!item.IsScalar()) {
          problems.push_back(fmt::format("{}: {}: list items must be scalars", where(item), key));
          continue;
        }
        values.push_back(item.as<std::string>());
      }
    } else if (value.IsScalar()) {
      if (field->second.list) {
        problems.push_back(fmt::format("{}: {}: expects a list", where(value), key));
        continue;
      }
      values.push_back(value.as<std::string>());
    } else if (value.IsNull() && field->second.list) {
      // "files:" with nothing after it: an empty list.
    } else {
      problems.push_back(fmt::format("{}: {}: expected a value", where(value), key));
      continue;
    }
    if (Status status = field->second.set(config, values); !status) {
      problems.push_back(fmt::format("{}: {}: {}", where(value), key, status.error().message));
    }
  }
}

void apply_json(AgentConfig& config, const boost::json::object& object, const std::string& prefix,
                std::vector<std::string>& problems) {
  for (const auto& [name, value] : object) {
    const std::string key = prefix + std::string(name);
    const auto field = fields().find(key);
    if (field == fields().end()) {
      if (value.is_object()) {
        apply_json(config, value.as_object(), key + ".", problems);
      } else {
        problems.push_back(fmt::format("{}: unknown key", key));
      }
      continue;
    }
    if (!field->second.runtime) {
      problems.push_back(fmt::format("{}: cannot be changed centrally", key));
      continue;
    }
    Values values;
    if (value.is_string()) {
      values.emplace_back(value.as_string());
    } else if (value.is_int64()) {
      values.push_back(std::to_string(value.as_int64()));
    } else if (value.is_bool()) {
      values.emplace_back(value.as_bool() ? "true" : "false");
    } else {
      problems.push_back(fmt::format("{}: expected a string, integer or boolean", key));
      continue;
    }
    if (Status status = field->second.set(config, values); !status) {
      problems.push_back(fmt::format("{}: {}", key, status.error().message));
    }
  }
}

Error problems_error(const std::vector<std::string>& problems) {
  return invalid_argument(fmt::format("{}", fmt::join(problems, "\n")));
}

}  // namespace

Result<AgentConfig> load_agent_config(const std::string& file, AgentConfig base) {
  std::vector<std::string> problems;
  try {
    const YAML::Node root = YAML::LoadFile(file);
    if (!root.IsNull()) apply_yaml(base, file, root, "", problems);
  } catch (const YAML::BadFile&) {
    return invalid_argument(fmt::format("{}: cannot read the file", file));
  } catch (const YAML::Exception& e) {
    return invalid_argument(fmt::format("{}:{}: {}", file, e.mark.line + 1, e.msg));
  }
  if (!problems.empty()) return problems_error(problems);
  return base;
}

Result<AgentConfig> apply_central_config(const boost::json::object& overrides, AgentConfig base) {
  std::vector<std::string> problems;
  apply_json(base, overrides, "", problems);
  if (!problems.empty()) return problems_error(problems);
  return base;
}

std::string to_yaml(const AgentConfig& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "server" << YAML::Value << config.server;
  out << YAML::Key << "channel" << YAML::Value << config.channel;
  out << YAML::Key << "log_level" << YAML::Value << config.log_level;
  out << YAML::Key << "heartbeat_s" << YAML::Value << config.heartbeat_s;
  out << YAML::Key << "inventory" << YAML::Value << YAML::BeginMap << YAML::Key << "interval_s"
      << YAML::Value << config.inventory_interval_s << YAML::EndMap;
  out << YAML::Key << "spool" << YAML::Value << YAML::BeginMap << YAML::Key << "max_mb"
      << YAML::Value << config.spool_max_mb << YAML::Key << "sync" << YAML::Value
      << config.spool_sync << YAML::EndMap;
  out << YAML::Key << "limits" << YAML::Value << YAML::BeginMap << YAML::Key << "memory_mb"
      << YAML::Value << config.memory_max_mb << YAML::Key << "cpu_percent" << YAML::Value
      << config.cpu_max_percent << YAML::EndMap;
  out << YAML::Key << "sandbox" << YAML::Value << YAML::BeginMap << YAML::Key << "enabled"
      << YAML::Value << config.sandbox << YAML::Key << "user" << YAML::Value << config.sandbox_user
      << YAML::EndMap;
  out << YAML::Key << "logs" << YAML::Value << YAML::BeginMap << YAML::Key << "files" << YAML::Value
      << YAML::Flow << config.log_files << YAML::Key << "journal" << YAML::Value
      << config.log_journal << YAML::EndMap;
  out << YAML::Key << "fim" << YAML::Value << YAML::BeginMap << YAML::Key << "paths" << YAML::Value
      << YAML::Flow << config.fim_paths << YAML::Key << "exclude" << YAML::Value << YAML::Flow
      << config.fim_exclude << YAML::Key << "interval_s" << YAML::Value << config.fim_interval_s
      << YAML::EndMap;
  out << YAML::Key << "process" << YAML::Value << YAML::BeginMap << YAML::Key << "enabled"
      << YAML::Value << config.process_events << YAML::EndMap;
  out << YAML::Key << "firewall" << YAML::Value << YAML::BeginMap << YAML::Key << "enabled"
      << YAML::Value << config.firewall << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

boost::json::object runtime_settings(const AgentConfig& config) {
  return boost::json::object{
      {"log_level", config.log_level},
      {"heartbeat_s", config.heartbeat_s},
      {"inventory", boost::json::object{{"interval_s", config.inventory_interval_s}}},
      {"limits", boost::json::object{{"memory_mb", config.memory_max_mb},
                                     {"cpu_percent", config.cpu_max_percent}}},
  };
}

}  // namespace sentinel::agent
