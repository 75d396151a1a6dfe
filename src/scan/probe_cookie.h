#pragma once
// The keyed hash that replaces per-probe state in raw scans: a probe's sequence number (or ICMP
// echo identifier and sequence) is a SipHash of its addresses and ports, so an answer proves
// which probe it answers, and forged or unrelated packets do not match.

#include <array>
#include <cstdint>

#include "sentinel/scan/ip_address.h"

namespace sentinel::scan {

/// SipHash-2-4 (libsodium's crypto_shorthash) under a per-scan key, truncated to 32 bits: the
/// low half of the little-endian 64-bit output. Someone who does not know the key guesses a
/// cookie with probability 2^-32 per packet. Immutable; thread-safe.
class ProbeCookies {
 public:
  static constexpr std::size_t kKeySize = 16;
  using Key = std::array<std::uint8_t, kKeySize>;

  /// Cookies under `key` (tests use a fixed key).
  explicit ProbeCookies(const Key& key) : key_(key) {}
  /// Cookies under a fresh random key from the OS CSPRNG.
  static ProbeCookies random();

  /// The cookie of a probe from (source, source_port) to (destination, destination_port). The
  /// hashed message is the source address, the destination address (4 or 16 network-order
  /// bytes each, by family), then both ports big-endian.
  std::uint32_t cookie(IpAddress source, IpAddress destination, std::uint16_t source_port,
                       std::uint16_t destination_port) const;

 private:
  Key key_;
};

}  // namespace sentinel::scan
