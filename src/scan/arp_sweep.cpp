#include "arp_sweep.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>

#include "raw_probe_loop.h"

namespace sentinel::scan {
namespace {

// An ARP packet for IPv4 over Ethernet (RFC 826), without the Ethernet header the packet
// socket adds and strips.
constexpr std::size_t kArpBytes = 28;
constexpr std::uint16_t kRequest = 1;
constexpr std::uint16_t kReply = 2;

void put16(std::uint8_t* out, std::uint16_t value) {
  out[0] = static_cast<std::uint8_t>(value >> 8);
  out[1] = static_cast<std::uint8_t>(value);
}
void put32(std::uint8_t* out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
}
std::uint16_t get16(const std::uint8_t* in) {
  return static_cast<std::uint16_t>((in[0] << 8) | in[1]);
}
std::uint32_t get32(const std::uint8_t* in) {
  return (std::uint32_t{in[0]} << 24) | (std::uint32_t{in[1]} << 16) | (std::uint32_t{in[2]} << 8) |
         in[3];
}

std::string dotted(std::uint32_t address) {
  return fmt::format("{}.{}.{}.{}", address >> 24, (address >> 16) & 255, (address >> 8) & 255,
                     address & 255);
}

}  // namespace

bool LinkSegment::holds(std::uint32_t host) const {
  if ((host & netmask) != (address & netmask) || host == address) return false;
  const std::uint32_t host_part = host & ~netmask;
  return host_part != 0 && host_part != ~netmask;
}

std::vector<LinkSegment> local_link_segments() {
  std::vector<LinkSegment> segments;
  for_each_ethernet_address(AF_INET, [&](const EthernetAddress& found) {
    LinkSegment segment;
    segment.interface_index = found.interface_index;
    segment.interface_name = found.interface_name;
    segment.mac = found.mac;
    segment.address = ntohl(reinterpret_cast<const sockaddr_in*>(found.address)->sin_addr.s_addr);
    segment.netmask = ntohl(reinterpret_cast<const sockaddr_in*>(found.netmask)->sin_addr.s_addr);
    if (std::popcount(segment.netmask) >= 31) return;  // point to point: no neighbours to ask
    segments.push_back(std::move(segment));
  });
  return segments;
}

Result<std::unique_ptr<ArpSweep>> ArpSweep::open(const TargetSet& targets,
                                                 const std::vector<LinkSegment>& segments) {
  std::unique_ptr<ArpSweep> sweep(new ArpSweep());
  std::vector<bool> used(segments.size(), false);
  for (std::uint64_t index = 0; index < targets.size(); ++index) {
    const IpAddress host = targets.at(index);
    if (!host.is_v4()) continue;
    const auto address = static_cast<std::uint32_t>(host.value());
    for (std::size_t s = 0; s < segments.size(); ++s) {
      if (!segments[s].holds(address)) continue;
      used[s] = true;
      sweep->by_address_.emplace(address, sweep->targets_.size());
      sweep->targets_.push_back({address, s});
      sweep->add_target(index);
      break;
    }
  }
  if (sweep->targets_.empty()) return std::unique_ptr<ArpSweep>();

  SENTINEL_TRY(sweep->open_loop());
  // Positions of the used segments in links_.
  std::vector<std::size_t> link_of(segments.size(), 0);
  for (std::size_t s = 0; s < segments.size(); ++s) {
    if (!used[s]) continue;
    const int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ARP));
    if (fd < 0) {
      if (errno == EPERM || errno == EACCES) {
        return Error{ErrorCode::kPermissionDenied,
                     fmt::format("no packet socket for ARP: {} (ARP needs CAP_NET_RAW)",
                                 std::strerror(errno)),
                     std::string(kRawSocketsUnavailable),
                     {}};
      }
      return sweep->failure("packet socket");
    }
    sockaddr_ll local{};
    local.sll_family = AF_PACKET;
    local.sll_protocol = htons(ETH_P_ARP);
    local.sll_ifindex = segments[s].interface_index;
    const std::size_t link = sweep->links_.size();
    sweep->links_.push_back({segments[s], fd});
    if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
      return sweep->failure("bind to " + segments[s].interface_name);
    }
    SENTINEL_TRY(sweep->watch(fd, link));
    link_of[s] = link;
  }
  for (Target& target : sweep->targets_) target.link = link_of[target.link];
  return sweep;
}

ArpSweep::~ArpSweep() {
  for (const Link& link : links_) close(link.fd);
}

std::string ArpSweep::describe() const {
  std::string out = "ARP on";
  for (std::size_t i = 0; i < links_.size(); ++i) {
    const LinkSegment& segment = links_[i].segment;
    out += fmt::format("{} {} ({}/{})", i == 0 ? "" : ",", segment.interface_name,
                       dotted(segment.address), std::popcount(segment.netmask));
  }
  return out;
}

bool ArpSweep::send_request(std::size_t position) {
  const Target& target = targets_[position];
  const Link& link = links_[target.link];
  std::uint8_t packet[kArpBytes] = {};
  put16(packet, ARPHRD_ETHER);
  put16(packet + 2, ETH_P_IP);
  packet[4] = 6;
  packet[5] = 4;
  put16(packet + 6, kRequest);
  std::copy(link.segment.mac.begin(), link.segment.mac.end(), packet + 8);
  put32(packet + 14, link.segment.address);
  // Target hardware address unknown (zero), target protocol address the host asked for.
  put32(packet + 24, target.address);
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(ETH_P_ARP);
  to.sll_ifindex = link.segment.interface_index;
  to.sll_halen = 6;
  std::fill_n(to.sll_addr, 6, 0xff);
  while (true) {
    if (sendto(link.fd, packet, sizeof(packet), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)) ==
        static_cast<long>(sizeof(packet))) {
      return true;
    }
    if (errno != EINTR) return false;
  }
}

void ArpSweep::read_replies(std::size_t link, const OnAnswer& answered) {
  const LinkSegment& segment = links_[link].segment;
  std::uint8_t buffer[128];
  for (int reads = 0; reads < kMaxReadsPerCall; ++reads) {
    const long got = recv(links_[link].fd, buffer, sizeof(buffer), 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return;  // drained (EAGAIN), or a failing socket: the round's timeout ends the wait
    }
    if (static_cast<std::size_t>(got) < kArpBytes) continue;
    if (get16(buffer) != ARPHRD_ETHER || get16(buffer + 2) != ETH_P_IP || buffer[4] != 6 ||
        buffer[5] != 4 || get16(buffer + 6) != kReply) {
      continue;
    }
    // A reply to us, on the interface that asked, from an address we asked for.
    if (get32(buffer + 24) != segment.address) continue;
    const auto found = by_address_.find(get32(buffer + 14));
    if (found == by_address_.end() || targets_[found->second].link != link) continue;
    MacAddress sender;
    std::copy_n(buffer + 8, 6, sender.begin());
    answered(found->second, sender);
  }
}

}  // namespace sentinel::scan
