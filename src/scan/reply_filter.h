#pragma once
// The classic BPF programs that let only a raw scan's answers into its packet socket, so that
// the scanner does not copy every packet the machine receives.

#include <linux/filter.h>

#include <cstdint>
#include <span>
#include <vector>

#include "sentinel/scan/ip_address.h"

namespace sentinel::scan {

/// Bytes of an accepted packet that reach the ring: the IP and transport headers and, for ICMP
/// errors, the quoted headers.
inline constexpr std::uint32_t kReplySnapLength = 256;

/// What a scan wants to see.
struct ReplyFilterSpec {
  /// The scan's own TCP source ports: TCP segments to these, and ICMP errors quoting a TCP
  /// segment from these, pass.
  std::vector<std::uint16_t> ports;
  /// Also pass echo replies and ICMP errors quoting an echo request (ping probes).
  bool echo = false;
};

/// A program for a cooked (SOCK_DGRAM) packet socket of `family`, whose packets start at the
/// network header. Fragments (IPv4) and extension headers (IPv6) do not pass; everything that
/// passes is checked again, and authenticated, by the parser and the probe cookie.
std::vector<sock_filter> reply_filter(AddressFamily family, const ReplyFilterSpec& spec);

}  // namespace sentinel::scan
