#pragma once
// The plan of the test bed: which addresses exist, which TCP ports each one opens and which
// service answers there. Derived only from (base, host count, seed), so that the same command
// line always builds the same bed and the truth file can be regenerated without serving.

#include <cstdint>
#include <string>
#include <vector>

#include "sentinel/common/result.h"
#include "tests/scanbed/service_catalog.h"

namespace sentinel::scanbed {

/// An open port and the service behind it.
struct PortPlan {
  std::uint16_t port = 0;
  ServiceSpec service;
};

/// One bed host: an address with zero or more open ports, sorted by port.
struct HostPlan {
  std::uint32_t address = 0;  // IPv4, host byte order
  std::string hostname;       // what the services call themselves (SMTP greeting, ...)
  std::string role;           // the profile that chose its ports ("web", "mail", "none", ...)
  std::vector<PortPlan> ports;
};

/// What a hostile listener does to the client, to test a scanner's bounded time and memory.
enum class Hostility {
  kEndlessBanner,  // one banner line that never ends, sent as fast as the client reads
  kSlowBanner,     // a plausible banner, one byte a second, forever
  kTlsGarbage,     // after the client's first bytes (a ClientHello), random bytes forever
  kSilent,         // accepts, reads, never says anything
};

/// The name of a hostility in the truth file ("endless_banner", ...).
const char* hostility_name(Hostility hostility);

/// An address whose listed ports all behave in one hostile way.
struct HostilePlan {
  std::uint32_t address = 0;  // IPv4, host byte order
  Hostility hostility = Hostility::kSilent;
  std::vector<std::uint16_t> ports;
};

/// What the bed is asked to build.
struct BedOptions {
  std::uint32_t base = 0;  // hosts are base+1 .. base+host_count (IPv4, host byte order)
  int host_count = 500;
  std::uint64_t seed = 7;
  bool hostile = false;  // also plan the hostile addresses, right after the last host
};

/// The whole bed.
struct BedPlan {
  BedOptions options;
  std::vector<HostPlan> hosts;       // every host, including those with no open port
  std::vector<HostilePlan> hostile;  // empty unless options.hostile
};

/// Plans the bed. kInvalidArgument (naming the field) when the host count is out of range or the
/// addresses would leave the first octet of `base` (e.g. run out of 127/8).
Result<BedPlan> plan_bed(const BedOptions& options);

/// "a.b.c.d" for an IPv4 address in host byte order.
std::string format_ipv4(std::uint32_t address);
/// Parses a dotted-quad IPv4 address strictly (four decimal octets, nothing else).
Result<std::uint32_t> parse_ipv4(std::string_view text, std::string_view field);

}  // namespace sentinel::scanbed
