#include "link_sweep.h"

#include <fmt/format.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "sentinel/scan/rate_limiter.h"

namespace sentinel::scan {
namespace {

constexpr std::uint64_t kCancelTag = ~std::uint64_t{0};
constexpr int kSendsBetweenReads = 256;

}  // namespace

void for_each_ethernet_address(int family,
                               const std::function<void(const EthernetAddress&)>& visit) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return;
  // Hardware facts by interface name, from the AF_PACKET entries.
  std::map<std::string, EthernetAddress> hardware;
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_PACKET) continue;
    const auto* link = reinterpret_cast<const sockaddr_ll*>(entry->ifa_addr);
    if (link->sll_hatype != ARPHRD_ETHER || link->sll_halen != 6) continue;
    EthernetAddress interface;
    interface.interface_index = link->sll_ifindex;
    interface.interface_name = entry->ifa_name;
    std::copy_n(link->sll_addr, 6, interface.mac.begin());
    hardware.emplace(entry->ifa_name, interface);
  }
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != family ||
        entry->ifa_netmask == nullptr) {
      continue;
    }
    const unsigned flags = entry->ifa_flags;
    if ((flags & IFF_UP) == 0 || (flags & IFF_LOOPBACK) != 0 || (flags & IFF_NOARP) != 0) continue;
    const auto found = hardware.find(entry->ifa_name);
    if (found == hardware.end()) continue;
    EthernetAddress address = found->second;
    address.address = entry->ifa_addr;
    address.netmask = entry->ifa_netmask;
    visit(address);
  }
  freeifaddrs(list);
}

LinkSweep::~LinkSweep() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (cancel_fd_ >= 0) close(cancel_fd_);
}

Error LinkSweep::failure(const std::string& what) const {
  return internal_error(fmt::format("{} sweep: {}: {}", protocol_, what, std::strerror(errno)));
}

Status LinkSweep::open_loop() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  cancel_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_fd_ < 0 || cancel_fd_ < 0) return failure("epoll");
  epoll_event cancel_event{.events = EPOLLIN, .data = {.u64 = kCancelTag}};
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, cancel_fd_, &cancel_event) != 0) {
    return failure("epoll_ctl");
  }
  return ok();
}

Status LinkSweep::watch(int fd, std::size_t link) {
  epoll_event event{.events = EPOLLIN, .data = {.u64 = link}};
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) return failure("epoll_ctl");
  return ok();
}

void LinkSweep::cancel() {
  cancelled_.store(true);
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = write(cancel_fd_, &one, sizeof(one));
}

Result<ScanOutcome> LinkSweep::run(const ScanLimits& limits, const OnReply& on_reply) {
  const std::size_t targets = target_count();
  std::vector<TimePoint> sent_at(targets);
  std::vector<std::uint8_t> answered(targets, 0);
  RateLimiter rate(limits.max_rate, std::max(1.0, limits.max_rate / 200));
  RttEstimator rtt(limits.rtt);

  const OnAnswer on_answer = [&](std::size_t position, const std::optional<MacAddress>& mac) {
    if (position >= targets || answered[position] != 0 || sent_at[position] == TimePoint{}) {
      return;
    }
    answered[position] = 1;
    const auto sample = std::chrono::duration_cast<Duration>(ScanClock::now() - sent_at[position]);
    rtt.add_sample(sample);
    on_reply(covered_[position], sample, mac);
  };
  // Waits up to `timeout` for replies or a cancellation; false when cancelled.
  const auto wait = [&](Duration timeout) {
    epoll_event events[8];
    const auto milliseconds = static_cast<int>((timeout.count() + 999) / 1000);
    const int ready = epoll_wait(epoll_fd_, events, 8, std::max(0, milliseconds));
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.u64 == kCancelTag) return false;
    }
    for (std::size_t link = 0; link < link_count(); ++link) read_replies(link, on_answer);
    return !cancelled_.load();
  };

  for (int round = 0; round <= limits.max_retries; ++round) {
    int since_read = 0;
    TimePoint last_send{};
    for (std::size_t position = 0; position < targets; ++position) {
      if (cancelled_.load()) return ScanOutcome::kCancelled;
      if (answered[position] != 0) continue;
      while (!rate.try_acquire(ScanClock::now())) {
        if (!wait(rate.wait_time(ScanClock::now()))) return ScanOutcome::kCancelled;
      }
      const TimePoint now = ScanClock::now();
      if (send_request(position)) {
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
