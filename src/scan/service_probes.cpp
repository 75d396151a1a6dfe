// Reading a probe file (nmap's `nmap-service-probes` format) and matching answers against it.

#include "sentinel/scan/service_probes.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "builtin_probes.h"
#include "nmap_data_file.h"
#include "sentinel/common/text.h"
#include "sentinel/scan/udp_payloads.h"
#include "service_pattern.h"

namespace sentinel::scan {
namespace {

// PCRE2 gives up after this many backtracking steps: a hostile banner costs bounded time.
constexpr std::uint32_t kMatchLimit = 200'000;
constexpr std::uint32_t kDepthLimit = 10'000;
// Probe files are a few MB; refuse anything much larger.
constexpr std::size_t kMaxFileBytes = 32 << 20;

// A probe string's C-style escapes (\0 \a \b \f \n \r \t \v \xHH \\) resolved.
Result<std::string> unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) return invalid_argument("string ends in a backslash");
    switch (const char c = text[i]) {
      case '0':
        out += '\0';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x': {
        const auto high = i + 1 < text.size() ? hex_digit_value(text[i + 1]) : std::nullopt;
        const auto low = i + 2 < text.size() ? hex_digit_value(text[i + 2]) : std::nullopt;
        if (!high || !low) return invalid_argument("\\x needs two hex digits");
        out += static_cast<char>(*high * 16 + *low);
        i += 2;
        break;
      }
      default:
        out += c;
    }
  }
  return out;
}

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "1,7,9-11" into ranges.
Result<PortRanges> parse_ports(std::string_view text) {
  PortRanges ports;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = trim_nmap_blanks(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (item.empty()) continue;
    const std::size_t dash = item.find('-');
    const auto low = parse_int(item.substr(0, dash));
    const auto high = dash == std::string_view::npos ? low : parse_int(item.substr(dash + 1));
    if (!low || !high || *low < 0 || *high > 65535 || *low > *high) {
      return invalid_argument(fmt::format("bad port or range '{}'", item));
    }
    ports.ranges.emplace_back(static_cast<std::uint16_t>(*low), static_cast<std::uint16_t>(*high));
  }
  return ports;
}

// "T:9100-9107,U:53,80": ports before any prefix count for both protocols.
Status parse_exclude(std::string_view text, PortRanges& tcp, PortRanges& udp) {
  enum class Which { kBoth, kTcp, kUdp } which = Which::kBoth;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string_view item = trim_nmap_blanks(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (item.starts_with("T:")) {
      which = Which::kTcp;
      item.remove_prefix(2);
    } else if (item.starts_with("U:")) {
      which = Which::kUdp;
      item.remove_prefix(2);
    }
    SENTINEL_ASSIGN(ranges, parse_ports(item));
    if (which != Which::kUdp)
      tcp.ranges.insert(tcp.ranges.end(), ranges.ranges.begin(), ranges.ranges.end());
    if (which != Which::kTcp)
      udp.ranges.insert(udp.ranges.end(), ranges.ranges.begin(), ranges.ranges.end());
  }
  return ok();
}

// "TCP GetRequest q|GET / HTTP/1.0\r\n\r\n| [no-payload]"
Result<ServiceProbe> parse_probe(std::string_view text) {
  ServiceProbe probe;
  const std::size_t space = text.find(' ');
  const std::string_view protocol = text.substr(0, space);
  if (protocol == "TCP") {
    probe.protocol = Protocol::kTcp;
  } else if (protocol == "UDP") {
    probe.protocol = Protocol::kUdp;
  } else {
    return invalid_argument(fmt::format("unknown protocol '{}'", protocol));
  }
  text =
      space == std::string_view::npos ? std::string_view{} : trim_nmap_blanks(text.substr(space));
  const std::size_t name_end = text.find(' ');
  probe.name.assign(text.substr(0, name_end));
  if (probe.name.empty() || name_end == std::string_view::npos) {
    return invalid_argument("expected a probe name and q<d>payload<d>");
  }
  text = trim_nmap_blanks(text.substr(name_end));
  if (text.size() < 3 || text.front() != 'q') return invalid_argument("expected q<d>payload<d>");
  const char delimiter = text[1];
  const std::size_t end = text.find(delimiter, 2);
  if (end == std::string_view::npos) return invalid_argument("payload has no closing delimiter");
  SENTINEL_ASSIGN(payload, unescape(text.substr(2, end - 2)));
  probe.payload = std::move(payload);
  const std::string_view rest = trim_nmap_blanks(text.substr(end + 1));
  if (!rest.empty() && rest != "no-payload") {
    return invalid_argument(fmt::format("unexpected '{}' after the payload", rest));
  }
  return probe;
}

}  // namespace

bool PortRanges::contains(std::uint16_t port) const {
  return std::any_of(ranges.begin(), ranges.end(), [port](const auto& range) {
    return port >= range.first && port <= range.second;
  });
}

ServiceProbes ServiceProbes::parse(std::string_view text, std::string_view origin) {
  ServiceProbes result;
  result.origin_.assign(origin);
  ServiceProbe* probe = nullptr;
  int line_number = 0;
  const auto problem = [&](std::string reason) {
    result.problems_.push_back({line_number, std::move(reason)});
  };
  NmapDataLines lines(text);
  while (const std::optional<NmapDataLine> data_line = lines.next()) {
    line_number = data_line->number;
    const std::string_view line = data_line->text;
    const std::size_t space = line.find(' ');
    const std::string_view directive = line.substr(0, space);
    const std::string_view argument = space == std::string_view::npos
                                          ? std::string_view{}
                                          : trim_nmap_blanks(line.substr(space + 1));

    if (directive == "Probe") {
      Result<ServiceProbe> parsed = parse_probe(argument);
      if (!parsed) {
        problem(parsed.error().message);
        probe = nullptr;  // its lines are skipped with it
        continue;
      }
      result.probes_.push_back(std::move(*parsed));
      probe = &result.probes_.back();
      continue;
    }
    if (directive == "Exclude") {
      if (Status status = parse_exclude(argument, result.excluded_tcp_, result.excluded_udp_);
          !status) {
        problem(status.error().message);
      }
      continue;
    }
    if (probe == nullptr) {
      problem(fmt::format("'{}' outside a Probe section", directive));
      continue;
    }
    if (directive == "match" || directive == "softmatch") {
      Result<ServicePattern> pattern = ServicePattern::parse(argument, directive == "softmatch");
      if (!pattern) {
        problem(pattern.error().message);
        continue;
      }
      probe->patterns.push_back(std::make_shared<const ServicePattern>(std::move(*pattern)));
    } else if (directive == "ports" || directive == "sslports") {
      Result<PortRanges> ports = parse_ports(argument);
      if (!ports) {
        problem(ports.error().message);
        continue;
      }
      (directive == "ports" ? probe->ports : probe->tls_ports) = std::move(*ports);
    } else if (directive == "rarity") {
      const auto rarity = parse_int(argument);
      if (!rarity || *rarity < 1 || *rarity > 9) {
        problem(fmt::format("rarity must be 1 to 9, not '{}'", argument));
        continue;
      }
      probe->rarity = *rarity;
    } else if (directive == "totalwaitms" || directive == "tcpwrappedms") {
      const auto ms = parse_int(argument);
      if (!ms || *ms < 1 || *ms > 300'000) {
        problem(fmt::format("{} must be 1 to 300000, not '{}'", directive, argument));
        continue;
      }
      (directive == "totalwaitms" ? probe->total_wait : probe->tcp_wrapped) =
          std::chrono::milliseconds(*ms);
    } else if (directive == "fallback") {
      for (std::string_view rest = argument; !rest.empty();) {
        const std::size_t comma = rest.find(',');
        const std::string_view name = trim_nmap_blanks(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        if (!name.empty()) probe->fallbacks.emplace_back(name);
      }
    } else {
      problem(fmt::format("unknown directive '{}'", directive));
    }
  }
  return result;
}

Result<ServiceProbes> ServiceProbes::load(const std::string& path) {
  SENTINEL_ASSIGN(text, read_nmap_data_file(path, kMaxFileBytes));
  ServiceProbes probes = parse(text, path);
  if (probes.probes().empty()) return invalid_argument(fmt::format("{} holds no probe", path));
  return probes;
}

ServiceProbes ServiceProbes::builtin() {
  std::string text(kBuiltinProbes);
  // The UDP probes that send a built-in UDP payload: its bytes as \xHH escapes, which keep any
  // delimiter or newline inside the payload from ending the probe line.
  const UdpPayloads payloads = UdpPayloads::builtin();
  for (const BuiltinUdpPayloadProbe& probe : kBuiltinUdpPayloadProbes) {
    const std::vector<std::string_view> sent = payloads.for_port(probe.payload_port);
    if (probe.payload_index >= sent.size()) continue;  // the unit test of builtin() catches it
    text += fmt::format("\nProbe UDP {} q|", probe.name);
    for (const char byte : sent[probe.payload_index]) {
      text += fmt::format("\\x{:02x}", static_cast<unsigned char>(byte));
    }
    text += "|\n";
    text += probe.section;
  }
  return parse(text, "builtin");
}

ServiceProbes ServiceProbes::system_or_builtin() {
  Result<ServiceProbes> system = load(std::string(kNmapServiceProbesPath));
  return system ? std::move(*system) : builtin();
}

std::size_t ServiceProbes::pattern_count() const {
  std::size_t count = 0;
  for (const ServiceProbe& probe : probes_) count += probe.patterns.size();
  return count;
}

const ServiceProbe* ServiceProbes::find(Protocol protocol, std::string_view name) const {
  for (const ServiceProbe& probe : probes_) {
    if (probe.protocol == protocol && probe.name == name) return &probe;
  }
  return nullptr;
}

bool ServiceProbes::excluded(Protocol protocol, std::uint16_t port) const {
  return (protocol == Protocol::kTcp ? excluded_tcp_ : excluded_udp_).contains(port);
}

std::vector<const ServiceProbe*> ServiceProbes::plan(Protocol protocol, std::uint16_t port,
                                                     bool tls, int intensity) const {
  std::vector<const ServiceProbe*> listed;
  std::vector<const ServiceProbe*> others;
  const ServiceProbe* null_probe = nullptr;
  for (const ServiceProbe& probe : probes_) {
    if (probe.protocol != protocol) continue;
    if (protocol == Protocol::kTcp && probe.payload.empty() && probe.name == "NULL") {
      null_probe = &probe;
      continue;
    }
    if ((tls ? probe.tls_ports : probe.ports).contains(port)) {
      listed.push_back(&probe);
    } else if (probe.rarity <= intensity) {
      others.push_back(&probe);
    }
  }
  const auto by_rarity = [](const ServiceProbe* a, const ServiceProbe* b) {
    return a->rarity < b->rarity;
  };
  std::stable_sort(listed.begin(), listed.end(), by_rarity);
  std::stable_sort(others.begin(), others.end(), by_rarity);
  std::vector<const ServiceProbe*> plan;
  if (null_probe != nullptr) plan.push_back(null_probe);
  plan.insert(plan.end(), listed.begin(), listed.end());
  plan.insert(plan.end(), others.begin(), others.end());
  return plan;
}

std::optional<ServiceInfo> ServiceProbes::match(const ServiceProbe& probe,
                                                std::string_view response,
                                                std::string_view only_service) const {
  if (response.empty()) return std::nullopt;
  // The probe's own patterns, then its fallbacks'; a TCP probe also falls back to NULL's
  // patterns (a service may send its banner whatever we sent), as nmap does.
  std::vector<const ServiceProbe*> sources{&probe};
  for (const std::string& name : probe.fallbacks) {
    if (const ServiceProbe* fallback = find(probe.protocol, name); fallback != nullptr) {
      sources.push_back(fallback);
    }
  }
  if (probe.protocol == Protocol::kTcp && probe.name != "NULL") {
    if (const ServiceProbe* null_probe = find(Protocol::kTcp, "NULL");
        null_probe != nullptr &&
        std::find(sources.begin(), sources.end(), null_probe) == sources.end()) {
      sources.push_back(null_probe);
    }
  }

  std::uint32_t captures = 0;
  for (const ServiceProbe* source : sources) {
    for (const auto& pattern : source->patterns) {
      captures = std::max(captures, pattern->capture_count());
    }
  }
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
      pcre2_match_data_create(captures + 1, nullptr), &pcre2_match_data_free);
  std::unique_ptr<pcre2_match_context, decltype(&pcre2_match_context_free)> context(
      pcre2_match_context_create(nullptr), &pcre2_match_context_free);
  if (!data || !context) return std::nullopt;
  pcre2_set_match_limit(context.get(), kMatchLimit);
  pcre2_set_depth_limit(context.get(), kDepthLimit);

  std::optional<ServiceInfo> soft;
  for (const ServiceProbe* source : sources) {
    for (const auto& pattern : source->patterns) {
      if (!only_service.empty() && pattern->service() != only_service) continue;
      if (soft && pattern->soft()) continue;
      std::optional<ServiceInfo> found = pattern->match(response, data.get(), context.get());
      if (!found) continue;
      if (!found->soft) return found;
      soft = std::move(found);
      only_service = soft->service;  // later hard patterns must agree with the softmatch
    }
  }
  return soft;
}

}  // namespace sentinel::scan
