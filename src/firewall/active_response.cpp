// Active response: detections that carry a block request become blocks, on a worker of its own.

#include "sentinel/firewall/active_response.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "logger.h"

namespace sentinel::firewall {
namespace {

// Block reasons are capped by the block service; a long rule title is cut to fit.
constexpr std::size_t kMaxReason = 500;

// What the worker needs of one detection: copied on the detect thread, nothing more.
struct PendingResponse {
  detection::BlockResponse response;
  std::string rule_id;
  std::string agent_id;
  std::string entity;
  std::string summary;
  std::int64_t alert_id = 0;
};

// The value of `field` in an entity "source.ip=203.0.113.9,user.name=root", or "".
std::string entity_value(std::string_view entity, std::string_view field) {
  while (!entity.empty()) {
    const std::size_t comma = entity.find(',');
    const std::string_view part = entity.substr(0, comma);
    if (part.size() > field.size() && part.substr(0, field.size()) == field &&
        part[field.size()] == '=') {
      return std::string(part.substr(field.size() + 1));
    }
    if (comma == std::string_view::npos) break;
    entity.remove_prefix(comma + 1);
  }
  return {};
}

// `text` cut to at most `limit` bytes without splitting a UTF-8 sequence.
std::string truncated(std::string text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
  text.resize(end);
  return text;
}

class ActiveResponseImpl final : public ActiveResponse {
 public:
  ActiveResponseImpl(BlockService& blocks, agents::AgentRegistry& registry,
                     ActiveResponseOptions options)
      : blocks_(blocks), registry_(registry), options_(options) {}

  ~ActiveResponseImpl() override { stop(); }

  std::string_view name() const override { return "active-response"; }

  Status start() override {
    std::lock_guard lock(mutex_);
    if (!running_ && !stopping_) {
      running_ = true;
      worker_ = std::thread([this] { work(); });
    }
    return ok();
  }

  void drain() override { stop(); }

  void stop() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
    {
      std::lock_guard lock(mutex_);
      running_ = false;
    }
    idle_.notify_all();
  }

  bool submit(const detection::Detection& detection, std::int64_t alert_id) override {
    if (!detection.response) return true;
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || queue_.size() >= options_.max_queued) {
        firewall_log().warn("active response for rule {} ({}) dropped: {}", detection.rule_id,
                            detection.entity,
                            stopping_ ? "stopping" : "too many detections are waiting");
        return false;
      }
      queue_.push_back({*detection.response, detection.rule_id, detection.agent_id,
                        detection.entity, detection.summary, alert_id});
    }
    wake_.notify_one();
    return true;
  }

  void flush() override {
    std::unique_lock lock(mutex_);
    // Without a worker nothing would ever be handled, so nothing is waited for.
    idle_.wait(lock, [this] { return (queue_.empty() && !busy_) || !running_; });
  }

 private:
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping, and every queued detection is handled
      PendingResponse pending = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      lock.unlock();
      respond(pending);
      lock.lock();
      busy_ = false;
      if (queue_.empty()) idle_.notify_all();
    }
  }

  void respond(const PendingResponse& pending) {
    const detection::BlockResponse& response = pending.response;
    std::string address = response.address;
    if (address.empty()) address = entity_value(pending.entity, response.field);
    if (address.empty()) {
      firewall_log().warn("active response for rule {}: the detection has no {} to block",
                          pending.rule_id, response.field);
      return;
    }
    std::optional<BlockScope> scope = scope_of(pending);
    if (!scope) return;
    BlockRequest request;
    request.address = address;
    // Whole seconds, at least one: a rule says 30s or more, never a fraction.
    request.duration_s = std::max<std::int64_t>(1, (response.duration_ms + 999) / 1000);
    request.scope = std::move(*scope);
    request.reason = truncated(pending.summary, kMaxReason);
    request.requester.rule_id = pending.rule_id;
    request.requester.alert_id = pending.alert_id;
    if (Result<Block> block = blocks_.block(request); !block) {
      // Allow-listed addresses are refused (and audited) by the block service; a rule's field
      // that holds no address is a problem of the events, not of the server.
      firewall_log().log(block.error().code == ErrorCode::kInternal ||
                                 block.error().code == ErrorCode::kUnavailable
                             ? spdlog::level::err
                             : spdlog::level::info,
                         "active response for rule {} did not block {}: {}", pending.rule_id,
                         address, block.error().message);
    }
  }

  // The scope the rule asked for, made concrete for this detection; nullopt (logged) when it
  // cannot be.
  std::optional<BlockScope> scope_of(const PendingResponse& pending) {
    using detection::ResponseScope;
    if (pending.response.scope == ResponseScope::kAll) return BlockScope{BlockScopeKind::kAll, ""};
    if (pending.agent_id.empty()) {
      // Events from several agents: "this agent" names none, and widening to every agent is a
      // decision the rule did not make.
      firewall_log().warn(
          "active response for rule {}: the detection spans several agents, so "
          "scope {} names none; not blocked",
          pending.rule_id, to_string(pending.response.scope));
      return std::nullopt;
    }
    if (pending.response.scope == ResponseScope::kAgent) {
      return BlockScope{BlockScopeKind::kAgent, pending.agent_id};
    }
    Result<agents::AgentRecord> agent = registry_.get(pending.agent_id);
    if (!agent) {
      firewall_log().warn("active response for rule {}: agent {} unknown: {}", pending.rule_id,
                          pending.agent_id, agent.error().message);
      return std::nullopt;
    }
    // An agent in no group is a group of its own.
    if (agent->group.empty()) return BlockScope{BlockScopeKind::kAgent, agent->id};
    return BlockScope{BlockScopeKind::kGroup, agent->group};
  }

  BlockService& blocks_;
  agents::AgentRegistry& registry_;
  const ActiveResponseOptions options_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<PendingResponse> queue_;
  bool busy_ = false;
  bool running_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace

std::unique_ptr<ActiveResponse> ActiveResponse::create(BlockService& blocks,
                                                       agents::AgentRegistry& registry,
                                                       ActiveResponseOptions options) {
  return std::make_unique<ActiveResponseImpl>(blocks, registry, options);
}

}  // namespace sentinel::firewall
