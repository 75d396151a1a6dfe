#include "arp_sweep.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <map>

#include "raw_probe_loop.h"
#include "sentinel/scan/rate_limiter.h"

namespace sentinel::scan {
namespace {

constexpr std::uint64_t kCancelTag = ~std::uint64_t{0};
constexpr int kSendsBetweenReads = 256;
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

// A failed system call, with errno's text.
Error failure(const std::string& what) {
  return internal_error(fmt::format("ARP sweep: {}: {}", what, std::strerror(errno)));
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
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  // Hardware facts by interface name, from the AF_PACKET entries.
  std::map<std::string, LinkSegment> hardware;
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_PACKET) continue;
    const auto* link = reinterpret_cast<const sockaddr_ll*>(entry->ifa_addr);
    if (link->sll_hatype != ARPHRD_ETHER || link->sll_halen != 6) continue;
    LinkSegment segment;
    segment.interface_index = link->sll_ifindex;
    segment.interface_name = entry->ifa_name;
    std::copy_n(link->sll_addr, 6, segment.mac.begin());
    hardware.emplace(entry->ifa_name, segment);
  }
  std::vector<LinkSegment> segments;
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET ||
        entry->ifa_netmask == nullptr) {
      continue;
    }
    const unsigned flags = entry->ifa_flags;
    if ((flags & IFF_UP) == 0 || (flags & IFF_LOOPBACK) != 0 || (flags & IFF_NOARP) != 0) continue;
    const auto found = hardware.find(entry->ifa_name);
    if (found == hardware.end()) continue;
    LinkSegment segment = found->second;
    segment.address = ntohl(reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr.s_addr);
    segment.netmask =
        ntohl(reinterpret_cast<const sockaddr_in*>(entry->ifa_netmask)->sin_addr.s_addr);
    if (std::popcount(segment.netmask) >= 31) continue;  // point to point: no neighbours to ask
    segments.push_back(std::move(segment));
  }
  freeifaddrs(list);
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
      sweep->targets_.push_back({index, address, s});
      sweep->covered_.push_back(index);
      break;
    }
  }
  if (sweep->targets_.empty()) return std::unique_ptr<ArpSweep>();

  sweep->epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  sweep->cancel_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (sweep->epoll_fd_ < 0 || sweep->cancel_fd_ < 0) return failure("epoll");
  epoll_event cancel_event{.events = EPOLLIN, .data = {.u64 = kCancelTag}};
  epoll_ctl(sweep->epoll_fd_, EPOLL_CTL_ADD, sweep->cancel_fd_, &cancel_event);
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
      return failure("packet socket");
    }
    sockaddr_ll local{};
    local.sll_family = AF_PACKET;
    local.sll_protocol = htons(ETH_P_ARP);
    local.sll_ifindex = segments[s].interface_index;
    const std::size_t link = sweep->links_.size();
    sweep->links_.push_back({segments[s], fd});
    if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
      return failure("bind to " + segments[s].interface_name);
    }
    epoll_event event{.events = EPOLLIN, .data = {.u64 = link}};
    if (epoll_ctl(sweep->epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
      return failure("epoll_ctl");
    }
    link_of[s] = link;
  }
  for (Target& target : sweep->targets_) target.link = link_of[target.link];
  return sweep;
}

ArpSweep::~ArpSweep() {
  for (const Link& link : links_) close(link.fd);
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (cancel_fd_ >= 0) close(cancel_fd_);
}

void ArpSweep::cancel() {
  cancelled_.store(true);
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = write(cancel_fd_, &one, sizeof(one));
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

bool ArpSweep::send_request(const Target& target) {
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

void ArpSweep::read_replies(std::size_t link, std::vector<TimePoint>& sent_at,
                            std::vector<std::uint8_t>& answered, const OnReply& on_reply,
                            RttEstimator& rtt) {
  const LinkSegment& segment = links_[link].segment;
  std::uint8_t buffer[128];
  while (true) {
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
    if (found == by_address_.end()) continue;
    const Target& target = targets_[found->second];
    if (target.link != link || answered[found->second] != 0 ||
        sent_at[found->second] == TimePoint{}) {
      continue;
    }
    answered[found->second] = 1;
    const auto sample =
        std::chrono::duration_cast<Duration>(ScanClock::now() - sent_at[found->second]);
    rtt.add_sample(sample);
    on_reply(target.index, sample);
  }
}

Result<ScanOutcome> ArpSweep::run(const ScanLimits& limits, const OnReply& on_reply) {
  std::vector<TimePoint> sent_at(targets_.size());
  std::vector<std::uint8_t> answered(targets_.size(), 0);
  RateLimiter rate(limits.max_rate, std::max(1.0, limits.max_rate / 200));
  RttEstimator rtt(limits.rtt);

  // Waits up to `timeout` for replies or a cancellation; false when cancelled.
  const auto wait = [&](Duration timeout) {
    epoll_event events[8];
    const auto milliseconds = static_cast<int>((timeout.count() + 999) / 1000);
    const int ready = epoll_wait(epoll_fd_, events, 8, std::max(0, milliseconds));
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.u64 == kCancelTag) return false;
    }
    for (std::size_t link = 0; link < links_.size(); ++link) {
      read_replies(link, sent_at, answered, on_reply, rtt);
    }
    return !cancelled_.load();
  };

  for (int round = 0; round <= limits.max_retries; ++round) {
    int since_read = 0;
    TimePoint last_send{};
    for (std::size_t position = 0; position < targets_.size(); ++position) {
      if (cancelled_.load()) return ScanOutcome::kCancelled;
      if (answered[position] != 0) continue;
      while (!rate.try_acquire(ScanClock::now())) {
        if (!wait(rate.wait_time(ScanClock::now()))) return ScanOutcome::kCancelled;
      }
      const TimePoint now = ScanClock::now();
      if (send_request(targets_[position])) {
        sent_at[position] = now;
        last_send = now;
        sent_.fetch_add(1);
      }
      if (++since_read == kSendsBetweenReads) {
        since_read = 0;
        if (!wait(Duration{0})) return ScanOutcome::kCancelled;
      }
    }
    if (last_send == TimePoint{}) break;  // everyone answered, or nothing could be sent
    // The round's last request gets its full timeout before the next round starts.
    const TimePoint round_end = last_send + rtt.timeout();
    while (ScanClock::now() < round_end) {
      if (!wait(std::chrono::duration_cast<Duration>(round_end - ScanClock::now()))) {
        return ScanOutcome::kCancelled;
      }
    }
  }
  return ScanOutcome::kCompleted;
}

}  // namespace sentinel::scan
