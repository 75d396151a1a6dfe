#pragma once
// What the ARP (IPv4) and NDP (IPv6) sweeps share: each on-link target is asked on its own
// link, in paced rounds of requests; the answers of every link are read between sends; a
// target is settled by its first valid answer and the others are asked again next round.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/mac_address.h"
#include "sentinel/scan/port_scanner.h"
#include "sentinel/scan/rtt_estimator.h"
#include "sweep_rounds.h"

struct sockaddr;

namespace sentinel::scan {

/// An address of this host on an up Ethernet interface that resolves its neighbours (not
/// loopback, no IFF_NOARP, which also turns NDP off), as getifaddrs lists it.
struct EthernetAddress {
  int interface_index = 0;
  std::string interface_name;
  MacAddress mac{};
  const sockaddr* address = nullptr;  // of the family asked for
  const sockaddr* netmask = nullptr;
};

/// Calls `visit` for every such address of `family` (AF_INET, AF_INET6) that has a netmask.
/// The pointers are valid during the call only.
void for_each_ethernet_address(int family,
                               const std::function<void(const EthernetAddress&)>& visit);

/// The rounds of a neighbour sweep over the targets of some links. A subclass owns the links'
/// sockets, sends a request and reads replies; this class keeps the targets' state and reports,
/// and its SweepRounds paces, retries and times.
/// run() once, from one thread; cancel() from any.
class LinkSweep {
 public:
  /// Called once per target that answered: its host index, the time from the last request to
  /// the reply, and the link-layer address it answered with (empty when the reply held none).
  using OnReply =
      std::function<void(std::uint64_t index, Duration rtt, const std::optional<MacAddress>& mac)>;

  virtual ~LinkSweep();
  LinkSweep(const LinkSweep&) = delete;
  LinkSweep& operator=(const LinkSweep&) = delete;

  /// Asks for every target in rounds (max_retries + 1 at most; a round asks only the targets
  /// still silent), at most limits.max_rate requests a second, waiting one timeout (RttBounds,
  /// from the replies seen) after each round.
  Result<ScanOutcome> run(const ScanLimits& limits, const OnReply& on_reply);
  /// Stops a running sweep soon. Thread-safe.
  void cancel() { rounds_.cancel(); }

  /// The host indexes of the targets, ascending.
  const std::vector<std::uint64_t>& covered() const { return covered_; }
  /// "ARP on veth0 (10.0.0.1/24)" for the method's description.
  virtual std::string describe() const = 0;
  std::uint64_t requests_sent() const { return rounds_.requests_sent(); }

 protected:
  /// A valid reply: the target's position (in covered()) and its link-layer address.
  using OnAnswer = std::function<void(std::size_t position, const std::optional<MacAddress>& mac)>;

  /// `protocol` ("ARP", "NDP") names the sweep in errors.
  explicit LinkSweep(std::string_view protocol)
      : protocol_(protocol), rounds_(std::string(protocol) + " sweep") {}

  /// Creates the epoll set and the cancel event; call before watch().
  Status open_loop() { return rounds_.open(); }
  /// Adds the socket of link number `link` to the epoll set.
  Status watch(int fd, std::size_t link) { return rounds_.watch(fd, link); }
  /// An internal error naming the sweep, `what` and errno's text.
  Error failure(const std::string& what) const;
  /// Appends a target (positions are the order of the calls; indexes must ascend).
  void add_target(std::uint64_t index) { covered_.push_back(index); }
  std::size_t target_count() const { return covered_.size(); }

  /// Sends one request for the target at `position`; false when the send failed.
  virtual bool send_request(std::size_t position) = 0;
  /// Reads what waits on the socket of `link` (at most kMaxReadsPerCall packets, so that a
  /// flood on the link cannot hold the sweep past its deadlines), reporting each reply that
  /// comes from a target of that link to us. Duplicates and replies to targets not asked yet
  /// are dropped by the caller.
  virtual void read_replies(std::size_t link, const OnAnswer& answered) = 0;
  static constexpr int kMaxReadsPerCall = SweepRounds::kMaxReadsPerWait;

 private:
  std::string protocol_;
  std::vector<std::uint64_t> covered_;
  SweepRounds rounds_;
};

}  // namespace sentinel::scan
