#include "nmap_services.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <optional>
#include <utility>

#include "nmap_data_file.h"

namespace sentinel::scan {
namespace {

constexpr std::uint32_t kMaxPort = 65535;

struct ListedPort {
  std::uint16_t port;
  double frequency;
};

/// How often the port was found open, a share of scans: a finite number from 0 up. A "nan" would
/// compare neither higher nor lower than any other and scramble the ranking around it.
std::optional<double> parse_frequency(std::string_view text) {
  double frequency = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), frequency);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (!std::isfinite(frequency) || frequency < 0) return std::nullopt;
  return frequency;
}

/// `ranked` first, then the lowest port numbers not yet taken, until there are `count`; ascending.
/// The fillers come in order, so only the ranked part is sorted, then merged with them.
std::vector<std::uint16_t> fill_to(std::vector<std::uint16_t> ranked, std::size_t count) {
  if (ranked.size() > count) ranked.resize(count);
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::uint16_t> fillers;
  auto taken = ranked.cbegin();
  for (std::uint32_t port = 1; ranked.size() + fillers.size() < count && port <= kMaxPort; ++port) {
    while (taken != ranked.cend() && *taken < port) ++taken;
    if (taken == ranked.cend() || *taken != port)
      fillers.push_back(static_cast<std::uint16_t>(port));
  }
  std::vector<std::uint16_t> top;
  top.reserve(ranked.size() + fillers.size());
  std::merge(ranked.begin(), ranked.end(), fillers.begin(), fillers.end(), std::back_inserter(top));
  return top;
}

}  // namespace

std::vector<NmapServiceEntry> parse_nmap_services(std::string_view text, Protocol protocol) {
  const std::string_view wanted = protocol == Protocol::kTcp ? "tcp" : "udp";
  std::vector<NmapServiceEntry> entries;
  NmapDataLines lines(text);
  while (const std::optional<NmapDataLine> line = lines.next()) {
    // The fields: service, port/protocol, frequency, then maybe a `#` comment.
    std::vector<std::string_view> fields;
    std::string_view rest = line->text;
    while (fields.size() < 3) {
      const auto start = rest.find_first_not_of(" \t");
      if (start == std::string_view::npos) break;
      rest.remove_prefix(start);
      const auto end = rest.find_first_of(" \t");
      fields.push_back(rest.substr(0, end));
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end);
    }
    if (fields.size() < 3) continue;
    const auto slash = fields[1].find('/');
    if (slash == std::string_view::npos || fields[1].substr(slash + 1) != wanted) continue;
    const std::optional<std::uint16_t> port = parse_nmap_port(fields[1].substr(0, slash));
    const std::optional<double> frequency = parse_frequency(fields[2]);
    if (port && frequency) entries.push_back({fields[0], *port, *frequency});
  }
  return entries;
}

std::vector<std::uint16_t> rank_nmap_services(std::string_view text, Protocol protocol) {
  std::vector<ListedPort> listed;
  for (const NmapServiceEntry& entry : parse_nmap_services(text, protocol)) {
    listed.push_back({entry.port, entry.frequency});
  }
  // A port listed more than once counts once, at its highest frequency.
  std::sort(listed.begin(), listed.end(), [](const ListedPort& a, const ListedPort& b) {
    return a.port != b.port ? a.port < b.port : a.frequency > b.frequency;
  });
  listed.erase(
      std::unique(listed.begin(), listed.end(),
                  [](const ListedPort& a, const ListedPort& b) { return a.port == b.port; }),
      listed.end());
  // Ties go to the lower port number: the ranking depends on the lines, not on their order.
  std::sort(listed.begin(), listed.end(), [](const ListedPort& a, const ListedPort& b) {
    return a.frequency != b.frequency ? a.frequency > b.frequency : a.port < b.port;
  });
  std::vector<std::uint16_t> ranked;
  ranked.reserve(listed.size());
  for (const ListedPort& entry : listed) ranked.push_back(entry.port);
  return ranked;
}

std::vector<std::uint16_t> top_ports_in(std::string_view text, std::size_t count,
                                        Protocol protocol) {
  std::vector<std::uint16_t> ranked = rank_nmap_services(text, protocol);
  if (ranked.empty()) ranked = builtin_common_ports(protocol);
  return fill_to(std::move(ranked), count);
}

}  // namespace sentinel::scan
