#pragma once
// Alerts integration tests: a real server, and an AlertService on the server's own database
// standing in for the detect module (which calls record() in the server), so that what it
// records is what the server's API must serve.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "sentinel/alerts/alert_service.h"
#include "sentinel/auth/audit_log.h"
#include "sentinel/bus/bus.h"
#include "sentinel/events/event_store.h"
#include "tests/integration/agents/agents_api_support.h"

namespace sentinel::test {

/// A detection of `rule_id` about `entity` on `agent_id`, at `time_ms`.
inline detection::Detection make_detection(
    std::string rule_id, std::string entity, std::string agent_id, std::int64_t time_ms,
    detection::Severity severity = detection::Severity::kHigh) {
  detection::Detection detection;
  detection.rule_title = rule_id == "ssh-brute-force" ? "SSH brute force" : "Rule " + rule_id;
  detection.rule_id = std::move(rule_id);
  detection.severity = severity;
  detection.tags = {"attack.t1110"};
  detection.agent_id = std::move(agent_id);
  detection.entity = std::move(entity);
  detection.time_ms = time_ms;
  detection.summary = detection.rule_title + " from " + detection.entity;
  return detection;
}

class AlertsApiTest : public AgentsApiTest {
 protected:
  void TearDown() override {
    if (bus_) bus_->stop();
    AgentsApiTest::TearDown();
  }

  /// Opens the server's database and the service on it, once.
  bool open() {
    if (alerts_) return true;
    auto db = store::open_database(server_->database_url());
    EXPECT_TRUE(db) << db.error().message;
    if (!db) return false;
    db_ = std::move(*db);
    bus_ = bus::make_inproc_bus();
    audit_ = auth::make_audit_log(*db_, *bus_, clock_);
    alerts_ = alerts::AlertService::create(*db_, *audit_, *bus_, clock_);
    return true;
  }

  /// Records `detection` through a service on the server's database; returns the alert id.
  std::int64_t record(const detection::Detection& detection) {
    if (!open()) return 0;
    auto alert = alerts_->record(detection);
    EXPECT_TRUE(alert) << alert.error().message;
    return alert ? alert->id : 0;
  }

  /// Stores events of `agent_id` in the server's database; returns their ids, oldest first.
  std::vector<std::int64_t> store_events(const std::string& agent_id, int count,
                                         std::int64_t time_ms) {
    if (!open()) return {};
    std::vector<events::NewEvent> batch;
    for (int i = 0; i < count; ++i) {
      batch.push_back({agent_id, std::nullopt, time_ms + i, "log",
                       R"({"event.module":"sshd","source.ip":"203.0.113.9","message":"Failed )"
                       R"(password for root from 203.0.113.9"})"});
    }
    const Status stored = db_->transact([&](store::Connection& tx) -> Status {
      SENTINEL_TRY(events::EventStore::insert(tx, batch, time_ms));
      return ok();
    });
    EXPECT_TRUE(stored) << stored.error().message;
    auto rows =
        db_->query("SELECT id FROM events ORDER BY id DESC LIMIT $1", {std::int64_t{count}});
    std::vector<std::int64_t> ids;
    if (rows) {
      for (const store::Row& row : *rows) ids.insert(ids.begin(), row.integer(0));
    }
    return ids;
  }

  SystemClock clock_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<bus::Bus> bus_;
  std::unique_ptr<auth::AuditLog> audit_;
  std::unique_ptr<alerts::AlertService> alerts_;
};

}  // namespace sentinel::test
