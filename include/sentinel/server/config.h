#pragma once
// The server's typed configuration: defaults, then a YAML file, then SENTINEL_* environment
// variables, then command-line flags. Validated once at start; unknown keys are errors.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::server {

struct TlsConfig {
  std::string cert_file;  // empty: a self-signed certificate is generated under data_dir/tls
  std::string key_file;
  std::string min_version = "1.3";  // "1.3" or "1.2"
};

struct GatewayConfig {
  std::string listen = "127.0.0.1:8443";
  std::int64_t max_body_bytes = 1 << 20;
  std::int64_t max_header_bytes = 16 * 1024;
  std::int64_t idle_timeout_s = 60;
  std::int64_t request_timeout_s = 30;
  std::int64_t io_threads = 2;
  std::int64_t worker_threads = 2;
  /// Handlers of the routes that wait for seconds by design (Route::long_running).
  std::int64_t long_running_threads = 4;
  /// Of those, how many may wait for a thread; further ones get 503 at once (0: none waits).
  std::int64_t long_running_queue = 16;
  std::string web_root;  // the built portal (web/dist); empty: no portal, API only
  TlsConfig tls;
};

struct AuthConfig {
  std::int64_t session_idle_minutes = 30;
  std::int64_t session_absolute_hours = 12;
  std::int64_t lockout_threshold = 5;      // failures before delays start
  std::int64_t lockout_base_seconds = 30;  // first lock; doubles with each further failure
  std::int64_t lockout_max_seconds = 900;  // cap of the growing delay
  std::string totp_issuer = "SentinelSecure";
  std::int64_t principal_cache_ms = 1000;  // credentials served from memory; 0 turns it off
};

struct AgentsConfig {
  std::string listen = "127.0.0.1:8444";  // the agent channel listener (mutual TLS)
  std::string public_url;          // API URL in enrolment commands; empty: from gateway.listen
  std::string public_channel_url;  // told to agents at enrolment; empty: their server's host
  std::int64_t certificate_lifetime_minutes = 43200;  // agent client certificates (30 days)
  std::int64_t heartbeat_s = 15;
  std::int64_t offline_after_s = 45;       // no heartbeat for this long: offline
  std::int64_t enroll_token_minutes = 60;  // default lifetime of an enrolment token
  std::vector<std::string> channel_names;  // extra names in the channel certificate
};

struct DetectionConfig {
  std::vector<std::string> rules_dirs;  // read beside the built-in pack; re-read on change
  std::int64_t queue_events = 65536;    // events waiting for the rule engine
};

struct EventsConfig {
  std::int64_t retention_days = 30;  // older events are deleted
};

struct ScannerConfig {
  /// CIDRs and addresses that scans may target; none by default, so every scan is refused
  /// until an admin names some (`--scan-scope 127.0.0.0/8`).
  std::vector<std::string> scopes;
  /// Raw SYN probes when the process has CAP_NET_RAW; false keeps every scan on connect().
  bool raw_sockets = true;
  /// Names the services on the open ports each scan finds (banners, probes, TLS).
  bool service_detection = true;
  /// The shortest interval of a scan schedule, in seconds. A test and diagnostic knob: lower it
  /// only to see a schedule run soon.
  std::int64_t schedule_min_interval_s = 300;
  /// nmap, for scans with `"backend": "nmap"` (NSE scripts, OS detection), with its script
  /// catalogue /usr/share/nmap/scripts/script.db. Either missing: such scans are refused.
  std::string nmap_path = "/usr/bin/nmap";
  /// Seconds a scan nmap runs may take before it is stopped and fails.
  std::int64_t nmap_timeout_s = 3600;
};

struct FirewallConfig {
  /// Seconds an agent waits for the server's confirm after a policy apply before it rolls
  /// back by itself (ADR 0006 "Commit-confirm").
  std::int64_t confirm_grace_s = 60;
};

struct LogConfig {
  std::string level = "info";   // trace, debug, info, warn, error
  std::string format = "text";  // text or json
};

struct ServerConfig {
  std::string data_dir = "./var";
  std::string db;  // empty: sqlite:<data_dir>/sentinel.db
  std::string bus = "inproc";
  std::vector<std::string> targets = {"all"};
  LogConfig log;
  GatewayConfig gateway;
  AuthConfig auth;
  AgentsConfig agents;
  DetectionConfig detection;
  EventsConfig events;
  ScannerConfig scanner;
  FirewallConfig firewall;

  /// The database URL after defaults are applied.
  std::string database_url() const;
};

/// Where each layer comes from; main fills it from argv and the process environment.
struct ConfigSources {
  std::optional<std::string> file;                         // --config
  std::map<std::string, std::string> environment;          // SENTINEL_* variables
  std::vector<std::pair<std::string, std::string>> flags;  // dotted key -> value
};

/// Builds and validates the config. Reports every problem at once (one per line), each with its
/// source: "config.yaml:12: gateway.listn: unknown key", "SENTINEL_DB: ...", "--listen: ...".
Result<ServerConfig> load_config(const ConfigSources& sources);

/// The environment variable for a dotted key: "gateway.listen" -> "SENTINEL_GATEWAY__LISTEN".
std::string environment_name(const std::string& dotted_key);

/// Every settable dotted key, for --help and docs.
std::vector<std::string> config_keys();

}  // namespace sentinel::server
