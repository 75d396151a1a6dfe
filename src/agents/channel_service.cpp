// AgentChannel: accepts agent connections for the gateway's channel listener, keeps the live
// sessions, runs commands and cuts revoked agents off.

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <map>
#include <mutex>

#include "channel_session.h"
#include "channel_workers.h"
#include "ingest_writer.h"
#include "sentinel/agents/agent_channel.h"

namespace sentinel::agents {
namespace {

std::shared_ptr<spdlog::logger> logger() {
  auto existing = spdlog::get("agents");
  return existing ? existing : spdlog::default_logger();
}

class AgentChannelImpl final : public AgentChannel {
 public:
  AgentChannelImpl(AgentRegistry& registry, store::Database& database, bus::Bus& bus,
                   inventory::InventoryService* inventory, const Clock& clock,
                   MetricsRegistry& metrics, ChannelSettings settings)
      : registry_(registry),
        database_(database),
        clock_(clock),
        metrics_(metrics),
        settings_(settings),
        ingest_(database, bus, inventory, clock, metrics),
        workers_(settings.worker_threads) {
    registry_.on_revoked([this](const std::string& agent_id) {
      if (auto session = find(agent_id)) {
        session->disconnect("revoked", "this agent's enrolment was revoked");
      }
    });
  }

  std::string_view name() const override { return "agent-channel"; }

  Status start() override {
    SENTINEL_TRY(ingest_.start());
    workers_.start();
    return ok();
  }

  void drain() override {}

  void stop() override {
    workers_.stop();
    ingest_.stop();
  }

  bool certificate_allowed(const gateway::PeerCertificate& peer) override {
    return registry_.certificate_allowed(peer.common_name, peer.serial_hex);
  }

  Result<std::shared_ptr<gateway::ChannelSession>> open(
      const gateway::PeerCertificate& peer, std::shared_ptr<gateway::ChannelSink> sink) override {
    // The handshake check is in memory; the registry may have changed since.
    if (!registry_.certificate_allowed(peer.common_name, peer.serial_hex)) {
      return permission_denied("this agent certificate is revoked or unknown");
    }
    auto session =
        std::make_shared<AgentSession>(session_context(), peer.common_name, std::move(sink));
    std::shared_ptr<AgentSession> replaced;
    {
      std::lock_guard lock(mutex_);
      auto& slot = sessions_[peer.common_name];
      replaced = slot.lock();
      slot = session;
    }
    if (replaced) {
      replaced->disconnect("replaced", "a newer connection of this agent took over");
    }
    metrics_.set_gauge("sentinel_agents_connected", "Agents connected to this process", {},
                       static_cast<double>(connected_count()));
    return std::shared_ptr<gateway::ChannelSession>(std::move(session));
  }

  Result<protocol::CommandResult> run_command(const std::string& agent_id, const std::string& name,
                                              boost::json::object args,
                                              std::chrono::milliseconds timeout) override {
    auto session = find(agent_id);
    if (!session) return not_found(fmt::format("agent {} is not connected", agent_id));
    SENTINEL_ASSIGN(future, session->send_command(name, std::move(args)));
    if (future.wait_for(timeout) != std::future_status::ready) {
      return unavailable(
          fmt::format("agent {} did not answer {} within {} ms", agent_id, name, timeout.count()));
    }
    try {
      return future.get();
    } catch (const std::future_error&) {
      return unavailable(fmt::format("agent {} disconnected before answering", agent_id));
    }
  }

  std::size_t connected_count() const override {
    std::lock_guard lock(mutex_);
    std::size_t count = 0;
    for (const auto& [id, session] : sessions_) count += session.expired() ? 0 : 1;
    return count;
  }

 private:
  SessionContext session_context() {
    return SessionContext{
        .registry = registry_,
        .ingest = ingest_,
        .workers = workers_,
        .metrics = metrics_,
        .settings = settings_,
        .record_event =
            [this](const std::string& agent_id, const std::string& type, boost::json::object data) {
              record_event(agent_id, type, std::move(data));
            },
        .forget = [this](const std::string& agent_id,
                         const void* session) { forget(agent_id, session); },
    };
  }

  std::shared_ptr<AgentSession> find(const std::string& agent_id) {
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(agent_id);
    return it == sessions_.end() ? nullptr : it->second.lock();
  }

  void forget(const std::string& agent_id, const void* session) {
    bool current = false;
    {
      std::lock_guard lock(mutex_);
      const auto it = sessions_.find(agent_id);
      if (it != sessions_.end()) {
        const auto live = it->second.lock();
        current = live == nullptr || live.get() == session;
        if (current) sessions_.erase(it);
      }
    }
    // A replaced session must not mark its successor's agent offline.
    if (current) {
      if (Status status = registry_.record_disconnected(agent_id); !status) {
        logger()->warn("agent={} cannot record the disconnect: {}", agent_id,
                       status.error().message);
      }
    }
    metrics_.set_gauge("sentinel_agents_connected", "Agents connected to this process", {},
                       static_cast<double>(connected_count()));
  }

  void record_event(const std::string& agent_id, const std::string& type,
                    boost::json::object data) {
    const std::int64_t now = clock_.now_ms();
    const std::vector<events::NewEvent> rows = {
        events::NewEvent{.agent_id = agent_id,
                         .seq = std::nullopt,
                         .time_ms = now,
                         .type = type,
                         .data_json = boost::json::serialize(data)}};
    Status status = database_.transact([&](store::Connection& tx) -> Status {
      SENTINEL_TRY(events::EventStore::insert(tx, rows, now));
      return ok();
    });
    if (!status) {
      logger()->error("agent={} cannot store {}: {}", agent_id, type, status.error().message);
    }
  }

  AgentRegistry& registry_;
  store::Database& database_;
  const Clock& clock_;
  MetricsRegistry& metrics_;
  ChannelSettings settings_;
  IngestWriter ingest_;
  ChannelWorkers workers_;
  mutable std::mutex mutex_;
  std::map<std::string, std::weak_ptr<AgentSession>> sessions_;
};

}  // namespace

std::unique_ptr<AgentChannel> AgentChannel::create(AgentRegistry& registry,
                                                   store::Database& database, bus::Bus& bus,
                                                   inventory::InventoryService* inventory,
                                                   const Clock& clock, MetricsRegistry& metrics,
                                                   ChannelSettings settings) {
  return std::make_unique<AgentChannelImpl>(registry, database, bus, inventory, clock, metrics,
                                            settings);
}

}  // namespace sentinel::agents
