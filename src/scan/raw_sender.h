#pragma once
// Sending a raw scan's probes: packets with our own IP headers through IPPROTO_RAW sockets,
// one sendmmsg() per batch and family, so that the kernel routes them (and resolves
// neighbours) while the scan pays one system call per few hundred probes. On a machine with
// more than one core a second thread sends half of each full batch: on loopback and virtual
// links the kernel carries every probe through to its answer inside sendmmsg(), so one
// sending thread keeps one core busy and leaves the others idle.

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "probe_packets.h"
#include "sentinel/common/result.h"
#include "sentinel/scan/ip_address.h"

namespace sentinel::scan {

/// Probes queued per family before a send; also the most that one sendmmsg() carries.
inline constexpr std::size_t kSendBatch = 256;

/// Raw sending sockets for IPv4 and/or IPv6 and a batch of packets per family, with no
/// allocation after open(). Needs CAP_NET_RAW. Owns its sockets (and its second sending thread,
/// when it has one); movable; used from one thread.
class RawSender {
 public:
  /// Opens the sockets of the families asked for; kPermissionDenied without CAP_NET_RAW.
  /// `split_batches`: whether full batches are sent half by a second thread (when the process
  /// may run on more than one core).
  static Result<RawSender> open(bool ipv4, bool ipv6, bool split_batches = true);
  RawSender(RawSender&& other) noexcept;
  RawSender& operator=(RawSender&& other) noexcept;
  RawSender(const RawSender&) = delete;
  RawSender& operator=(const RawSender&) = delete;
  ~RawSender();

  /// Whether the batch of `family` has no room left (flush() it).
  bool full(AddressFamily family) const;
  /// Builds `probe` into the batch of its family, remembering `tag` for failures. The batch
  /// must not be full.
  void add(const ProbePacket& probe, std::uint32_t tag);
  /// Packets waiting in either batch.
  std::size_t pending() const;

  /// Whether full batches are split between two sending threads.
  bool splits_batches() const { return partner_ != nullptr; }

  /// Called with the tag and errno of each packet the kernel refused.
  using FailureHandler = std::function<void(std::uint32_t tag, int error)>;
  /// Sends every queued packet. A packet refused for good (no route, a local firewall, a
  /// broadcast address) is reported and the rest sent; when the socket is out of buffer
  /// space, that packet and all after it are reported with that errno (EAGAIN, ENOBUFS) so the
  /// caller can try them later. Returns the number sent.
  std::size_t flush(const FailureHandler& failed);

 private:
  /// A packet the kernel refused: its place in the batch and the errno.
  struct Refusal {
    std::size_t index = 0;
    int error = 0;
  };
  struct Batch {
    int fd = -1;
    std::size_t count = 0;
    std::vector<std::array<std::uint8_t, kMaxProbeBytes>> packets;
    std::vector<sockaddr_storage> addresses;
    std::vector<iovec> vectors;
    std::vector<mmsghdr> messages;
    std::vector<std::uint32_t> tags;
  };
  class Partner;

  RawSender();
  static Status open_batch(Batch& batch, int family);
  static std::size_t send_range(const Batch& batch, std::size_t begin, std::size_t end,
                                std::vector<Refusal>& refused);
  std::size_t flush_batch(Batch& batch, const FailureHandler& failed);
  void close_all();

  Batch v4_;
  Batch v6_;
  std::unique_ptr<Partner> partner_;
  std::vector<Refusal> refused_;          // by this thread, in a flush
  std::vector<Refusal> partner_refused_;  // by the partner, in a flush
};

}  // namespace sentinel::scan
