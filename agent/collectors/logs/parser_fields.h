#pragma once
// Field-adding helpers shared by the program parsers. Internal to sentinel_agent_logs.

#include <string_view>

#include "agent/collectors/logs/line_fields.h"
#include "agent/collectors/logs/text_scan.h"

namespace sentinel::agent::logs::detail {

/// `source.ip` for an address, `source.domain` for a host name; nothing for "" or "?".
inline void add_source(LineFields& out, std::string_view host) {
  if (host.empty() || host == "?") return;
  out.add(scan::is_ip(host) ? "source.ip" : "source.domain", host);
}

/// `source.port` when `port` is one.
inline void add_source_port(LineFields& out, std::string_view port) {
  if (scan::is_port(port)) out.add("source.port", port);
}

/// `event.category`, `event.action` and, unless empty, `event.outcome`.
inline void add_event(LineFields& out, std::string_view category, std::string_view action,
                      std::string_view outcome = {}) {
  out.add("event.category", category);
  out.add("event.action", action);
  if (!outcome.empty()) out.add("event.outcome", outcome);
}

/// `name` unless `value` is empty.
inline void add_nonempty(LineFields& out, std::string_view name, std::string_view value) {
  if (!value.empty()) out.add(name, value);
}

inline constexpr std::string_view kSuccess = "success";
inline constexpr std::string_view kFailure = "failure";

}  // namespace sentinel::agent::logs::detail
