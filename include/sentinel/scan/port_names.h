#pragma once
// What nmap calls a port when nothing named the service listening on it ("https-alt" for
// 8443/tcp): nmap shows that name, marked as a guess, for ports service detection could not
// identify, and so do we.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sentinel/scan/port_list.h"

namespace sentinel::scan {

/// The name nmap-services gives each port: the one listed with the highest frequency when there
/// are several (the first in byte order among equals). Immutable once made; thread-safe to read.
class PortNames {
 public:
  /// Knows no names.
  PortNames() = default;
  /// From nmap-services text; pure.
  static PortNames parse(std::string_view text);
  /// From the file at `services_file`; knows no names when it cannot be read (no nmap).
  static PortNames load(const std::filesystem::path& services_file = kNmapServicesPath);

  /// The name of `port`, or "" when the table has none (or calls it "unknown").
  std::string_view name(Protocol protocol, std::uint16_t port) const;
  std::size_t size() const { return names_.size(); }

 private:
  struct Named {
    std::string name;
    double frequency = 0;
  };
  std::unordered_map<std::uint32_t, Named> names_;  // key: protocol << 16 | port
};

}  // namespace sentinel::scan
