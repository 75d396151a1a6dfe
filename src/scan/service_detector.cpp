#include "sentinel/scan/service_detector.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include "sentinel/common/openssl.h"
#include "sentinel/scan/scan_clock.h"
#include "service_probe_sequence.h"
#include "slot_event_loop.h"
#include "socket_util.h"
#include "tls_facts.h"

namespace sentinel::scan {
namespace {

using SslPtr = std::unique_ptr<SSL, ssl::Deleter<SSL_free>>;
using SslContextPtr = std::unique_ptr<SSL_CTX, ssl::Deleter<SSL_CTX_free>>;

constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::size_t kMaxResponseBytes = 1 << 20;
constexpr std::array<int, 4> kTlsVersions = {TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION,
                                             TLS1_3_VERSION};

/// A client context that talks to anything: no verification (we identify, not trust), every
/// protocol version and cipher OpenSSL has, security level 0 so that old servers still answer.
Result<SslContextPtr> make_client_context() {
  SslContextPtr context(SSL_CTX_new(TLS_client_method()));
  if (!context) return internal_error("SSL_CTX_new: " + ssl::openssl_error());
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_security_level(context.get(), 0);
  SSL_CTX_set_cipher_list(context.get(), "ALL:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(context.get(), 0);
  SSL_CTX_set_max_proto_version(context.get(), 0);
  SSL_CTX_set_options(context.get(), SSL_OP_LEGACY_SERVER_CONNECT);
  SSL_CTX_set_session_cache_mode(context.get(), SSL_SESS_CACHE_OFF);
  ERR_clear_error();
  return context;
}

/// Blocks SIGPIPE on this thread while it lives (OpenSSL writes with write(), which raises it
/// on a connection the peer reset), then discards any that arrived and restores the mask.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, &previous_);
  }
  ~SigpipeBlock() {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t previous_{};
};

}  // namespace

/// The state of one run(): a slot per target in progress, each with at most one connection,
/// on a SlotEventLoop. Lives on run()'s stack.
class ServiceDetector::Loop final : public SlotWork {
 public:
  Loop(ServiceDetector& detector, const ServiceResultHandler& on_result, int epoll_fd,
       SSL_CTX* context, std::size_t slots)
      : detector_(detector),
        options_(detector.options_),
        on_result_(on_result),
        epoll_fd_(epoll_fd),
        context_(context),
        slots_(slots),
        events_(epoll_fd, kCancelTag, slots) {}

  ~Loop() override {
    for (Slot& slot : slots_) close_connection(slot);
  }

  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  Status run() {
    SENTINEL_TRY(events_.run(*this));
    // Targets never admitted (cancelled) are reported too, without a service.
    while (next_target_ < detector_.targets_.size()) {
      const ServiceTarget& target = detector_.targets_[next_target_++];
      report(target, std::nullopt, {}, std::nullopt);
    }
    return ok();
  }

 private:
  enum class Phase : std::uint8_t { kConnecting, kHandshaking, kSending, kReading };

  struct Slot {
    ServiceTarget target;
    std::optional<ProbeSequence> sequence;
    TimePoint port_deadline;
    // The connection in progress.
    int fd = -1;
    std::uint32_t connection = 0;  // counts connections of this slot, to tell stale events
    SslPtr ssl;
    Phase phase = Phase::kConnecting;
    ProbeStep step;
    std::size_t sent = 0;
    std::string answer;
    TimePoint step_deadline;   // the probe's wait ends
    TimePoint quiet_deadline;  // an answer begun ends (answer_quiet after its last bytes)
    // TLS facts and the version checks still to do; 0 while probing.
    std::optional<TlsFacts> tls;
    std::vector<int> versions_left;
    int version_check = 0;
  };

  void admit() override {
    while (next_target_ < detector_.targets_.size() &&
           !detector_.cancelled_.load(std::memory_order_relaxed)) {
      const std::optional<std::uint32_t> free = events_.acquire();
      if (!free) return;
      const std::uint32_t index = *free;
      Slot& slot = slots_[index];
      slot.target = detector_.targets_[next_target_++];
      slot.sequence.emplace(
          *detector_.probes_, slot.target.port,
          ProbeSequenceOptions{options_.intensity, options_.banner_wait, options_.max_probe_wait});
      slot.port_deadline = ScanClock::now() + options_.port_deadline;
      slot.tls.reset();
      slot.versions_left.clear();
      slot.version_check = 0;
      start_step(index);
    }
  }

  void start_step(std::uint32_t index) {
    Slot& slot = slots_[index];
    const std::optional<ProbeStep> step = slot.sequence->current();
    if (!step) {
      after_probing(index);
      return;
    }
    slot.step = *step;
    if (step->reuse_connection && slot.fd >= 0 && slot.phase == Phase::kReading) {
      begin_send(index);
      return;
    }
    close_connection(slot);
    open_connection(index, step->tls, 0);
  }

  void open_connection(std::uint32_t index, bool tls, int version) {
    Slot& slot = slots_[index];
    slot.version_check = version;
    slot.step.tls = tls;
    const ServiceTarget& target = slot.target;
    slot.fd = socket(target.address.is_v4() ? AF_INET : AF_INET6,
                     SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (slot.fd < 0) {
      connection_failed(index);
      return;
    }
    ++slot.connection;
    detector_.connections_.fetch_add(1, std::memory_order_relaxed);
    epoll_event event{};
    event.events = EPOLLOUT;
    event.data.u64 = SlotEventLoop::tag(index, slot.connection);
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, slot.fd, &event) != 0) {
      connection_failed(index);
      return;
    }
    sockaddr_storage storage{};
    const socklen_t length = to_sockaddr(target.address, target.port, storage);
    set_timer(index, ScanClock::now() + options_.connect_timeout);
    slot.phase = Phase::kConnecting;
    if (connect(slot.fd, reinterpret_cast<const sockaddr*>(&storage), length) == 0) {
      on_connected(index);
    } else if (errno != EINPROGRESS) {
      connection_failed(index);
    }
  }

  void on_ready(std::uint32_t index, std::uint32_t connection) override {
    const Slot& slot = slots_[index];
    // An event of a connection closed earlier in this batch must not drive its successor.
    if (slot.fd < 0 || slot.connection != connection) return;
    drive(index);
  }

  void drive(std::uint32_t index) {
    Slot& slot = slots_[index];
    switch (slot.phase) {
      case Phase::kConnecting: {
        int error = 0;
        socklen_t length = sizeof(error);
        if (getsockopt(slot.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
        if (error == 0) {
          on_connected(index);
        } else if (error != EINPROGRESS) {
          connection_failed(index);
        }
        return;
      }
      case Phase::kHandshaking:
        drive_handshake(index);
        return;
      case Phase::kSending:
        drive_send(index);
        return;
      case Phase::kReading:
        drive_read(index);
        return;
    }
  }

  void on_connected(std::uint32_t index) {
    Slot& slot = slots_[index];
    if (!slot.step.tls) {
      begin_send(index);
      return;
    }
    slot.ssl.reset(SSL_new(context_));
    if (!slot.ssl || SSL_set_fd(slot.ssl.get(), slot.fd) != 1) {
      ERR_clear_error();
      connection_failed(index);
      return;
    }
    if (slot.version_check != 0) {
      SSL_set_min_proto_version(slot.ssl.get(), slot.version_check);
      SSL_set_max_proto_version(slot.ssl.get(), slot.version_check);
    }
    SSL_set_connect_state(slot.ssl.get());
    slot.phase = Phase::kHandshaking;
    drive_handshake(index);
  }

  void drive_handshake(std::uint32_t index) {
    Slot& slot = slots_[index];
    const int done = SSL_do_handshake(slot.ssl.get());
    if (done == 1) {
      on_handshake(index);
      return;
    }
    switch (SSL_get_error(slot.ssl.get(), done)) {
      case SSL_ERROR_WANT_READ:
        want(slot, index, EPOLLIN);
        return;
      case SSL_ERROR_WANT_WRITE:
        want(slot, index, EPOLLOUT);
        return;
      default:
        ERR_clear_error();
        connection_failed(index);
        return;
    }
  }

  void on_handshake(std::uint32_t index) {
    Slot& slot = slots_[index];
    const int version = SSL_version(slot.ssl.get());
    if (!slot.tls) {
      // The first handshake of the port: the certificate, and the version it settled on.
      slot.tls = certificate_facts(SSL_get0_peer_certificate(slot.ssl.get()));
      slot.tls->versions_tested.emplace_back(tls_version_name(version));
      slot.tls->versions_accepted.emplace_back(tls_version_name(version));
    }
    if (slot.version_check != 0) {
      if (version == slot.version_check) {
        slot.tls->versions_accepted.emplace_back(tls_version_name(version));
      }
      close_connection(slot);
      next_version_check(index);
      return;
    }
    begin_send(index);
  }

  void begin_send(std::uint32_t index) {
    Slot& slot = slots_[index];
    slot.phase = Phase::kSending;
    slot.sent = 0;
    slot.answer.clear();
    slot.step_deadline = ScanClock::now() + slot.step.wait;
    set_timer(index, slot.step_deadline);
    drive_send(index);
  }

  void drive_send(std::uint32_t index) {
    Slot& slot = slots_[index];
    const std::string& payload = slot.step.probe->payload;
    while (slot.sent < payload.size()) {
      const char* data = payload.data() + slot.sent;
      const std::size_t size = payload.size() - slot.sent;
      if (slot.ssl) {
        const int n = SSL_write(slot.ssl.get(), data, static_cast<int>(size));
        if (n > 0) {
          slot.sent += static_cast<std::size_t>(n);
          continue;
        }
        const int error = SSL_get_error(slot.ssl.get(), n);
        if (error == SSL_ERROR_WANT_WRITE) return want(slot, index, EPOLLOUT);
        if (error == SSL_ERROR_WANT_READ) return want(slot, index, EPOLLIN);
        ERR_clear_error();
        return probe_ended(index, ProbeEnd::kClosed);
      }
      const ssize_t n = send(slot.fd, data, size, MSG_NOSIGNAL);
      if (n > 0) {
        slot.sent += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return want(slot, index, EPOLLOUT);
      return probe_ended(index, ProbeEnd::kClosed);
    }
    slot.phase = Phase::kReading;
    drive_read(index);
  }

  void drive_read(std::uint32_t index) {
    Slot& slot = slots_[index];
    const std::size_t cap = options_.max_response_bytes;
    bool received = false;
    bool closed = false;
    std::uint32_t wanted = EPOLLIN;
    char chunk[kReadChunk];
    while (slot.answer.size() < cap) {
      const std::size_t room = std::min(cap - slot.answer.size(), sizeof(chunk));
      if (slot.ssl) {
        const int n = SSL_read(slot.ssl.get(), chunk, static_cast<int>(room));
        if (n > 0) {
          slot.answer.append(chunk, static_cast<std::size_t>(n));
          received = true;
          continue;
        }
        const int error = SSL_get_error(slot.ssl.get(), n);
        if (error == SSL_ERROR_WANT_READ) break;
        if (error == SSL_ERROR_WANT_WRITE) {
          wanted = EPOLLOUT;
          break;
        }
        ERR_clear_error();
        closed = true;
        break;
      }
      const ssize_t n = recv(slot.fd, chunk, room, 0);
      if (n > 0) {
        slot.answer.append(chunk, static_cast<std::size_t>(n));
        received = true;
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0 && errno == EINTR) continue;
      closed = true;
      break;
    }
    if (received && slot.sequence->on_answer(slot.answer)) {
      step_settled(index);
      return;
    }
    if (closed) return probe_ended(index, ProbeEnd::kClosed);
    if (slot.answer.size() >= cap) return probe_ended(index, ProbeEnd::kCapped);
    if (received) {
      slot.quiet_deadline = ScanClock::now() + options_.answer_quiet;
      if (slot.quiet_deadline < slot.step_deadline) set_timer(index, slot.quiet_deadline);
    }
    want(slot, index, wanted);
  }

  // A hard match (done) or a TLS match (the next step is inside TLS).
  void step_settled(std::uint32_t index) {
    close_connection(slots_[index]);
    start_step(index);
  }

  void probe_ended(std::uint32_t index, ProbeEnd end) {
    Slot& slot = slots_[index];
    slot.sequence->on_end(slot.answer, end);
    const std::optional<ProbeStep> next = slot.sequence->current();
    if (!next || !next->reuse_connection) close_connection(slot);
    start_step(index);
  }

  void connection_failed(std::uint32_t index) {
    Slot& slot = slots_[index];
    close_connection(slot);
    if (slot.version_check != 0) {
      next_version_check(index);
      return;
    }
    slot.sequence->on_end({}, ProbeEnd::kConnectFailed);
    start_step(index);
  }

  void after_probing(std::uint32_t index) {
    Slot& slot = slots_[index];
    close_connection(slot);
    if (slot.tls && options_.tls_versions && slot.version_check == 0) {
      const std::string_view settled = slot.tls->versions_accepted.front();
      for (const int version : kTlsVersions) {
        if (tls_version_name(version) != settled) slot.versions_left.push_back(version);
      }
    }
    next_version_check(index);
  }

  void next_version_check(std::uint32_t index) {
    Slot& slot = slots_[index];
    while (!slot.versions_left.empty()) {
      const int version = slot.versions_left.back();
      slot.versions_left.pop_back();
      // Only versions this OpenSSL can offer count as tested (it may be built without 1.0).
      SslPtr trial(SSL_new(context_));
      if (!trial || SSL_set_min_proto_version(trial.get(), version) != 1 ||
          SSL_set_max_proto_version(trial.get(), version) != 1) {
        ERR_clear_error();
        continue;
      }
      slot.tls->versions_tested.emplace_back(tls_version_name(version));
      open_connection(index, true, version);
      return;
    }
    complete(index);
  }

  void complete(std::uint32_t index) {
    Slot& slot = slots_[index];
    close_connection(slot);
    if (slot.tls) {
      for (auto* versions : {&slot.tls->versions_tested, &slot.tls->versions_accepted}) {
        std::sort(versions->begin(), versions->end());  // "TLSv1" < "TLSv1.1" < ... < "TLSv1.3"
      }
    }
    report(slot.target, slot.sequence->service(), slot.sequence->tunnel(), std::move(slot.tls));
    slot.sequence.reset();
    slot.answer = std::string();
    events_.release(index);
  }

  void report(const ServiceTarget& target, std::optional<ServiceInfo> service, std::string tunnel,
              std::optional<TlsFacts> tls) {
    ServiceResult result;
    result.address = target.address;
    result.port.port = target.port;
    result.port.protocol = Protocol::kTcp;
    result.port.state = PortState::kOpen;
    if (service) detector_.identified_.fetch_add(1, std::memory_order_relaxed);
    result.port.service = std::move(service);
    result.port.tunnel = std::move(tunnel);
    result.port.tls = std::move(tls);
    detector_.done_.fetch_add(1, std::memory_order_relaxed);
    if (on_result_) on_result_(result);
  }

  void want(Slot& slot, std::uint32_t index, std::uint32_t events) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = SlotEventLoop::tag(index, slot.connection);
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, slot.fd, &event);
  }

  void close_connection(Slot& slot) {
    slot.ssl.reset();
    if (slot.fd >= 0) close_abortively(slot.fd);  // also leaves the epoll set
    slot.fd = -1;
  }

  // The slot's one live timer, never past its port's deadline.
  void set_timer(std::uint32_t index, TimePoint when) {
    events_.set_timer(index, std::min(when, slots_[index].port_deadline));
  }

  void on_timer(std::uint32_t index, TimePoint now) override {
    Slot& slot = slots_[index];
    if (now >= slot.port_deadline) {
      // Out of time for this port: report what is known (version checks not done stay untested).
      on_cancel(index);
      return;
    }
    switch (slot.phase) {
      case Phase::kConnecting:
      case Phase::kHandshaking:
        connection_failed(index);
        return;
      case Phase::kSending:
      case Phase::kReading:
        probe_ended(index, ProbeEnd::kTimeout);
        return;
    }
  }

  // Cancelled, or out of time: the port's probing and TLS version checks end now.
  void on_cancel(std::uint32_t index) override {
    Slot& slot = slots_[index];
    slot.versions_left.clear();
    slot.version_check = 0;
    slot.sequence->stop();
    complete(index);
  }

  ServiceDetector& detector_;
  const ServiceDetectionOptions& options_;
  const ServiceResultHandler& on_result_;
  int epoll_fd_;
  SSL_CTX* context_;
  std::vector<Slot> slots_;
  std::size_t next_target_ = 0;
  SlotEventLoop events_;
};

Result<std::unique_ptr<ServiceDetector>> ServiceDetector::create(
    std::shared_ptr<const ServiceProbes> probes, std::vector<ServiceTarget> targets,
    const ScanScope& scope, ServiceDetectionOptions options) {
  if (!probes) return invalid_argument("no probe set", "probes");
  std::vector<std::string> outside;
  for (const ServiceTarget& target : targets) {
    if (target.port == 0) {
      return invalid_argument(fmt::format("port 0 of {}", target.address.to_string()), "targets");
    }
    const bool probed_state =
        target.state == PortState::kOpen ||
        (target.protocol == Protocol::kUdp && target.state == PortState::kOpenFiltered);
    if (!probed_state) {
      return invalid_argument(fmt::format("{}/{} of {} is {}, not a port to probe", target.port,
                                          target.protocol == Protocol::kUdp ? "udp" : "tcp",
                                          target.address.to_string(), to_string(target.state)),
                              "targets");
    }
    if (!scope.contains(target.address) && outside.size() < 20) {
      const std::string text = target.address.to_string();
      if (std::find(outside.begin(), outside.end(), text) == outside.end()) {
        outside.push_back(text);
      }
    }
  }
  if (!outside.empty()) {
    return permission_denied(
        fmt::format("targets outside the scan scope: {}", fmt::join(outside, ", ")));
  }
  if (options.intensity < 0 || options.intensity > 9) {
    return invalid_argument("intensity must be 0-9", "intensity");
  }
  if (options.max_concurrency == 0) {
    return invalid_argument("max_concurrency must be at least 1", "max_concurrency");
  }
  const auto positive = [](std::chrono::milliseconds wait) { return wait.count() > 0; };
  if (!positive(options.banner_wait)) return invalid_argument("must be > 0", "banner_wait");
  if (!positive(options.max_probe_wait)) return invalid_argument("must be > 0", "max_probe_wait");
  if (!positive(options.answer_quiet)) return invalid_argument("must be > 0", "answer_quiet");
  if (!positive(options.connect_timeout)) {
    return invalid_argument("must be > 0", "connect_timeout");
  }
  if (!positive(options.port_deadline)) return invalid_argument("must be > 0", "port_deadline");
  if (options.max_response_bytes == 0 || options.max_response_bytes > kMaxResponseBytes) {
    return invalid_argument("must be 1 byte to 1 MiB", "max_response_bytes");
  }
  const int cancel_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (cancel_fd < 0) return internal_error(fmt::format("eventfd: {}", std::strerror(errno)));
  return std::unique_ptr<ServiceDetector>(
      new ServiceDetector(std::move(probes), std::move(targets), options, cancel_fd));
}

ServiceDetector::ServiceDetector(std::shared_ptr<const ServiceProbes> probes,
                                 std::vector<ServiceTarget> targets,
                                 ServiceDetectionOptions options, int cancel_fd)
    : probes_(std::move(probes)), options_(options), cancel_fd_(cancel_fd) {
  for (ServiceTarget& target : targets) {
    (target.protocol == Protocol::kUdp ? udp_targets_ : targets_).push_back(target);
  }
}

ServiceDetector::~ServiceDetector() { close(cancel_fd_); }

Status ServiceDetector::run(const ServiceResultHandler& on_result) {
  if (ran_.exchange(true)) return internal_error("ServiceDetector::run() called twice");
  SENTINEL_ASSIGN(context, make_client_context());
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) return internal_error(fmt::format("epoll_create1: {}", std::strerror(errno)));
  struct EpollCloser {
    int fd;
    ~EpollCloser() { close(fd); }
  } closer{epoll_fd};
  epoll_event cancel_event{};
  cancel_event.events = EPOLLIN;
  cancel_event.data.u64 = kCancelTag;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, cancel_fd_, &cancel_event) != 0) {
    return internal_error(fmt::format("epoll_ctl: {}", std::strerror(errno)));
  }
  const SigpipeBlock no_sigpipe;
  const std::size_t slots =
      std::max<std::size_t>(1, std::min({options_.max_concurrency, socket_budget(false),
                                         std::max<std::size_t>(targets_.size(), 1)}));
  {
    Loop loop(*this, on_result, epoll_fd, context.get(), slots);
    SENTINEL_TRY(loop.run());
  }
  if (udp_targets_.empty()) return ok();
  return run_udp(on_result, epoll_fd);
}

Result<std::vector<ServiceResult>> ServiceDetector::run() {
  std::vector<ServiceResult> results;
  results.reserve(targets_.size() + udp_targets_.size());
  SENTINEL_TRY(run([&results](const ServiceResult& result) { results.push_back(result); }));
  return results;
}

void ServiceDetector::cancel() {
  cancelled_.store(true);
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = write(cancel_fd_, &one, sizeof(one));
}

ServiceDetectionProgress ServiceDetector::progress() const {
  return ServiceDetectionProgress{
      targets_.size() + udp_targets_.size(), done_.load(std::memory_order_relaxed),
      identified_.load(std::memory_order_relaxed), connections_.load(std::memory_order_relaxed)};
}

}  // namespace sentinel::scan
