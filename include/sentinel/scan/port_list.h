#pragma once
// Which ports a scan probes: nmap-style port lists and "top N" lists.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::scan {

enum class Protocol : std::uint8_t { kTcp, kUdp };

/// Where nmap's port frequency table lives when the nmap package is installed.
inline constexpr std::string_view kNmapServicesPath = "/usr/share/nmap/nmap-services";

/// TCP and UDP port numbers, each list ascending and without duplicates. A plain value.
struct PortList {
  std::vector<std::uint16_t> tcp;
  std::vector<std::uint16_t> udp;

  /// Parses `22,80,8000-8100`; `-` is 1-65535, `1024-` and `-1024` are open-ended ranges.
  /// `T:` and `U:` switch the protocol of the ports that follow (`T:22,80,U:53`); ports before
  /// any prefix are `unprefixed`. Port 0 is refused. Every bad entry is named in one
  /// kInvalidArgument for `field`.
  static Result<PortList> parse(std::string_view text, Protocol unprefixed = Protocol::kTcp,
                                std::string_view field = "ports");

  /// The list in the syntax parse() takes (`T:22,80-81,U:53`); parse(format()) == *this.
  std::string format() const;
  std::size_t size() const { return tcp.size() + udp.size(); }
  bool empty() const { return tcp.empty() && udp.empty(); }

  friend bool operator==(const PortList&, const PortList&) = default;
};

/// The `count` most often open ports of `protocol`, ascending. Frequencies come from nmap's
/// `nmap-services` at `services_file` when it is readable; otherwise from a built-in list of
/// common service ports, filled up with the lowest other port numbers. kInvalidArgument unless
/// 1 <= count <= 65535.
Result<PortList> top_ports(int count, Protocol protocol,
                           const std::filesystem::path& services_file = kNmapServicesPath);

/// The built-in common service ports of `protocol`, most important first (no nmap needed).
const std::vector<std::uint16_t>& builtin_common_ports(Protocol protocol);

}  // namespace sentinel::scan
