// nmap-services text (nmap's port frequency table) on arbitrary bytes: the ranking lists each port
// once, in range, and depends on what the lines say, not on their order; top-N gives at most N
// distinct ports, ascending, the best ranked among them; the port names do not depend on the
// lines' order either.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/scan/port_names.h"
#include "src/scan/nmap_services.h"

namespace {

using sentinel::scan::Protocol;

/// The lines of `text` in reverse order.
std::string reversed_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t start = 0;;) {
    const std::size_t newline = text.find('\n', start);
    lines.push_back(text.substr(start, newline - start));
    if (newline == std::string_view::npos) break;
    start = newline + 1;
  }
  std::string out;
  for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
    out.append(*line);
    out += '\n';
  }
  return out;
}

void check(std::string_view text, Protocol protocol, std::size_t count) {
  const std::vector<std::uint16_t> ranked = sentinel::scan::rank_nmap_services(text, protocol);
  std::vector<bool> seen(65536, false);
  for (const std::uint16_t port : ranked) {
    if (port == 0 || seen[port]) std::abort();
    seen[port] = true;
  }
  const std::string reversed = reversed_lines(text);
  if (sentinel::scan::rank_nmap_services(reversed, protocol) != ranked) std::abort();
  const auto names = sentinel::scan::PortNames::parse(text);
  const auto names_reversed = sentinel::scan::PortNames::parse(reversed);
  for (const std::uint16_t port : ranked) {
    if (names.name(protocol, port) != names_reversed.name(protocol, port)) std::abort();
  }

  const std::vector<std::uint16_t> top = sentinel::scan::top_ports_in(text, count, protocol);
  if (top.size() > count || top.empty()) std::abort();
  if (std::adjacent_find(top.begin(), top.end(), std::greater_equal<>()) != top.end()) {
    std::abort();  // not strictly ascending: out of order or a port twice
  }
  if (top.front() == 0) std::abort();
  for (std::size_t i = 0; i < ranked.size() && i < count; ++i) {
    if (!std::binary_search(top.begin(), top.end(), ranked[i])) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // N from the first two bytes, 1..1024: more than a ranking an input of a few KiB can make, so
  // that rankings are cut and filled up; larger N only fill up more (and sort longer).
  const std::size_t count = size >= 2 ? 1 + (((data[0] << 8) | data[1]) % 1024) : 100;
  check(text, Protocol::kTcp, count);
  check(text, Protocol::kUdp, count);
  return 0;
}
