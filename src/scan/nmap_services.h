#pragma once
// nmap's `nmap-services` table as text: which ports of a protocol are most often open, and the
// "top N" ports taken from it. Separate from the file, so that the parser can be fuzzed.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sentinel/scan/port_list.h"

namespace sentinel::scan {

/// The ports of `protocol` that nmap-services `text` lists (`service port/proto frequency`), most
/// often open first, each once (at its highest frequency), ties by port number: the order of
/// the lines does not matter. Lines that do not parse, frequencies that are not finite numbers
/// from 0 up among them, are skipped: the format belongs to nmap and may grow. Pure.
std::vector<std::uint16_t> rank_nmap_services(std::string_view text, Protocol protocol);

/// The `count` (1..65535) commonest ports of `protocol` by nmap-services `text`, or by the
/// built-in list when the text ranks none of them, filled up with the lowest other port numbers;
/// ascending. Pure.
std::vector<std::uint16_t> top_ports_in(std::string_view text, std::size_t count,
                                        Protocol protocol);

}  // namespace sentinel::scan
