#include "channel_endpoint.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>

namespace sentinel::firewall {
namespace {

struct HostPort {
  std::string host;
  std::optional<std::uint16_t> port;
};

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value == 0 ||
      value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

// "HOST:PORT", "[V6]:PORT" or "HOST" (no port).
HostPort split_host_port(std::string_view text) {
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return {};
    HostPort out{std::string(text.substr(1, close - 1)), std::nullopt};
    if (close + 1 < text.size() && text[close + 1] == ':') {
      out.port = parse_port(text.substr(close + 2));
    }
    return out;
  }
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || text.find(':') != colon) {
    return {std::string(text), std::nullopt};  // no port, or a bare IPv6 address
  }
  return {std::string(text.substr(0, colon)), parse_port(text.substr(colon + 1))};
}

// wss://[user@]host[:port]/path -> host and port (443 when absent).
HostPort url_host_port(std::string_view url) {
  if (const std::size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    url.remove_prefix(scheme + 3);
  }
  url = url.substr(0, url.find_first_of("/?#"));
  if (const std::size_t at = url.rfind('@'); at != std::string_view::npos)
    url.remove_prefix(at + 1);
  HostPort out = split_host_port(url);
  const bool port_written = url.starts_with('[') ? url.find("]:") != std::string_view::npos
                                                 : url.find(':') != std::string_view::npos;
  if (!port_written) out.port = 443;
  return out;
}

bool is_unspecified(const IpAddress& address) { return address.value == 0; }

IpAddress loopback_of(IpFamily family) {
  return family == IpFamily::kV4 ? IpAddress{IpFamily::kV4, 0x7f000001u} : IpAddress{family, 1};
}

}  // namespace

std::optional<IpAddress> agent_address_of(std::string_view last_address) {
  if (last_address.empty()) return std::nullopt;
  // A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; their packets are IPv4.
  constexpr std::string_view kMapped = "::ffff:";
  if (last_address.size() > kMapped.size() && last_address.substr(0, kMapped.size()) == kMapped &&
      last_address.find('.') != std::string_view::npos) {
    last_address.remove_prefix(kMapped.size());
  }
  Result<IpAddress> parsed = parse_ip_address(last_address);
  if (!parsed) return std::nullopt;
  return *parsed;
}

CutOffContext cut_off_context(std::string_view channel_listen, std::string_view public_channel_url,
                              std::string_view agent_last_address) {
  CutOffContext context;
  context.agent_address = agent_address_of(agent_last_address);
  const bool by_url = !public_channel_url.empty();
  const HostPort where =
      by_url ? url_host_port(public_channel_url) : split_host_port(channel_listen);
  const std::string source = by_url
                                 ? fmt::format("agents.public_channel_url {}", public_channel_url)
                                 : fmt::format("agents.listen {}", channel_listen);
  if (!where.port) {
    context.unknown = fmt::format("the channel port is not known ({})", source);
    return context;
  }
  Result<IpAddress> host = parse_ip_address(where.host);
  if (host && !is_unspecified(*host)) {
    context.endpoints.push_back({*host, *where.port, Protocol::kTcp});
    return context;
  }
  if (context.agent_address && is_loopback(*context.agent_address)) {
    context.endpoints.push_back(
        {loopback_of(context.agent_address->family), *where.port, Protocol::kTcp});
    return context;
  }
  context.unknown = fmt::format(
      "the address agents connect to is not known ({} names no single address); set "
      "agents.public_channel_url to a URL with the server's address to check it",
      source);
  return context;
}

ValidationContext validation_context(const CutOffContext& cut_off, bool force) {
  ValidationContext context;
  context.endpoints = cut_off.endpoints;
  context.agent_address = cut_off.agent_address;
  context.force = force;
  return context;
}

std::optional<Problem> unknown_endpoint_warning(const CutOffContext& cut_off) {
  if (cut_off.unknown.empty()) return std::nullopt;
  Problem problem;
  problem.severity = Severity::kWarning;
  problem.code = "may_cut_off";
  problem.message = "the cut-off check did not run: " + cut_off.unknown;
  return problem;
}

}  // namespace sentinel::firewall
