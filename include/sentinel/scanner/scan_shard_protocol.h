#pragma once
// The wire protocol of distributed scans (ADR 0005, "Scanner service"): the arguments and answers
// of the agent commands scan_shard_start, scan_shard_poll and scan_shard_cancel, and the JSON
// form of what a shard found. Shared by the server (library sentinel_scanner) and the agent
// (agent/scan/), so it depends on the engine's values and Boost.JSON only. Decoders are strict:
// unknown fields, wrong types, values out of range and oversize content are errors that name
// the field, because the server decodes answers from hosts it does not control.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/target_set.h"
#include "sentinel/scanner/scan_job.h"

namespace sentinel::scanner {

/// The agent command names.
inline constexpr std::string_view kShardStartCommand = "scan_shard_start";
inline constexpr std::string_view kShardPollCommand = "scan_shard_poll";
inline constexpr std::string_view kShardCancelCommand = "scan_shard_cancel";

/// Limits every decoder enforces (a poll answer must fit one channel frame of 4 MiB).
inline constexpr std::size_t kMaxShardTargetsBytes = 64 << 10;
inline constexpr std::size_t kMaxShardPortsBytes = 1 << 20;
inline constexpr std::size_t kMaxShardScopeBytes = 64 << 10;
inline constexpr std::size_t kMaxHostsPerReport = 4096;
inline constexpr std::size_t kMaxPortsPerHost = 65536;
inline constexpr std::size_t kMaxWireStringBytes = 4096;  // a service field, a TLS subject
inline constexpr std::size_t kMaxWireListItems = 256;     // CPEs, SANs, TLS versions

/// The arguments of scan_shard_start. A plain value.
struct ShardStart {
  std::int64_t job_id = 0;
  std::int64_t shard = 0;  // the shard's index in its job, from 0
  std::string targets;     // address ranges, scan::TargetSet syntax without host names
  std::string ports;       // TCP and UDP ports, scan::PortList syntax ("T:22,80,U:53")
  std::string scope;       // the CIDRs the targets must lie in, checked again by the agent
  bool raw = true;         // raw SYN probes allowed where the agent may open raw sockets
  bool service_detection = false;
  /// Find the live hosts first and port-scan only those (the job's "discovery"). On the wire
  /// only when true: absent (a server from before agents found hosts) scans every address.
  bool discovery = false;
  /// This shard's caps (the job's "max_rate" divided among its agents, its "max_concurrency"):
  /// probes per second (> 0, at most kMaxProbeRate) and probes in flight (1..65535), over every
  /// phase. On the wire only when set, so that an agent from before them is asked to keep to a
  /// cap only when the user set one (it refuses the field: "max_rate: unknown field").
  std::optional<double> max_rate;
  std::optional<std::int64_t> max_concurrency;

  friend bool operator==(const ShardStart&, const ShardStart&) = default;
};

/// The arguments of scan_shard_poll and scan_shard_cancel. A plain value.
struct ShardRef {
  std::int64_t job_id = 0;
  std::int64_t shard = 0;

  friend bool operator==(const ShardRef&, const ShardRef&) = default;
};

/// Where a shard is on its agent.
enum class ShardState : std::uint8_t { kRunning, kDone, kFailed };

/// "running", "done" or "failed".
std::string_view to_string(ShardState state);

/// The answer to scan_shard_poll: counters, the hosts found since the previous poll (each at
/// most once per answer; a host may come again in a later answer with more ports, or with the
/// services named; a host discovery found up comes first with its reason and MAC, maybe
/// without ports), and why a failed shard failed. `done` is sent only once every result has
/// been handed over. Without discovery pairs count the whole shard (addresses x ports). With
/// it, in phase "discovery" they count the whole shard with an address found down as its ports
/// done, and from phase "ports" on the hosts found up x ports (an agent from before that keeps
/// counting the whole shard, the addresses found down done). A plain value.
struct ShardReport {
  ShardState state = ShardState::kRunning;
  std::int64_t pairs_done = 0;
  std::int64_t pairs_total = 0;
  std::int64_t open_found = 0;
  double rate = 0;  // probes per second
  /// What the shard is doing: "discovery", "ports" or "services"; "" when not said (agents
  /// from before phases were reported, and a shard that ended).
  std::string phase;
  std::vector<FoundHost> hosts;
  std::string error;
};

boost::json::object encode(const ShardStart& start);
boost::json::object encode(const ShardRef& ref);
boost::json::object encode(const ShardReport& report);

/// Strict decoders of the command arguments and answers. kInvalidArgument naming the field,
/// e.g. "hosts[3].ports[0].port: must be 1..65535".
Result<ShardStart> decode_shard_start(const boost::json::object& args);
Result<ShardRef> decode_shard_ref(const boost::json::object& args);
Result<ShardReport> decode_shard_report(const boost::json::object& answer);

/// Whether `error`, an agent's refusal of a command, is its strict decoder refusing the
/// top-level field `field` as unknown ("discovery: unknown field"): the agent was built before
/// the field existed. Pure.
bool refuses_unknown_field(std::string_view error, std::string_view field);

/// {"service","product","version","extra_info","cpe":[...]}; null without a service. The API
/// and the wire use the same form.
boost::json::value service_json(const std::optional<scan::ServiceInfo>& service);
/// {"subject","issuer","subject_alt_names","not_before","not_before_ms","not_after",
/// "not_after_ms","self_signed","key_type","key_bits","fingerprint_sha256","versions_tested",
/// "versions_accepted"}; null without facts. The API and the wire use the same form.
boost::json::value tls_json(const std::optional<scan::TlsFacts>& tls);

/// A shard's target text as a target set: addresses, CIDRs and ranges only (a shard never holds
/// host names; the server resolved them once). kInvalidArgument for field "targets".
Result<scan::TargetSet> parse_shard_targets(std::string_view targets);

/// Makes `host` decodable by found_host_from_json: what services and TLS certificates said is
/// cut to the wire's string and list limits, and bytes that are not UTF-8 become '?' (a hostile
/// service chooses its banner; an answer the server cannot decode would cost the whole shard).
void fit_for_wire(FoundHost& host);

/// Whether `reason` may be a host's discovery reason on the wire: 1..32 of a-z, 0-9 and '-'
/// ("arp-response"). Pure.
bool is_host_reason(std::string_view reason);
/// Whether `mac` is a MAC as scan::mac_to_string writes it ("02:00:5e:10:00:01"). Pure.
bool is_mac_text(std::string_view mac);

/// The wire form of a host: {"address","reason","mac","ports":[{"port","protocol","state",
/// "service","tunnel","tls"}]}; "state" is "open|filtered" for a silent UDP port and absent for
/// an open one; "reason" and "mac" only when known (host discovery found it).
boost::json::object found_host_json(const FoundHost& host);
/// Its strict inverse; errors name `field` ("hosts[2]").
Result<FoundHost> found_host_from_json(const boost::json::value& value, const std::string& field);

}  // namespace sentinel::scanner
