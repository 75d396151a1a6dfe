#pragma once
// Which local address a raw probe must come from: the one the kernel would choose for a normal
// socket to that host (its route's preferred source). It goes into the IP header, the TCP
// checksum and the probe cookie, so it must be exact.

#include <cstdint>
#include <optional>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/ip_address.h"

namespace sentinel::scan {

/// Host index -> source address, looked up once per host through the routing table (a UDP
/// socket connect()ed to the host, then getsockname(); no packet is sent). Two bytes per host.
/// Owns two UDP sockets; not thread-safe.
class SourceAddresses {
 public:
  /// Target sets above this size are refused by raw scanners: split them into shards.
  static constexpr std::uint64_t kMaxHosts = std::uint64_t{1} << 24;

  /// A table for hosts [0, hosts).
  explicit SourceAddresses(std::uint64_t hosts);
  SourceAddresses(const SourceAddresses&) = delete;
  SourceAddresses& operator=(const SourceAddresses&) = delete;
  ~SourceAddresses();

  /// The source for host `index` (address `host`), looked up on first use; nullopt when the
  /// kernel has no route to it (or refuses it, as a broadcast address).
  std::optional<IpAddress> lookup(std::uint64_t index, IpAddress host);
  /// The source found by an earlier lookup(); nullopt if there was none.
  std::optional<IpAddress> known(std::uint64_t index) const;

 private:
  static constexpr std::uint16_t kUnknown = 0;
  static constexpr std::uint16_t kNoRoute = 0xffff;

  std::optional<IpAddress> route(IpAddress host);

  std::vector<std::uint16_t> ids_;  // per host: kUnknown, kNoRoute or 1 + index in sources_
  std::vector<IpAddress> sources_;  // distinct source addresses seen
  int v4_fd_ = -1;
  int v6_fd_ = -1;
};

}  // namespace sentinel::scan
