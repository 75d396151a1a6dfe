#pragma once
// The decisions of service detection for one port, without sockets: which probe to send next,
// over which kind of connection, and what the answers so far say. The detector's epoll loop
// does the I/O and reports back; unit tests drive it with made-up answers.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/scan/service_probes.h"

namespace sentinel::scan {

/// Why a probe's answer ended without a hard match.
enum class ProbeEnd : std::uint8_t {
  kTimeout,        // the wait passed (maybe after some bytes)
  kClosed,         // the peer closed or reset the connection
  kCapped,         // the answer reached the byte cap
  kConnectFailed,  // no connection (refused, timed out), inside TLS no handshake; UDP: an
                   // ICMP port unreachable came back
};

/// One probe to run: send `probe->payload` (nothing for NULL) and read for `wait`. For UDP,
/// `tls` and `reuse_connection` are always false.
struct ProbeStep {
  const ServiceProbe* probe = nullptr;
  bool tls = false;               // over a TLS connection
  bool reuse_connection = false;  // on the connection of the previous step (NULL got silence)
  std::chrono::milliseconds wait{0};
};

/// Waits and intensity of a sequence (see ServiceDetectionOptions).
struct ProbeSequenceOptions {
  int intensity = 7;
  std::chrono::milliseconds banner_wait{1500};
  std::chrono::milliseconds max_probe_wait{2000};
};

/// Service detection of one port as nmap does it. TCP: the NULL probe (banner), then plan() in
/// order until a hard match; a softmatch keeps the service and skips probes that cannot name
/// it; an `ssl` match restarts the plan inside TLS (`sslports`), reported as tunnel "ssl"; a
/// connection closed before any byte on the NULL probe is `tcpwrapped`. UDP: the `Probe UDP`
/// probes of plan() in the same order with the same softmatch rule, one datagram each; an
/// ICMP port unreachable (kConnectFailed) ends it, and an `ssl` match (DTLS) is final. Not
/// thread-safe; the probe file must outlive it.
class ProbeSequence {
 public:
  /// A TCP port.
  ProbeSequence(const ServiceProbes& probes, std::uint16_t port, ProbeSequenceOptions options);
  ProbeSequence(const ServiceProbes& probes, Protocol protocol, std::uint16_t port,
                ProbeSequenceOptions options);

  /// The step to run now; nullopt once finished.
  std::optional<ProbeStep> current() const;
  /// The answer of the current step so far. Returns true when it settles the step (a hard
  /// match: the sequence finished, or an `ssl` match: the next step is inside TLS), so that the
  /// caller closes the connection and runs current() next.
  bool on_answer(std::string_view answer);
  /// The current step ended without a hard match, with `answer` as all it received.
  void on_end(std::string_view answer, ProbeEnd end);
  /// Stops here (the port's deadline): the result is what is known so far.
  void stop();

  bool finished() const { return finished_; }
  /// The service named (a softmatch when nothing better came), or nullopt.
  const std::optional<ServiceInfo>& service() const { return service_; }
  /// "ssl" when the service was found inside TLS (or TLS was seen and nothing inside it).
  const std::string& tunnel() const { return tunnel_; }
  /// Whether any answer was TLS (the port has certificate facts to collect).
  bool saw_tls() const { return tls_; }

 private:
  void start_plan();
  void advance();
  void finish();
  bool can_name(const ServiceProbe& probe, std::string_view service) const;

  const ServiceProbes& probes_;
  Protocol protocol_;
  std::uint16_t port_;
  ProbeSequenceOptions options_;
  std::vector<const ServiceProbe*> plan_;
  std::size_t index_ = 0;
  bool tls_ = false;
  bool reuse_ = false;
  bool finished_ = false;
  std::optional<ServiceInfo> soft_;
  std::optional<ServiceInfo> ssl_;  // the plain-text match that said TLS
  std::optional<ServiceInfo> service_;
  std::string tunnel_;
};

}  // namespace sentinel::scan
