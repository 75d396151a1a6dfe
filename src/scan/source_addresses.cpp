#include "source_addresses.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace sentinel::scan {
namespace {

// Any port will do: connect() on a UDP socket only picks the route and the source address.
constexpr std::uint16_t kDiscardPort = 9;

}  // namespace

SourceAddresses::SourceAddresses(std::uint64_t hosts)
    : ids_(static_cast<std::size_t>(std::min(hosts, kMaxHosts)), kUnknown) {}

SourceAddresses::~SourceAddresses() {
  if (v4_fd_ >= 0) close(v4_fd_);
  if (v6_fd_ >= 0) close(v6_fd_);
}

std::optional<IpAddress> SourceAddresses::known(std::uint64_t index) const {
  if (index >= ids_.size()) return std::nullopt;
  const std::uint16_t id = ids_[index];
  if (id == kUnknown || id == kNoRoute) return std::nullopt;
  return sources_[id - 1];
}

std::optional<IpAddress> SourceAddresses::lookup(std::uint64_t index, IpAddress host) {
  if (index >= ids_.size()) return std::nullopt;
  std::uint16_t& id = ids_[index];
  if (id == kNoRoute) return std::nullopt;
  if (id != kUnknown) return sources_[id - 1];
  const auto source = route(host);
  if (!source) {
    id = kNoRoute;
    return std::nullopt;
  }
  const auto found = std::find(sources_.begin(), sources_.end(), *source);
  if (found != sources_.end()) {
    id = static_cast<std::uint16_t>(found - sources_.begin() + 1);
  } else if (sources_.size() + 1 < kNoRoute) {
    sources_.push_back(*source);
    id = static_cast<std::uint16_t>(sources_.size());
  }
  // With the table full of distinct sources (never seen in practice) the host is looked up
  // again next time rather than remembered.
  return source;
}

std::optional<IpAddress> SourceAddresses::route(IpAddress host) {
  int& fd = host.is_v4() ? v4_fd_ : v6_fd_;
  if (fd < 0) {
    fd = socket(host.is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
  }
  sockaddr_storage peer{};
  socklen_t length = 0;
  if (host.is_v4()) {
    auto* in = reinterpret_cast<sockaddr_in*>(&peer);
    in->sin_family = AF_INET;
    in->sin_port = htons(kDiscardPort);
    in->sin_addr.s_addr = htonl(static_cast<std::uint32_t>(host.value()));
    length = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&peer);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(kDiscardPort);
    std::uint8_t bytes[16];
    host.to_bytes(bytes);
    std::memcpy(in6->sin6_addr.s6_addr, bytes, sizeof(bytes));
    length = sizeof(sockaddr_in6);
  }
  if (connect(fd, reinterpret_cast<const sockaddr*>(&peer), length) != 0) return std::nullopt;
  sockaddr_storage local{};
  socklen_t local_length = sizeof(local);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) != 0) {
    return std::nullopt;
  }
  if (host.is_v4()) {
    return IpAddress::v4(ntohl(reinterpret_cast<const sockaddr_in*>(&local)->sin_addr.s_addr));
  }
  std::uint8_t bytes[16];
  std::memcpy(bytes, reinterpret_cast<const sockaddr_in6*>(&local)->sin6_addr.s6_addr, 16);
  return IpAddress::v6_bytes(bytes);
}

}  // namespace sentinel::scan
