#pragma once
// The certificates that may open an agent channel, in memory, so that the TLS handshake can ask
// without touching the database.

#include <cstdint>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sql_agent_repository.h"

namespace sentinel::agents {

/// Agent id -> its live certificate serials. Thread-safe; lookups take a shared lock only.
class CertificateAllowList {
 public:
  /// Replaces everything (at start).
  void replace(const std::vector<LiveCertificate>& certificates);
  void add(std::string_view agent_id, std::string_view serial_hex, std::int64_t not_after_ms);
  /// Forgets the agent (revoked or deleted).
  void remove_agent(std::string_view agent_id);
  /// Drops certificates expired at `now_ms`, so that renewals do not pile up.
  void prune(std::int64_t now_ms);
  /// True when `serial_hex` (any case, leading zeros allowed) is a certificate of the agent that
  /// has not expired at `now_ms`.
  bool allowed(std::string_view agent_id, std::string_view serial_hex, std::int64_t now_ms) const;

  /// Lower-case hex without leading zeros: the form serials are stored in.
  static std::string normalize_serial(std::string_view serial_hex);

 private:
  using Serials = std::map<std::string, std::int64_t, std::less<>>;  // serial -> not_after
  mutable std::shared_mutex mutex_;
  std::map<std::string, Serials, std::less<>> agents_;
};

}  // namespace sentinel::agents
