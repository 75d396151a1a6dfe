#include "channel_session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <variant>

#include "sentinel/common/crypto.h"

namespace sentinel::agents {
namespace {

constexpr double kBurstSeconds = 5;

std::shared_ptr<spdlog::logger> logger() {
  auto existing = spdlog::get("agents");
  return existing ? existing : spdlog::default_logger();
}

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

bool RateBucket::take(double amount, std::chrono::steady_clock::time_point now) {
  if (last_ != std::chrono::steady_clock::time_point{}) {
    tokens_ =
        std::min(burst_, tokens_ + rate_ * std::chrono::duration<double>(now - last_).count());
  }
  last_ = now;
  if (tokens_ < amount) return false;
  tokens_ -= amount;
  return true;
}

AgentSession::AgentSession(SessionContext context, std::string agent_id,
                           std::shared_ptr<gateway::ChannelSink> sink)
    : context_(std::move(context)),
      agent_id_(std::move(agent_id)),
      sink_(std::move(sink)),
      frames_(context_.settings.max_frames_per_s,
              context_.settings.max_frames_per_s * kBurstSeconds),
      bytes_(context_.settings.max_bytes_per_s, context_.settings.max_bytes_per_s * kBurstSeconds) {
}

void AgentSession::on_frame(std::string frame, std::function<void(Status)> done) {
  // Decoding a frame of up to 4 MiB is real work: never on the gateway's I/O thread.
  context_.workers.post(
      [self = shared_from_this(), frame = std::move(frame), done = std::move(done)]() mutable {
        self->handle(std::move(frame), std::move(done));
      });
}

void AgentSession::handle(std::string frame, std::function<void(Status)> done) {
  const auto now = std::chrono::steady_clock::now();
  if (!frames_.take(1, now) || !bytes_.take(static_cast<double>(frame.size()), now)) {
    return violation(
        "flood",
        fmt::format("more than {} frames or {} bytes per second",
                    context_.settings.max_frames_per_s, context_.settings.max_bytes_per_s),
        done);
  }
  auto decoded = protocol::decode_agent_message(frame);
  if (!decoded) return violation("protocol_error", decoded.error().message, done);
  context_.metrics.count("sentinel_agent_frames_total", "Frames received from agents",
                         {{"type", std::string(protocol::message_type(*decoded))}});
  if (!greeted_ && !std::holds_alternative<protocol::Hello>(*decoded)) {
    return violation("protocol_error", "the first frame must be hello", done);
  }
  context_.registry.touch(agent_id_);

  std::visit(Overloaded{
                 [&](protocol::Hello& hello) {
                   if (greeted_) return violation("protocol_error", "hello sent twice", done);
                   handle_hello(hello, done);
                 },
                 [&](protocol::EventBatch& batch) {
                   const std::int64_t first = batch.events.front().seq;
                   const std::int64_t last = batch.events.back().seq;
                   handle_batch(IngestBatch{agent_id_, std::move(batch.events), std::nullopt},
                                first, last, done);
                 },
                 [&](protocol::SpoolGap& gap) {
                   logger()->warn("agent={} spool dropped seq {}..{} ({} bytes)", agent_id_,
                                  gap.from_seq, gap.to_seq, gap.dropped_bytes);
                   const std::int64_t first = gap.from_seq;
                   const std::int64_t last = gap.to_seq;
                   handle_batch(IngestBatch{agent_id_, {}, gap}, first, last, done);
                 },
                 [&](protocol::Heartbeat&) { done(ok()); },
                 [&](protocol::CommandResult& result) {
                   std::lock_guard lock(commands_mutex_);
                   const auto it = pending_commands_.find(result.id);
                   if (it == pending_commands_.end()) {
                     logger()->info("agent={} result for unknown command {}", agent_id_, result.id);
                   } else {
                     it->second.set_value(std::move(result));
                     pending_commands_.erase(it);
                   }
                   done(ok());
                 },
                 [&](protocol::RenewRequest& request) { handle_renewal(request, done); },
             },
             *decoded);
}

void AgentSession::handle_hello(const protocol::Hello& hello, std::function<void(Status)>& done) {
  if (hello.protocol != protocol::kProtocolVersion) {
    return violation("protocol_error",
                     fmt::format("protocol {} is not supported (this server speaks {})",
                                 hello.protocol, protocol::kProtocolVersion),
                     done);
  }
  auto last = context_.ingest.last_seq(agent_id_);
  if (!last) return done(last.error());
  Status connected =
      context_.registry.record_connected(agent_id_,
                                         AgentFacts{.hostname = hello.hostname,
                                                    .os = hello.os,
                                                    .kernel = hello.kernel,
                                                    .arch = hello.arch,
                                                    .agent_version = hello.agent_version},
                                         sink_->remote_address());
  if (!connected) return done(connected.error());
  greeted_ = true;
  expected_seq_ = *last + 1;
  send(protocol::Welcome{.agent_id = agent_id_,
                         .next_seq = expected_seq_,
                         .heartbeat_s = context_.settings.heartbeat_s,
                         .config = {}});
  std::vector<std::string> held;
  {
    std::lock_guard lock(commands_mutex_);
    welcomed_ = true;
    held.swap(held_commands_);
  }
  for (const std::string& command : held) sink_->send(command);
  logger()->info("agent={} connected from {} next_seq={}", agent_id_, sink_->remote_address(),
                 expected_seq_);
  done(ok());
}

void AgentSession::handle_batch(IngestBatch batch, std::int64_t first_seq, std::int64_t last_seq,
                                std::function<void(Status)>& done) {
  if (first_seq != expected_seq_) {
    return violation(
        "sequence_error",
        fmt::format("sequence {} received where {} was expected", first_seq, expected_seq_), done);
  }
  expected_seq_ = last_seq + 1;
  // The next frame is read only after done(): an agent that outruns the database waits.
  Status queued = context_.ingest.submit(
      std::move(batch), [self = shared_from_this(), last_seq, done](Status committed) {
        if (committed) self->send(protocol::Ack{.seq = last_seq});
        done(std::move(committed));
      });
  if (!queued) done(std::move(queued));
}

void AgentSession::handle_renewal(const protocol::RenewRequest& request,
                                  std::function<void(Status)>& done) {
  auto issued = context_.registry.renew_certificate(agent_id_, request.csr_pem);
  if (!issued) {
    if (issued.error().code == ErrorCode::kInvalidArgument) {
      return violation("protocol_error", "renewal refused: " + issued.error().message, done);
    }
    return done(issued.error());
  }
  logger()->info("agent={} certificate renewed serial={}", agent_id_, issued->serial_hex);
  send(protocol::Renewed{.certificate_pem = issued->certificate_pem});
  done(ok());
}

void AgentSession::violation(const std::string& code, const std::string& message,
                             std::function<void(Status)>& done) {
  logger()->warn("agent={} from {} disconnected: {}: {}", agent_id_, sink_->remote_address(), code,
                 message);
  context_.metrics.count("sentinel_agent_violations_total",
                         "Agent connections closed for breaking the protocol or limits",
                         {{"code", code}});
  context_.record_event(
      agent_id_, "agent.disconnected",
      boost::json::object{
          {"code", code}, {"message", message}, {"remote_address", sink_->remote_address()}});
  sink_->close(protocol::encode(protocol::ServerMessage(protocol::Goodbye{code, message})));
  done(ok());
}

void AgentSession::send(const protocol::ServerMessage& message) {
  sink_->send(protocol::encode(message));
}

Result<std::future<protocol::CommandResult>> AgentSession::send_command(const std::string& name,
                                                                        boost::json::object args) {
  const std::string id = "cmd_" + crypto::to_hex(crypto::random_bytes(8));
  std::string encoded =
      protocol::encode(protocol::ServerMessage(protocol::Command{id, name, std::move(args)}));
  std::future<protocol::CommandResult> future;
  {
    std::lock_guard lock(commands_mutex_);
    if (closed_) return unavailable(fmt::format("agent {} is not connected", agent_id_));
    future = pending_commands_[id].get_future();
    // The agent expects the welcome first; the hello's handler sends this right after it.
    if (!welcomed_) {
      held_commands_.push_back(std::move(encoded));
      return future;
    }
  }
  if (!sink_->send(std::move(encoded))) {
    std::lock_guard lock(commands_mutex_);
    pending_commands_.erase(id);
    return unavailable(fmt::format("agent {} is not connected", agent_id_));
  }
  return future;
}

void AgentSession::disconnect(const std::string& code, const std::string& message) {
  sink_->close(protocol::encode(protocol::ServerMessage(protocol::Goodbye{code, message})));
}

void AgentSession::on_close(std::string_view reason) {
  {
    std::lock_guard lock(commands_mutex_);
    closed_ = true;
    pending_commands_.clear();  // waiting callers see a broken promise
  }
  logger()->info("agent={} connection closed: {}", agent_id_, reason);
  context_.forget(agent_id_, this);
}

}  // namespace sentinel::agents
