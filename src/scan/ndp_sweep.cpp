#include "ndp_sweep.h"

#include <fmt/format.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <optional>

#include "ndp_packets.h"
#include "raw_probe_loop.h"

namespace sentinel::scan {
namespace {

// Room for the largest message an Ethernet link carries; advertisements are 32 bytes or so.
constexpr std::size_t kReceiveBytes = 1500;

IpAddress from_in6(const in6_addr& address) {
  std::uint8_t bytes[16];
  std::memcpy(bytes, address.s6_addr, sizeof(bytes));
  return IpAddress::v6_bytes(bytes);
}

in6_addr to_in6(IpAddress address) {
  std::uint8_t bytes[16];
  address.to_bytes(bytes);
  in6_addr out{};
  std::memcpy(out.s6_addr, bytes, sizeof(bytes));
  return out;
}

Uint128 prefix_mask(int length) {
  return length <= 0 ? Uint128{0} : ~Uint128{0} << (128 - std::min(length, 128));
}

bool link_local(IpAddress address) { return (address.value() >> 118) == 0x3fa; }  // fe80::/10
bool multicast(IpAddress address) { return (address.value() >> 120) == 0xff; }

int set_int(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof(value));
}

}  // namespace

bool Ipv6LinkSegment::holds(IpAddress host) const {
  if (host.is_v4() || host == address || multicast(host)) return false;
  const Uint128 mask = prefix_mask(prefix_length);
  return (host.value() & mask) == (address.value() & mask);
}

std::vector<Ipv6LinkSegment> local_ipv6_segments() {
  std::vector<Ipv6LinkSegment> segments;
  for_each_ethernet_address(AF_INET6, [&](const EthernetAddress& found) {
    Ipv6LinkSegment segment;
    segment.interface_index = found.interface_index;
    segment.interface_name = found.interface_name;
    segment.mac = found.mac;
    segment.address = from_in6(reinterpret_cast<const sockaddr_in6*>(found.address)->sin6_addr);
    const in6_addr& mask = reinterpret_cast<const sockaddr_in6*>(found.netmask)->sin6_addr;
    segment.prefix_length = 0;
    for (const std::uint8_t byte : mask.s6_addr) segment.prefix_length += std::popcount(byte);
    if (link_local(segment.address) || multicast(segment.address) || segment.prefix_length >= 128) {
      return;
    }
    segments.push_back(std::move(segment));
  });
  return segments;
}

std::size_t NdpSweep::AddressHash::operator()(Uint128 value) const {
  const auto low = static_cast<std::uint64_t>(value);
  const auto high = static_cast<std::uint64_t>(value >> 64);
  return std::hash<std::uint64_t>{}(low ^ (high * 0x9e3779b97f4a7c15ULL));
}

Result<std::unique_ptr<NdpSweep>> NdpSweep::open(const TargetSet& targets,
                                                 const std::vector<Ipv6LinkSegment>& segments) {
  std::unique_ptr<NdpSweep> sweep(new NdpSweep());
  // The segment of each on-link target (the first that holds it), ours left out.
  const auto segment_of = [&](IpAddress host) -> std::optional<std::size_t> {
    if (host.is_v4()) return std::nullopt;
    for (const Ipv6LinkSegment& segment : segments) {
      if (segment.address == host) return std::nullopt;
    }
    for (std::size_t s = 0; s < segments.size(); ++s) {
      if (segments[s].holds(host)) return s;
    }
    return std::nullopt;
  };
  std::vector<bool> used(segments.size(), false);
  bool any = false;
  for (std::uint64_t index = 0; index < targets.size(); ++index) {
    if (const auto s = segment_of(targets.at(index))) {
      used[*s] = true;
      any = true;
    }
  }
  if (!any) return std::unique_ptr<NdpSweep>();

  SENTINEL_TRY(sweep->open_loop());
  // Positions of the used segments in links_, if their socket could be set up.
  std::vector<std::optional<std::size_t>> link_of(segments.size());
  for (std::size_t s = 0; s < segments.size(); ++s) {
    if (!used[s]) continue;
    const Ipv6LinkSegment& segment = segments[s];
    const int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
    if (fd < 0) {
      if (errno == EPERM || errno == EACCES) {
        return Error{ErrorCode::kPermissionDenied,
                     fmt::format("no raw ICMPv6 socket for NDP: {} (NDP needs CAP_NET_RAW)",
                                 std::strerror(errno)),
                     std::string(kRawSocketsUnavailable),
                     {}};
      }
      return sweep->failure("raw ICMPv6 socket");
    }
    icmp6_filter only_adverts;
    ICMP6_FILTER_SETBLOCKALL(&only_adverts);
    ICMP6_FILTER_SETPASS(ND_NEIGHBOR_ADVERT, &only_adverts);
    // Hop limit 255 on what we send (receivers drop NDP with any other); none of our own
    // multicast back to us; the hop limit and the arrival interface and address of what we
    // receive.
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, segment.interface_name.c_str(),
                   static_cast<socklen_t>(segment.interface_name.size())) != 0 ||
        setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &only_adverts, sizeof(only_adverts)) != 0 ||
        set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, kNdpHopLimit) != 0 ||
        set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, kNdpHopLimit) != 0 ||
        set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0) != 0 ||
        set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, segment.interface_index) != 0 ||
        set_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) != 0 ||
        set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) != 0) {
      const Error error = sweep->failure("socket options on " + segment.interface_name);
      close(fd);
      return error;
    }
    // Our address on the segment is the source of the solicitations (so the answers come to
    // it) and the only unicast destination this socket receives.
    sockaddr_in6 local{};
    local.sin6_family = AF_INET6;
    local.sin6_addr = to_in6(segment.address);
    if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
      if (errno == EADDRNOTAVAIL) {  // tentative: its targets stay with the IP probes
        close(fd);
        continue;
      }
      const Error error = sweep->failure(
          fmt::format("bind to {} on {}", segment.address.to_string(), segment.interface_name));
      close(fd);
      return error;
    }
    const std::size_t link = sweep->links_.size();
    sweep->links_.push_back({segment, fd});
    SENTINEL_TRY(sweep->watch(fd, link));
    link_of[s] = link;
  }
  for (std::uint64_t index = 0; index < targets.size(); ++index) {
    const IpAddress host = targets.at(index);
    const auto s = segment_of(host);
    if (!s || !link_of[*s]) continue;
    sweep->by_address_.emplace(host.value(), sweep->targets_.size());
    sweep->targets_.push_back({host, *link_of[*s]});
    sweep->add_target(index);
  }
  if (sweep->targets_.empty()) return std::unique_ptr<NdpSweep>();
  return sweep;
}

NdpSweep::~NdpSweep() {
  for (const Link& link : links_) close(link.fd);
}

std::string NdpSweep::describe() const {
  std::string out = "NDP on";
  for (std::size_t i = 0; i < links_.size(); ++i) {
    const Ipv6LinkSegment& segment = links_[i].segment;
    out += fmt::format("{} {} ({}/{})", i == 0 ? "" : ",", segment.interface_name,
                       segment.address.to_string(), segment.prefix_length);
  }
  return out;
}

bool NdpSweep::send_request(std::size_t position) {
  const Target& target = targets_[position];
  const Link& link = links_[target.link];
  const auto message =
      build_neighbor_solicitation(link.segment.address, target.address, link.segment.mac);
  sockaddr_in6 to{};
  to.sin6_family = AF_INET6;
  to.sin6_addr = to_in6(solicited_node_address(target.address));
  to.sin6_scope_id = static_cast<std::uint32_t>(link.segment.interface_index);
  while (true) {
    if (sendto(link.fd, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&to),
               sizeof(to)) == static_cast<long>(message.size())) {
      return true;
    }
    if (errno != EINTR) return false;
  }
}

void NdpSweep::read_replies(std::size_t link, const OnAnswer& answered) {
  const Ipv6LinkSegment& segment = links_[link].segment;
  std::uint8_t buffer[kReceiveBytes];
  alignas(cmsghdr) std::uint8_t control[CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
  for (int reads = 0; reads < kMaxReadsPerCall; ++reads) {
    iovec part{buffer, sizeof(buffer)};
    msghdr message{};
    message.msg_iov = &part;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    const long got = recvmsg(links_[link].fd, &message, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return;  // drained (EAGAIN), or a failing socket: the round's timeout ends the wait
    }
    if ((message.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) continue;
    int hop_limit = -1;
    std::optional<in6_pktinfo> arrival;
    for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
         header = CMSG_NXTHDR(&message, header)) {
      if (header->cmsg_level != IPPROTO_IPV6) continue;
      if (header->cmsg_type == IPV6_HOPLIMIT && header->cmsg_len == CMSG_LEN(sizeof(int))) {
        std::memcpy(&hop_limit, CMSG_DATA(header), sizeof(int));
      } else if (header->cmsg_type == IPV6_PKTINFO &&
                 header->cmsg_len == CMSG_LEN(sizeof(in6_pktinfo))) {
        in6_pktinfo info;
        std::memcpy(&info, CMSG_DATA(header), sizeof(info));
        arrival = info;
      }
    }
    // Sent to our address on the interface that asked (an announcement to all nodes is not
    // an answer), a solicited advertisement for an address asked for on that interface.
    if (!arrival || arrival->ipi6_ifindex != static_cast<unsigned>(segment.interface_index) ||
        from_in6(arrival->ipi6_addr) != segment.address) {
      continue;
    }
    const auto advertisement = parse_neighbor_advertisement(
        std::span<const std::uint8_t>(buffer, static_cast<std::size_t>(got)), hop_limit);
    if (!advertisement || !advertisement->solicited) continue;
    const auto found = by_address_.find(advertisement->target.value());
    if (found == by_address_.end() || targets_[found->second].link != link) continue;
    answered(found->second, advertisement->link_address);
  }
}

}  // namespace sentinel::scan
