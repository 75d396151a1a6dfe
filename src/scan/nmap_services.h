#pragma once
// nmap's `nmap-services` table as text: which ports of a protocol are most often open, and the
// "top N" ports taken from it. Separate from the file, so that the parser can be fuzzed.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sentinel/scan/port_list.h"

namespace sentinel::scan {

/// nmap's table is about 1 MB; this leaves room for it to grow and bounds a hostile one.
inline constexpr std::size_t kMaxNmapServicesBytes = 16 << 20;

/// One line of nmap-services for a protocol: `service port/proto frequency`.
struct NmapServiceEntry {
  std::string_view service;  // a view into the text
  std::uint16_t port = 0;
  double frequency = 0;
};

/// The entries of `protocol` in nmap-services `text`, in the order of the lines. Lines that do
/// not parse, frequencies that are not finite numbers from 0 up among them, are skipped: the
/// format belongs to nmap and may grow. Pure.
std::vector<NmapServiceEntry> parse_nmap_services(std::string_view text, Protocol protocol);

/// The ports of `protocol` that nmap-services `text` lists (`service port/proto frequency`), most
/// often open first, each once (at its highest frequency), ties by port number: the order of
/// the lines does not matter. Pure.
std::vector<std::uint16_t> rank_nmap_services(std::string_view text, Protocol protocol);

/// The `count` (1..65535) commonest ports of `protocol` by nmap-services `text`, or by the
/// built-in list when the text ranks none of them, filled up with the lowest other port numbers;
/// ascending. Pure.
std::vector<std::uint16_t> top_ports_in(std::string_view text, std::size_t count,
                                        Protocol protocol);

}  // namespace sentinel::scan
