#pragma once
// In-process fixture for the agent channel transport: a real listener on 127.0.0.1 with a
// throwaway CA, a scriptable ChannelHandler standing in for the agents service, and a raw
// OpenSSL client for what the real agent client never does (no certificate, binary frames,
// silence).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/channel/channel_connection.h"
#include "sentinel/common/metrics.h"
#include "sentinel/gateway/agent_channel.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace sentinel::test {

using namespace std::chrono_literals;

/// Polls `done` until it holds or `timeout` passes; returns its last value.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

/// One agent's session as the test scripts it. Records frames and closes; thread-safe.
class FakeSession : public gateway::ChannelSession {
 public:
  using FrameHook = std::function<void(FakeSession&, std::string, std::function<void(Status)>)>;

  FakeSession(std::shared_ptr<gateway::ChannelSink> sink, FrameHook hook)
      : sink_(std::move(sink)), hook_(std::move(hook)) {}

  void on_frame(std::string frame, std::function<void(Status)> done) override {
    {
      std::lock_guard lock(mutex_);
      if (closes_ > 0) frames_after_close_++;
      frames_.push_back(frame);
    }
    if (hook_) {
      hook_(*this, std::move(frame), std::move(done));
    } else {
      done(ok());
    }
  }

  void on_close(std::string_view reason) override {
    std::lock_guard lock(mutex_);
    ++closes_;
    close_reason_ = std::string(reason);
  }

  gateway::ChannelSink& sink() { return *sink_; }
  std::vector<std::string> frames() const {
    std::lock_guard lock(mutex_);
    return frames_;
  }
  std::size_t frame_count() const {
    std::lock_guard lock(mutex_);
    return frames_.size();
  }
  int closes() const {
    std::lock_guard lock(mutex_);
    return closes_;
  }
  int frames_after_close() const {
    std::lock_guard lock(mutex_);
    return frames_after_close_;
  }
  std::string close_reason() const {
    std::lock_guard lock(mutex_);
    return close_reason_;
  }

 private:
  std::shared_ptr<gateway::ChannelSink> sink_;
  FrameHook hook_;
  mutable std::mutex mutex_;
  std::vector<std::string> frames_;
  int closes_ = 0;
  int frames_after_close_ = 0;
  std::string close_reason_;
};

/// Stands in for the agents service: allows or refuses certificates, opens FakeSessions.
class FakeHandler : public gateway::ChannelHandler {
 public:
  bool certificate_allowed(const gateway::PeerCertificate& peer) override {
    std::lock_guard lock(mutex_);
    checked_.push_back(peer);
    return allow;
  }

  Result<std::shared_ptr<gateway::ChannelSession>> open(
      const gateway::PeerCertificate& peer, std::shared_ptr<gateway::ChannelSink> sink) override {
    if (open_hook) SENTINEL_TRY(open_hook(peer, *sink));
    auto session = std::make_shared<FakeSession>(std::move(sink), frame_hook);
    std::lock_guard lock(mutex_);
    opened_.push_back(peer);
    sessions_.push_back(session);
    return std::shared_ptr<gateway::ChannelSession>(session);
  }

  std::vector<gateway::PeerCertificate> checked() const {
    std::lock_guard lock(mutex_);
    return checked_;
  }
  std::size_t opens() const {
    std::lock_guard lock(mutex_);
    return opened_.size();
  }
  std::vector<gateway::PeerCertificate> opened() const {
    std::lock_guard lock(mutex_);
    return opened_;
  }
  std::vector<std::shared_ptr<FakeSession>> sessions() const {
    std::lock_guard lock(mutex_);
    return sessions_;
  }
  std::shared_ptr<FakeSession> session(std::size_t index = 0) const {
    std::lock_guard lock(mutex_);
    return index < sessions_.size() ? sessions_[index] : nullptr;
  }

  // Set before the listener starts.
  std::atomic<bool> allow{true};
  std::function<Status(const gateway::PeerCertificate&, gateway::ChannelSink&)> open_hook;
  FakeSession::FrameHook frame_hook;

 private:
  mutable std::mutex mutex_;
  std::vector<gateway::PeerCertificate> checked_;
  std::vector<gateway::PeerCertificate> opened_;
  std::vector<std::shared_ptr<FakeSession>> sessions_;
};

/// A blocking TLS 1.3 client in plain OpenSSL that speaks raw bytes.
class RawTlsClient {
 public:
  /// Connects to 127.0.0.1:`port` and completes the client side of the handshake; with empty
  /// `cert_file` it offers no certificate. Null when the TCP connect or handshake fails.
  static std::unique_ptr<RawTlsClient> connect(int port, const std::string& ca_file,
                                               const std::string& cert_file = {},
                                               const std::string& key_file = {}) {
    auto client = std::unique_ptr<RawTlsClient>(new RawTlsClient());
    client->ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(client->ctx_, TLS1_3_VERSION);
    SSL_CTX_load_verify_locations(client->ctx_, ca_file.c_str(), nullptr);
    SSL_CTX_set_verify(client->ctx_, SSL_VERIFY_PEER, nullptr);
    if (!cert_file.empty()) {
      SSL_CTX_use_certificate_chain_file(client->ctx_, cert_file.c_str());
      SSL_CTX_use_PrivateKey_file(client->ctx_, key_file.c_str(), SSL_FILETYPE_PEM);
    }
    client->fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(client->fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      return nullptr;
    }
    client->ssl_ = SSL_new(client->ctx_);
    SSL_set_fd(client->ssl_, client->fd_);
    if (SSL_connect(client->ssl_) != 1) {
      ERR_clear_error();
      return nullptr;
    }
    return client;
  }

  ~RawTlsClient() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  }

  bool write(std::string_view bytes) {
    return SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) ==
           static_cast<int>(bytes.size());
  }

  /// Sends a WebSocket upgrade request for `path`; returns the response head ("" when the
  /// connection ended without one).
  std::string upgrade(const std::string& path, std::chrono::milliseconds timeout = 5s) {
    write("GET " + path +
          " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    std::string head;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (head.find("\r\n\r\n") == std::string::npos) {
      std::optional<char> byte = read_byte(deadline);
      if (!byte) break;
      head.push_back(*byte);
    }
    return head;
  }

  /// Writes one masked WebSocket frame (mask key zero: the payload goes as is).
  void send_frame(unsigned char opcode, std::string_view payload) {
    std::string frame;
    frame.push_back(static_cast<char>(0x80 | opcode));
    if (payload.size() < 126) {
      frame.push_back(static_cast<char>(0x80 | payload.size()));
    } else {
      frame.push_back(static_cast<char>(0x80 | 126));
      frame.push_back(static_cast<char>(payload.size() >> 8));
      frame.push_back(static_cast<char>(payload.size() & 0xff));
    }
    frame.append(4, '\0');
    frame.append(payload);
    write(frame);
  }

  /// Reads until the server ends the connection; returns what arrived, or nullopt when the
  /// connection was still open at `timeout`.
  std::optional<std::string> read_until_closed(std::chrono::milliseconds timeout) {
    std::string received;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      std::optional<char> byte = read_byte(deadline);
      if (byte) {
        received.push_back(*byte);
      } else if (closed_) {
        return received;
      }
    }
  }

 private:
  RawTlsClient() = default;

  // One byte, or nullopt at the deadline or when the connection ended (then closed_ is set).
  std::optional<char> read_byte(std::chrono::steady_clock::time_point deadline) {
    while (!closed_) {
      if (SSL_pending(ssl_) == 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        pollfd wait{fd_, POLLIN, 0};
        if (::poll(&wait, 1, static_cast<int>(std::min<long>(left.count(), 100))) <= 0) continue;
      }
      char byte = 0;
      const int n = SSL_read(ssl_, &byte, 1);
      if (n == 1) return byte;
      const int error = SSL_get_error(ssl_, n);
      if (error == SSL_ERROR_WANT_READ) continue;
      ERR_clear_error();
      closed_ = true;
    }
    return std::nullopt;
  }

  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  bool closed_ = false;
};

/// A listener with a CA, a server certificate and a scriptable handler, per test.
class ChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pki = TestPki::create(dir_.path());
    ASSERT_TRUE(pki) << pki.error().message;
    pki_ = std::make_unique<TestPki>(std::move(*pki));
    auto server = pki_->server_certificate();
    ASSERT_TRUE(server) << server.error().message;
    server_cert_ = *server;
    options_.listen = "127.0.0.1:0";
    options_.ca_file = pki_->ca_file();
    options_.cert_file = server_cert_.cert_file;
    options_.key_file = server_cert_.key_file;
    options_.handshake_timeout_s = 2;
  }

  void TearDown() override {
    if (listener_) listener_->stop();
  }

  /// Starts the listener with `options_` as the test left them.
  void start() {
    auto listener = gateway::AgentChannelListener::create(options_, handler_, metrics_);
    ASSERT_TRUE(listener) << listener.error().message;
    listener_ = std::move(*listener);
    auto started = listener_->start();
    ASSERT_TRUE(started) << started.error().message;
    const std::string bound = listener_->bound_address();
    port_ = std::stoi(bound.substr(bound.rfind(':') + 1));
  }

  /// A client certificate for `agent_id` from the test CA (issued once per id).
  IssuedCertificate client_cert(const std::string& agent_id) {
    auto issued = pki_->client_certificate(agent_id);
    EXPECT_TRUE(issued) << issued.error().message;
    return issued ? *issued : IssuedCertificate{};
  }

  agent::ChannelEndpoint endpoint(const IssuedCertificate& cert) const {
    agent::ChannelEndpoint endpoint;
    endpoint.host = "127.0.0.1";
    endpoint.port = std::to_string(port_);
    endpoint.ca_file = pki_->ca_file();
    endpoint.cert_file = cert.cert_file;
    endpoint.key_file = cert.key_file;
    endpoint.connect_timeout = 10s;
    return endpoint;
  }

  std::unique_ptr<agent::ChannelConnection> connect(const std::string& agent_id) {
    auto connection = agent::ChannelConnection::open(endpoint(client_cert(agent_id)));
    EXPECT_TRUE(connection) << connection.error().message;
    return connection ? std::move(*connection) : nullptr;
  }

  /// The value of the metric line starting with `series` (name and labels), or -1.
  double metric(const std::string& series) const {
    const std::string text = metrics_.render();
    std::size_t at = 0;
    while ((at = text.find(series + " ", at)) != std::string::npos) {
      if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + series.size() + 1));
      at += series.size();
    }
    return -1;
  }

  TempDir dir_{"sentinel-channel"};
  std::unique_ptr<TestPki> pki_;
  IssuedCertificate server_cert_;
  gateway::AgentChannelOptions options_;
  FakeHandler handler_;
  MetricsRegistry metrics_;
  std::unique_ptr<gateway::AgentChannelListener> listener_;
  int port_ = 0;
};

}  // namespace sentinel::test
