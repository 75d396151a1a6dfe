#include "raw_sender.h"

#include <fmt/format.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

namespace sentinel::scan {
namespace {

// Room for a few batches in flight in the kernel; the kernel caps it at net.core.wmem_max.
constexpr int kSendBufferBytes = 4 << 20;

// Batches smaller than this are sent by one thread: too little work for a hand-over.
constexpr std::size_t kSmallestSplit = 32;

bool out_of_buffers(int error) {
  return error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS || error == ENOMEM;
}

// The cores this process may run on (its affinity mask, which a container or taskset narrows).
int usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  return CPU_COUNT(&set);
}

}  // namespace

// The second sending thread: sends one range of a batch at a time, handed over by start() and
// waited for by wait(), both from the sender's thread.
class RawSender::Partner {
 public:
  Partner() : thread_([this] { run(); }) {}

  ~Partner() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  Partner(const Partner&) = delete;
  Partner& operator=(const Partner&) = delete;

  void start(const Batch& batch, std::size_t begin, std::size_t end,
             std::vector<Refusal>& refused) {
    {
      std::lock_guard lock(mutex_);
      batch_ = &batch;
      begin_ = begin;
      end_ = end;
      refused_ = &refused;
      given_ = true;
    }
    wake_.notify_one();
  }

  /// The packets the range handed over last was sent as, once it was.
  std::size_t wait() {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return !given_; });
    return sent_;
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return given_ || stopping_; });
      if (stopping_) return;
      lock.unlock();
      const std::size_t sent = send_range(*batch_, begin_, end_, *refused_);
      lock.lock();
      sent_ = sent;
      given_ = false;
      done_.notify_one();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const Batch* batch_ = nullptr;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::vector<Refusal>* refused_ = nullptr;
  std::size_t sent_ = 0;
  bool given_ = false;  // a range is handed over and not sent yet
  bool stopping_ = false;
  std::thread thread_;  // last: it starts once the members above are
};

RawSender::RawSender() = default;

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

Result<RawSender> RawSender::open(bool ipv4, bool ipv6, bool split_batches) {
  RawSender sender;
  if (ipv4) SENTINEL_TRY(open_batch(sender.v4_, AF_INET));
  if (ipv6) SENTINEL_TRY(open_batch(sender.v6_, AF_INET6));
  sender.refused_.reserve(kSendBatch);
  sender.partner_refused_.reserve(kSendBatch);
  if (split_batches && usable_cores() > 1) {
    try {
      sender.partner_ = std::make_unique<Partner>();
    } catch (const std::system_error&) {
      // No thread to be had: one thread sends everything, as on one core.
    }
  }
  return sender;
}

RawSender::RawSender(RawSender&& other) noexcept
    : v4_(std::move(other.v4_)),
      v6_(std::move(other.v6_)),
      partner_(std::move(other.partner_)),
      refused_(std::move(other.refused_)),
      partner_refused_(std::move(other.partner_refused_)) {
  other.v4_.fd = -1;
  other.v6_.fd = -1;
}

RawSender& RawSender::operator=(RawSender&& other) noexcept {
  if (this != &other) {
    close_all();
    v4_ = std::move(other.v4_);
    v6_ = std::move(other.v6_);
    partner_ = std::move(other.partner_);
    refused_ = std::move(other.refused_);
    partner_refused_ = std::move(other.partner_refused_);
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

std::size_t RawSender::send_range(const Batch& batch, std::size_t begin, std::size_t end,
                                  std::vector<Refusal>& refused) {
  std::size_t sent = 0;
  std::size_t i = begin;
  while (i < end) {
    // sendmmsg() does not write the messages it is given, only their lengths sent.
    auto* messages = const_cast<mmsghdr*>(&batch.messages[i]);
    const int result = sendmmsg(batch.fd, messages, static_cast<unsigned>(end - i), MSG_DONTWAIT);
    if (result > 0) {
      i += static_cast<std::size_t>(result);
      sent += static_cast<std::size_t>(result);
      continue;
    }
    const int error = result < 0 ? errno : EAGAIN;
    if (error == EINTR) continue;
    if (out_of_buffers(error)) {
      for (; i < end; ++i) refused.push_back({i, error});
      break;
    }
    // sendmmsg() reports the first failure of a call; that packet is skipped, the rest retried.
    refused.push_back({i, error});
    ++i;
  }
  return sent;
}

std::size_t RawSender::flush_batch(Batch& batch, const FailureHandler& failed) {
  refused_.clear();
  partner_refused_.clear();
  // The partner sends the first half, this thread the second, at the same time.
  const std::size_t own_begin =
      partner_ != nullptr && batch.count >= kSmallestSplit ? batch.count / 2 : 0;
  if (own_begin > 0) partner_->start(batch, 0, own_begin, partner_refused_);
  std::size_t sent = send_range(batch, own_begin, batch.count, refused_);
  if (own_begin > 0) sent += partner_->wait();
  for (const Refusal& refusal : partner_refused_) failed(batch.tags[refusal.index], refusal.error);
  for (const Refusal& refusal : refused_) failed(batch.tags[refusal.index], refusal.error);
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
