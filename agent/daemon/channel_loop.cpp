#include "agent/daemon/channel_loop.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <optional>
#include <thread>
#include <variant>
#include <vector>

#include "agent/channel/channel_connection.h"
#include "sentinel/common/text.h"

namespace sentinel::agent {
namespace {

constexpr auto kWelcomeTimeout = std::chrono::seconds(15);
// Commands that may arrive before the welcome (more ends the attempt: a confused server).
constexpr std::size_t kMaxEarlyCommands = 16;
constexpr auto kSendTimeout = std::chrono::seconds(30);
constexpr auto kReceivePoll = std::chrono::milliseconds(500);
// A session that lasted this long resets the back-off: the server is healthy again.
constexpr auto kHealthySession = std::chrono::seconds(30);

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "HOST:PORT", "[V6]:PORT" or "wss://HOST:PORT[/path]".
Result<ChannelEndpoint> parse_channel(const std::string& channel) {
  ChannelEndpoint endpoint;
  std::string rest = channel;
  if (rest.rfind("wss://", 0) == 0) {
    rest = rest.substr(6);
    if (const auto slash = rest.find('/'); slash != std::string::npos) {
      endpoint.path = rest.substr(slash);
      rest = rest.substr(0, slash);
    }
  }
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size()) {
    return invalid_argument(fmt::format("channel '{}': expected HOST:PORT", channel), "channel");
  }
  endpoint.host = rest.substr(0, colon);
  if (endpoint.host.size() > 2 && endpoint.host.front() == '[') {
    endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);
  }
  endpoint.port = rest.substr(colon + 1);
  return endpoint;
}

// A command error as the protocol takes it (at most kMaxErrorBytes, no control characters but
// line breaks and tabs): nft's messages quote whole lines of the ruleset and can be long.
std::string bounded_error(std::string message) {
  for (char& c : message) {
    if (is_control_character(c) && c != '\n' && c != '\t') c = ' ';
  }
  if (message.size() > protocol::kMaxErrorBytes) {
    constexpr std::string_view kCut = " [...]";
    std::size_t end = protocol::kMaxErrorBytes - kCut.size();
    // Not inside a UTF-8 sequence: back up over continuation bytes.
    while (end > 0 && (static_cast<unsigned char>(message[end]) & 0xC0) == 0x80) --end;
    message.resize(end);
    message += kCut;
  }
  return message;
}

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

ChannelLoop::ChannelLoop(ChannelLoopOptions options, Spool& spool, ChannelHooks hooks)
    : options_(std::move(options)),
      spool_(spool),
      hooks_(std::move(hooks)),
      facts_(host_facts()),
      random_(std::random_device{}()),
      backoff_(options_.min_backoff) {}

ChannelLoop::~ChannelLoop() = default;

void ChannelLoop::notify() {
  {
    std::lock_guard lock(wake_mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void ChannelLoop::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(wake_mutex_);
  wake_.wait_for(lock, timeout, [this] { return woken_; });
  woken_ = false;
}

std::chrono::milliseconds ChannelLoop::next_backoff() {
  // Equal jitter: half the current delay plus a random share of the other half, so that
  // thousands of agents returning after a server restart do not arrive together.
  const auto half = backoff_.count() / 2;
  std::uniform_int_distribution<std::int64_t> share(0, half);
  const std::chrono::milliseconds delay(half + share(random_));
  backoff_ = std::min(backoff_ * 2, options_.max_backoff);
  return delay;
}

void ChannelLoop::run(const std::atomic<bool>& stop) {
  while (!stop) {
    const auto started = std::chrono::steady_clock::now();
    if (session(stop) == Outcome::kStop) return;
    if (std::chrono::steady_clock::now() - started > kHealthySession) {
      backoff_ = options_.min_backoff;
    }
    const auto delay = next_backoff();
    spdlog::info("channel: reconnecting in {} ms", delay.count());
    const auto until = std::chrono::steady_clock::now() + delay;
    while (!stop && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

ChannelLoop::Outcome ChannelLoop::session(const std::atomic<bool>& stop) {
  auto identity = load_identity(options_.data_dir);
  if (!identity) {
    spdlog::error("channel: {}", identity.error().message);
    return Outcome::kRetry;
  }
  auto endpoint = parse_channel(options_.channel);
  if (!endpoint) {
    spdlog::error("channel: {}", endpoint.error().message);
    return Outcome::kStop;
  }
  endpoint->ca_file = identity->ca_file;
  endpoint->cert_file = identity->credential_file;
  endpoint->key_file = identity->credential_file;
  auto opened = ChannelConnection::open(*endpoint);
  if (!opened) {
    spdlog::warn("channel: cannot connect to {}: {}", options_.channel, opened.error().message);
    return Outcome::kRetry;
  }
  ChannelConnection& connection = **opened;
  if (hooks_.connected) hooks_.connected(connection.server_addresses());

  Status hello = send(connection, protocol::Hello{.protocol = protocol::kProtocolVersion,
                                                  .agent_version = options_.agent_version,
                                                  .hostname = facts_.hostname,
                                                  .os = facts_.os,
                                                  .kernel = facts_.kernel,
                                                  .arch = facts_.arch});
  if (!hello) {
    spdlog::warn("channel: no welcome: {}", hello.error().message);
    return Outcome::kRetry;
  }
  // The server may send a command in the same instant it welcomes us (its services react to
  // the agent's connection at once) and it can overtake the welcome: such commands are kept
  // and answered once the session stands.
  std::vector<protocol::Command> early_commands;
  std::optional<protocol::Welcome> welcome;
  const auto welcome_deadline = std::chrono::steady_clock::now() + kWelcomeTimeout;
  while (!welcome) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        welcome_deadline - std::chrono::steady_clock::now());
    auto frame =
        left.count() > 0 ? connection.receive(left) : Result<std::string>(unavailable("timeout"));
    if (!frame) {
      spdlog::warn("channel: no welcome: {}", frame.error().message);
      return Outcome::kRetry;
    }
    auto message = protocol::decode_server_message(*frame);
    if (!message) {
      spdlog::error("channel: bad frame from the server: {}", message.error().message);
      return Outcome::kRetry;
    }
    if (const auto* goodbye = std::get_if<protocol::Goodbye>(&*message)) {
      spdlog::error("channel: the server refused this agent: {}: {}", goodbye->code,
                    goodbye->message);
      if (goodbye->code == "revoked") backoff_ = options_.max_backoff;
      return Outcome::kRetry;
    }
    if (auto* command = std::get_if<protocol::Command>(&*message);
        command != nullptr && early_commands.size() < kMaxEarlyCommands) {
      early_commands.push_back(std::move(*command));
      continue;
    }
    auto* welcomed = std::get_if<protocol::Welcome>(&*message);
    if (welcomed == nullptr) {
      spdlog::error("channel: expected welcome, got {}", protocol::message_type(*message));
      return Outcome::kRetry;
    }
    welcome = std::move(*welcomed);
  }
  if (welcome->heartbeat_s > 0) heartbeat_s_ = welcome->heartbeat_s;
  // Everything below next_seq is stored on the server, whatever we thought before; when the
  // server is ahead of this spool (it was lost), new events are renumbered to follow.
  if (Status resumed = spool_.resume_at(welcome->next_seq); !resumed) {
    spdlog::error("channel: spool: {}", resumed.error().message);
    return Outcome::kRetry;
  }
  cursor_ = welcome->next_seq;
  acked_ = welcome->next_seq - 1;
  {
    // Renew once two thirds of the lifetime have passed; the old certificate stays valid until
    // it expires, so a renewal lost in transit is simply asked for again on the next connection.
    std::lock_guard lock(renewal_mutex_);
    renewal_sent_ = false;
    renew_at_ms_ =
        identity->not_before_ms + (identity->not_after_ms - identity->not_before_ms) * 2 / 3;
    pending_key_pem_.clear();
  }
  session_open_ = true;
  spdlog::info("channel: connected to {} as {} (next seq {})", options_.channel, welcome->agent_id,
               welcome->next_seq);

  for (const protocol::Command& command : early_commands) handle_command(connection, command);
  std::thread receiver([&] { receive_loop(connection, stop); });
  auto next_heartbeat = std::chrono::steady_clock::now();
  while (!stop && session_open_) {
    if (Status sent = send_pending(connection); !sent) {
      spdlog::warn("channel: {}", sent.error().message);
      break;
    }
    if (std::chrono::steady_clock::now() >= next_heartbeat) {
      if (Status sent = send(connection, hooks_.heartbeat()); !sent) break;
      next_heartbeat = std::chrono::steady_clock::now() + std::chrono::seconds(heartbeat_s_.load());
      maybe_renew(connection, identity->agent_id);
    }
    wait(std::chrono::milliseconds(1000));
  }
  session_open_ = false;
  connection.close();
  receiver.join();
  return stop ? Outcome::kStop : Outcome::kRetry;
}

Status ChannelLoop::send(ChannelConnection& connection, const protocol::AgentMessage& message) {
  std::lock_guard lock(send_mutex_);
  return connection.send(protocol::encode(message), kSendTimeout);
}

Status ChannelLoop::send_pending(ChannelConnection& connection) {
  while (cursor_ - 1 - acked_ < options_.window_events) {
    SENTINEL_ASSIGN(items, spool_.read_from(cursor_, options_.batch_events, options_.batch_bytes));
    if (items.empty()) return ok();
    protocol::EventBatch batch;
    const auto flush = [&]() -> Status {
      if (batch.events.empty()) return ok();
      const std::int64_t last = batch.events.back().seq;
      SENTINEL_TRY(send(connection, batch));
      batch.events.clear();
      cursor_ = last + 1;
      return ok();
    };
    for (SpoolItem& item : items) {
      if (auto* gap = std::get_if<protocol::SpoolGap>(&item)) {
        SENTINEL_TRY(flush());
        SENTINEL_TRY(send(connection, *gap));
        cursor_ = gap->to_seq + 1;
        continue;
      }
      auto& event = std::get<SpooledEvent>(item);
      if (batch.events.empty() && event.seq > cursor_) {
        // The server is behind what the spool still holds (its database was restored): the
        // events in between were acknowledged once and are gone here; say so.
        SENTINEL_TRY(send(connection, protocol::SpoolGap{.from_seq = cursor_,
                                                         .to_seq = event.seq - 1,
                                                         .dropped_bytes = 0,
                                                         .first_time_ms = 0,
                                                         .last_time_ms = 0}));
        cursor_ = event.seq;
      }
      boost::system::error_code ec;
      boost::json::value data = boost::json::parse(event.data_json, ec);
      batch.events.push_back(protocol::Event{
          .seq = event.seq,
          .time_ms = event.time_ms,
          .type = std::move(event.type),
          .data = (!ec && data.is_object()) ? std::move(data.as_object()) : boost::json::object{}});
    }
    SENTINEL_TRY(flush());
  }
  return ok();
}

void ChannelLoop::receive_loop(ChannelConnection& connection, const std::atomic<bool>& stop) {
  while (!stop && session_open_) {
    auto frame = connection.receive(kReceivePoll);
    if (!frame) {
      if (frame.error().reason == "timeout") continue;
      spdlog::warn("channel: {}", frame.error().message);
      break;
    }
    auto message = protocol::decode_server_message(*frame);
    if (!message) {
      spdlog::error("channel: bad frame from the server: {}", message.error().message);
      break;
    }
    std::visit(Overloaded{
                   [&](protocol::Ack& ack) {
                     if (Status done = spool_.acknowledge(ack.seq); !done) {
                       spdlog::error("channel: spool: {}", done.error().message);
                     }
                     acked_ = std::max(acked_.load(), ack.seq);
                     notify();
                     if (hooks_.acknowledged) hooks_.acknowledged();
                   },
                   [&](protocol::Command& command) { handle_command(connection, command); },
                   [&](protocol::Renewed& renewed) {
                     std::lock_guard lock(renewal_mutex_);
                     if (pending_key_pem_.empty()) {
                       // Saving it would pair the certificate with no key at all.
                       spdlog::warn("channel: a renewed certificate nobody asked for is ignored");
                       return;
                     }
                     auto saved = save_identity(options_.data_dir, pending_key_pem_,
                                                renewed.certificate_pem, "");
                     if (saved) {
                       spdlog::info("channel: certificate renewed, valid until {} ms",
                                    saved->not_after_ms);
                       // Sessions last for weeks: the new certificate is renewed in turn, two
                       // thirds into what is left of it. Not from its not-before, which the CA
                       // backdates: a short-lived certificate would be due at once, every time.
                       const std::int64_t now = now_ms();
                       renew_at_ms_ = now + (saved->not_after_ms - now) * 2 / 3;
                       renewal_sent_ = false;
                     } else {
                       spdlog::error("channel: cannot save the renewed certificate: {}",
                                     saved.error().message);
                     }
                     pending_key_pem_.clear();
                   },
                   [&](protocol::Goodbye& goodbye) {
                     spdlog::warn("channel: the server closed the connection: {}: {}", goodbye.code,
                                  goodbye.message);
                     if (goodbye.code == "revoked") backoff_ = options_.max_backoff;
                   },
                   [&](protocol::Welcome&) { spdlog::warn("channel: unexpected welcome"); },
               },
               *message);
  }
  session_open_ = false;
  notify();
}

void ChannelLoop::handle_command(ChannelConnection& connection, const protocol::Command& command) {
  protocol::CommandResult result{.id = command.id, .ok = true, .result = {}, .error = {}};
  if (command.name == "ping") {
    result.result = {{"pong", true}, {"time", now_ms()}};
  } else if (command.name == "collect_inventory") {
    hooks_.collect_inventory();
    result.result = {{"queued", true}};
  } else if (command.name == "set_config") {
    auto applied = hooks_.set_config(command.args);
    if (applied) {
      result.result = {{"config", std::move(*applied)}};
    } else {
      result.ok = false;
      result.error = bounded_error(applied.error().message);
    }
  } else if (command.name.starts_with("firewall_")) {
    auto done = hooks_.firewall ? hooks_.firewall(command.name, command.args)
                                : Result<boost::json::object>(unavailable(
                                      "firewall enforcement unavailable: not in this agent"));
    if (done) {
      result.result = std::move(*done);
    } else {
      result.ok = false;
      result.error = bounded_error(done.error().message);
    }
  } else if (command.name.starts_with("scan_shard_")) {
    auto done = hooks_.scan_shard ? hooks_.scan_shard(command.name, command.args)
                                  : Result<boost::json::object>(unavailable(
                                        "distributed scanning unavailable: not in this agent"));
    if (done) {
      result.result = std::move(*done);
    } else {
      result.ok = false;
      result.error = bounded_error(done.error().message);
    }
  } else {
    result.ok = false;
    result.error = bounded_error(fmt::format("unknown command '{}'", command.name));
  }
  if (Status sent = send(connection, result); !sent) {
    spdlog::warn("channel: cannot answer {}: {}", command.name, sent.error().message);
  }
}

void ChannelLoop::maybe_renew(ChannelConnection& connection, const std::string& agent_id) {
  {
    std::lock_guard lock(renewal_mutex_);
    if (renewal_sent_ || now_ms() < renew_at_ms_) return;
  }
  auto keys = make_key_and_request(agent_id);
  if (!keys) return;
  {
    // Marked before sending: the answer may be handled before send() returns. A failed send
    // ends the session, and the next one asks again.
    std::lock_guard lock(renewal_mutex_);
    pending_key_pem_ = keys->key_pem;
    renewal_sent_ = true;
  }
  if (send(connection, protocol::RenewRequest{.csr_pem = keys->csr_pem})) {
    spdlog::info("channel: certificate renewal requested");
  }
}

}  // namespace sentinel::agent
