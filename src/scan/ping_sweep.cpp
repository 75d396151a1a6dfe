#include "ping_sweep.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "sentinel/common/crypto.h"
#include "sentinel/scan/keyed_permutation.h"
#include "sentinel/scan/rtt_estimator.h"
#include "socket_util.h"

namespace sentinel::scan {
namespace {

constexpr std::uint8_t kEchoRequest = 8;
constexpr std::uint8_t kEchoReply = 0;
constexpr std::uint8_t kEchoRequestV6 = 128;
constexpr std::uint8_t kEchoReplyV6 = 129;
constexpr std::size_t kHeaderBytes = 8;
// Payload: host index (8 bytes), send time in steady nanoseconds (8), keyed tag of both (8).
constexpr std::size_t kPayloadBytes = 24;
// Replies read between sends, so that a long round does not overflow the receive buffers.
constexpr int kSendsBetweenReads = 64;

void put64(std::uint8_t* out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * i));
}
std::uint64_t get64(const std::uint8_t* in) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = value << 8 | in[i];
  return value;
}

std::int64_t steady_ns(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

IpAddress from_sockaddr(const sockaddr_storage& storage) {
  if (storage.ss_family == AF_INET) {
    return IpAddress::v4(ntohl(reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr.s_addr));
  }
  std::uint8_t bytes[16];
  std::memcpy(bytes, reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr.s6_addr, 16);
  return IpAddress::v6_bytes(bytes);
}

bool has_family(const TargetSet& targets, AddressFamily family) {
  return std::any_of(targets.ranges().begin(), targets.ranges().end(),
                     [&](const AddressRange& range) { return range.first.family() == family; });
}

Result<int> open_ping_socket(int family) {
  const int protocol = family == AF_INET ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6};
  const int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) {
    const int error = errno;
    if (error == EACCES || error == EPERM) {
      return permission_denied(fmt::format(
          "ICMP datagram sockets are not allowed for this group (net.ipv4.ping_group_range): {}",
          std::strerror(error)));
    }
    return unavailable(fmt::format("ICMP datagram socket: {}", std::strerror(error)));
  }
  // ICMP errors go to the error queue instead of failing the next send or receive.
  const int on = 1;
  if (family == AF_INET) {
    setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
  } else {
    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
  }
  return fd;
}

}  // namespace

Result<std::unique_ptr<PingSweep>> PingSweep::open(const TargetSet& targets) {
  std::unique_ptr<PingSweep> sweep(new PingSweep());
  if (has_family(targets, AddressFamily::kIpv4)) {
    SENTINEL_ASSIGN(fd, open_ping_socket(AF_INET));
    sweep->v4_fd_ = fd;
  }
  if (has_family(targets, AddressFamily::kIpv6)) {
    SENTINEL_ASSIGN(fd, open_ping_socket(AF_INET6));
    sweep->v6_fd_ = fd;
  }
  const std::string key = crypto::random_bytes(sweep->key_.size());
  std::memcpy(sweep->key_.data(), key.data(), sweep->key_.size());
  SENTINEL_TRY(sweep->rounds_.open());
  if (sweep->v4_fd_ >= 0) SENTINEL_TRY(sweep->rounds_.watch(sweep->v4_fd_, AF_INET));
  if (sweep->v6_fd_ >= 0) SENTINEL_TRY(sweep->rounds_.watch(sweep->v6_fd_, AF_INET6));
  return sweep;
}

PingSweep::~PingSweep() {
  for (const int fd : {v4_fd_, v6_fd_}) {
    if (fd >= 0) close(fd);
  }
}

Result<ScanOutcome> PingSweep::run(const TargetSet& targets, const ScanLimits& limits,
                                   std::uint64_t seed, const Wanted& wanted,
                                   const OnReply& on_reply) {
  const std::uint64_t hosts = targets.size();
  std::vector<std::uint8_t> answered(static_cast<std::size_t>(hosts), 0);
  RttEstimator rtt(limits.rtt);
  const KeyedPermutation order(hosts, seed);

  const auto tag_of = [&](const std::uint8_t* payload) {
    std::uint8_t hash[crypto_shorthash_BYTES];
    crypto_shorthash(hash, payload, 16, key_.data());
    return get64(hash);
  };
  // Reads the replies waiting on `fd`, at most kMaxReadsPerWait packets.
  const auto read_replies = [&](int fd) {
    std::uint8_t buffer[kHeaderBytes + kPayloadBytes + 64];
    int errors = 0;
    for (int reads = 0; reads < SweepRounds::kMaxReadsPerWait; ++reads) {
      sockaddr_storage from{};
      socklen_t from_length = sizeof(from);
      const long got =
          recvfrom(fd, buffer, sizeof(buffer), 0, reinterpret_cast<sockaddr*>(&from), &from_length);
      if (got < 0) {
        if (errno == EINTR) continue;
        // A reported ICMP error; a socket that fails for good must not spin the loop.
        if (errno != EAGAIN && errno != EWOULDBLOCK && ++errors < 64) continue;
        // ICMP errors wait in the error queue (and keep epoll awake): drop them, since an
        // unreachable host is simply not up.
        char ignored[512];
        while (recv(fd, ignored, sizeof(ignored), MSG_ERRQUEUE | MSG_DONTWAIT) >= 0) {
        }
        return;
      }
      const TimePoint now = ScanClock::now();
      const bool v4 = from.ss_family == AF_INET;
      if (static_cast<std::size_t>(got) < kHeaderBytes + kPayloadBytes) continue;
      if (buffer[0] != (v4 ? kEchoReply : kEchoReplyV6) || buffer[1] != 0) continue;
      const std::uint8_t* payload = buffer + kHeaderBytes;
      const std::uint64_t index = get64(payload);
      const auto sent_ns = static_cast<std::int64_t>(get64(payload + 8));
      if (get64(payload + 16) != tag_of(payload) || index >= hosts) continue;
      if (targets.at(index) != from_sockaddr(from) || answered[index] != 0) continue;
      if (sent_ns > steady_ns(now)) continue;
      answered[index] = 1;
      const Duration sample(std::max<std::int64_t>(0, (steady_ns(now) - sent_ns) / 1000));
      rtt.add_sample(sample);
      on_reply(index, sample);
    }
  };

  SweepRounds::Requests requests;
  requests.targets = hosts;
  requests.sends_between_reads = kSendsBetweenReads;
  requests.pending = [&](std::uint64_t position) {
    const std::uint64_t index = order.at(position);
    return answered[index] == 0 && wanted(index);
  };
  requests.send = [&](std::uint64_t position, int round, TimePoint now) {
    const std::uint64_t index = order.at(position);
    const IpAddress host = targets.at(index);
    std::uint8_t request[kHeaderBytes + kPayloadBytes] = {};
    request[0] = host.is_v4() ? kEchoRequest : kEchoRequestV6;
    // Identifier and checksum are the kernel's; the sequence number is the round.
    request[7] = static_cast<std::uint8_t>(round);
    put64(request + kHeaderBytes, index);
    put64(request + kHeaderBytes + 8, static_cast<std::uint64_t>(steady_ns(now)));
    put64(request + kHeaderBytes + 16, tag_of(request + kHeaderBytes));
    sockaddr_storage to{};
    const socklen_t to_length = to_sockaddr(host, 0, to);
    const int fd = host.is_v4() ? v4_fd_ : v6_fd_;
    while (sendto(fd, request, sizeof(request), 0, reinterpret_cast<sockaddr*>(&to), to_length) <
           0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == ENOBUFS) return SweepRounds::Sent::kBufferFull;
      break;  // unreachable, refused: not up
    }
    return SweepRounds::Sent::kSent;
  };
  requests.read_replies = [&](std::size_t family) {
    read_replies(family == AF_INET ? v4_fd_ : v6_fd_);
  };
  return rounds_.run(limits, rtt, requests);
}

}  // namespace sentinel::scan
