#include "link_sweep.h"

#include <fmt/format.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

namespace sentinel::scan {
namespace {

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

LinkSweep::~LinkSweep() = default;

Error LinkSweep::failure(const std::string& what) const {
  return internal_error(fmt::format("{} sweep: {}: {}", protocol_, what, std::strerror(errno)));
}

Result<ScanOutcome> LinkSweep::run(const ScanLimits& limits, const OnReply& on_reply) {
  const std::size_t targets = target_count();
  std::vector<TimePoint> sent_at(targets);
  std::vector<std::uint8_t> answered(targets, 0);
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
  SweepRounds::Requests requests;
  requests.targets = targets;
  requests.sends_between_reads = kSendsBetweenReads;
  requests.pending = [&](std::uint64_t position) { return answered[position] == 0; };
  requests.send = [&](std::uint64_t position, int /*round*/, TimePoint now) {
    if (!send_request(position)) return SweepRounds::Sent::kNotSent;
    sent_at[position] = now;
    return SweepRounds::Sent::kSent;
  };
  requests.read_replies = [&](std::size_t link) { read_replies(link, on_answer); };
  return rounds_.run(limits, rtt, requests);
}

}  // namespace sentinel::scan
