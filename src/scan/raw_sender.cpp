#include "raw_sender.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace sentinel::scan {
namespace {

// Room for a few batches in flight in the kernel; the kernel caps it at net.core.wmem_max.
constexpr int kSendBufferBytes = 4 << 20;

bool out_of_buffers(int error) {
  return error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS || error == ENOMEM;
}

}  // namespace

Status RawSender::open_batch(Batch& batch, int family) {
  // IPPROTO_RAW implies our own IP header (IP_HDRINCL, and its IPv6 counterpart since Linux
  // 4.5); such a socket never receives, so nothing queues up on it.
  batch.fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
  if (batch.fd < 0) {
    const int error = errno;
    if (error == EPERM || error == EACCES) {
      return permission_denied(
          fmt::format("raw socket: {} (raw scans need CAP_NET_RAW)", std::strerror(error)));
    }
    return internal_error(fmt::format("raw socket: {}", std::strerror(error)));
  }
  setsockopt(batch.fd, SOL_SOCKET, SO_SNDBUF, &kSendBufferBytes, sizeof(kSendBufferBytes));
  batch.packets.resize(kSendBatch);
  batch.addresses.resize(kSendBatch);
  batch.vectors.resize(kSendBatch);
  batch.messages.resize(kSendBatch);
  batch.tags.resize(kSendBatch);
  for (std::size_t i = 0; i < kSendBatch; ++i) {
    batch.vectors[i].iov_base = batch.packets[i].data();
    msghdr& header = batch.messages[i].msg_hdr;
    header = msghdr{};
    header.msg_name = &batch.addresses[i];
    header.msg_iov = &batch.vectors[i];
    header.msg_iovlen = 1;
  }
  return ok();
}

Result<RawSender> RawSender::open(bool ipv4, bool ipv6) {
  RawSender sender;
  if (ipv4) SENTINEL_TRY(open_batch(sender.v4_, AF_INET));
  if (ipv6) SENTINEL_TRY(open_batch(sender.v6_, AF_INET6));
  return sender;
}

RawSender::RawSender(RawSender&& other) noexcept
    : v4_(std::move(other.v4_)), v6_(std::move(other.v6_)) {
  other.v4_.fd = -1;
  other.v6_.fd = -1;
}

RawSender& RawSender::operator=(RawSender&& other) noexcept {
  if (this != &other) {
    close_all();
    v4_ = std::move(other.v4_);
    v6_ = std::move(other.v6_);
    other.v4_.fd = -1;
    other.v6_.fd = -1;
  }
  return *this;
}

RawSender::~RawSender() { close_all(); }

void RawSender::close_all() {
  for (Batch* batch : {&v4_, &v6_}) {
    if (batch->fd >= 0) close(batch->fd);
    batch->fd = -1;
  }
}

bool RawSender::full(AddressFamily family) const {
  const Batch& batch = family == AddressFamily::kIpv4 ? v4_ : v6_;
  return batch.count == batch.packets.size();
}

std::size_t RawSender::pending() const { return v4_.count + v6_.count; }

void RawSender::add(const ProbePacket& probe, std::uint32_t tag) {
  Batch& batch = probe.destination.is_v4() ? v4_ : v6_;
  const std::size_t i = batch.count++;
  batch.vectors[i].iov_len = build_probe(probe, batch.packets[i]);
  batch.tags[i] = tag;
  sockaddr_storage& storage = batch.addresses[i];
  if (probe.destination.is_v4()) {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    *in = sockaddr_in{};
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(static_cast<std::uint32_t>(probe.destination.value()));
    batch.messages[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    *in6 = sockaddr_in6{};
    in6->sin6_family = AF_INET6;
    std::uint8_t bytes[16];
    probe.destination.to_bytes(bytes);
    std::memcpy(in6->sin6_addr.s6_addr, bytes, sizeof(bytes));
    batch.messages[i].msg_hdr.msg_namelen = sizeof(sockaddr_in6);
  }
}

std::size_t RawSender::flush_batch(Batch& batch, const FailureHandler& failed) {
  std::size_t sent = 0;
  std::size_t i = 0;
  while (i < batch.count) {
    const int result = sendmmsg(batch.fd, &batch.messages[i],
                                static_cast<unsigned>(batch.count - i), MSG_DONTWAIT);
    if (result > 0) {
      i += static_cast<std::size_t>(result);
      sent += static_cast<std::size_t>(result);
      continue;
    }
    const int error = result < 0 ? errno : EAGAIN;
    if (error == EINTR) continue;
    if (out_of_buffers(error)) {
      for (; i < batch.count; ++i) failed(batch.tags[i], error);
      break;
    }
    // sendmmsg() reports the first failure of a call; that packet is skipped, the rest retried.
    failed(batch.tags[i], error);
    ++i;
  }
  batch.count = 0;
  return sent;
}

std::size_t RawSender::flush(const FailureHandler& failed) {
  std::size_t sent = 0;
  if (v4_.count > 0) sent += flush_batch(v4_, failed);
  if (v6_.count > 0) sent += flush_batch(v6_, failed);
  return sent;
}

}  // namespace sentinel::scan
