// The firewall policy service on SQLite and PostgreSQL: version history, stale edits, rollback,
// diff, assignments, validation messages, and the push to agents (apply, confirm, failures,
// refusals), with the agent channel scripted.

#include <boost/json/parse.hpp>
#include <future>

#include "tests/unit/firewall/policy_service_fixture.h"

namespace sentinel::firewall::policy_test {
namespace {

const Problem* find(const std::vector<Problem>& problems, std::string_view code) {
  for (const Problem& problem : problems) {
    if (problem.code == code) return &problem;
  }
  return nullptr;
}

std::string describe(const std::vector<Problem>& problems) {
  std::string out;
  for (const Problem& p : problems) out += p.code + " " + p.path + ": " + p.message + "\n";
  return out;
}

TEST_P(PolicyServiceTest, EverySaveIsANewImmutableVersion) {
  const SavedPolicy first = created("web servers", kPolicyV1);
  ASSERT_EQ(first.version.version, 1);
  auto second = service_->update(admin_, first.policy.id,
                                 PolicyEdit{.name = std::nullopt,
                                            .description = "public web",
                                            .document_json = kPolicyV2,
                                            .comment = "web opened",
                                            .base_version = 1},
                                 client_);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->version.version, 2);
  EXPECT_EQ(second->policy.description, "public web");
  EXPECT_NE(second->version.sha256, first.version.sha256);

  auto versions = service_->versions(first.policy.id);
  ASSERT_TRUE(versions);
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].version, 2) << "newest first";
  EXPECT_EQ((*versions)[0].comment, "web opened");
  EXPECT_EQ((*versions)[1].author, "admin");

  // Version 1 still holds the first document: port 22, no web rule.
  auto old = service_->version(first.policy.id, 1);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->sha256, first.version.sha256);
  const auto document = boost::json::parse(old->document_json);
  const auto& rules = document.at("chains").at("input").at("rules").as_array();
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].at("ports"), boost::json::value(boost::json::array{22})) << old->document_json;

  auto detail = service_->get(first.policy.id);
  ASSERT_TRUE(detail);
  EXPECT_EQ(detail->policy.version, 2);
  EXPECT_EQ(detail->latest.sha256, second->version.sha256);
  EXPECT_EQ(service_->version(first.policy.id, 3).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(audit_actions(),
            (std::vector<std::string>{"firewall.policy.create", "firewall.policy.update"}));
}

TEST_P(PolicyServiceTest, AnEditBasedOnAStaleVersionIsAConflict) {
  const SavedPolicy policy = created("edge", kPolicyV1);
  PolicyEdit alice{.document_json = kPolicyV2, .comment = "alice", .base_version = 1};
  PolicyEdit bob{.document_json = kPolicyV1, .comment = "bob", .base_version = 1};
  ASSERT_TRUE(service_->update(admin_, policy.policy.id, alice, client_));
  auto refused = service_->update(admin_, policy.policy.id, bob, client_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_EQ(refused.error().reason, "version_conflict");
  EXPECT_EQ(refused.error().field, "base_version");
  EXPECT_NE(refused.error().message.find("version 2"), std::string::npos)
      << refused.error().message;
  // Bob's document was not stored.
  EXPECT_EQ(service_->get(policy.policy.id)->policy.version, 2);
  EXPECT_EQ(service_->get(policy.policy.id)->latest.comment, "alice");
  // Based on the newest version it goes through.
  bob.base_version = 2;
  auto accepted = service_->update(admin_, policy.policy.id, bob, client_);
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(accepted->version.version, 3);
}

TEST_P(PolicyServiceTest, RollbackSavesTheOldDocumentAsTheNewestVersion) {
  const SavedPolicy policy = created("edge", kPolicyV1);
  ASSERT_TRUE(service_->update(admin_, policy.policy.id,
                               PolicyEdit{.document_json = kPolicyV2, .comment = "v2"}, client_));
  auto rolled = service_->rollback(admin_, policy.policy.id, PolicyRollback{.version = 1}, client_);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_EQ(rolled->version.version, 3) << "history only grows";
  EXPECT_EQ(rolled->version.sha256, policy.version.sha256);
  EXPECT_EQ(rolled->version.comment, "rollback to version 1");
  EXPECT_EQ(service_->versions(policy.policy.id)->size(), 3u);

  auto missing =
      service_->rollback(admin_, policy.policy.id, PolicyRollback{.version = 9}, client_);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(missing.error().field, "version");
  auto stale = service_->rollback(admin_, policy.policy.id,
                                  PolicyRollback{.version = 2, .base_version = 2}, client_);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_EQ(audit_actions().back(), "firewall.policy.rollback");
}

TEST_P(PolicyServiceTest, TheDiffNamesTheRulesThatChanged) {
  const SavedPolicy policy = created("edge", kPolicyV1);
  ASSERT_TRUE(
      service_->update(admin_, policy.policy.id, PolicyEdit{.document_json = kPolicyV2}, client_));
  auto diff = service_->diff(policy.policy.id, 1, 2);
  ASSERT_TRUE(diff) << diff.error().message;
  std::map<std::string, RuleChangeKind> kinds;
  for (const RuleChange& change : diff->rules) kinds[change.id] = change.kind;
  EXPECT_EQ(kinds.size(), 2u);
  EXPECT_EQ(kinds["web"], RuleChangeKind::kAdded);
  EXPECT_EQ(kinds["ssh-admins"], RuleChangeKind::kChanged);
  EXPECT_TRUE(service_->diff(policy.policy.id, 2, 2)->empty());
  EXPECT_EQ(service_->diff(policy.policy.id, 1, 7).error().code, ErrorCode::kNotFound);
}

TEST_P(PolicyServiceTest, AnInvalidDocumentIsRefusedWithEveryErrorNamed) {
  const std::string bad = R"({"chains": {"input": {"policy": "drop", "rules": [
    {"id": "ssh", "source": "nosuch", "protocol": "tcp", "ports": 22, "action": "accept"},
    {"id": "web", "protocol": "tcp", "ports": 70000, "action": "accept"}
  ]}}})";
  auto refused = service_->create_policy(admin_, {"broken", "", bad, ""}, client_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.error().reason, "invalid_policy");
  EXPECT_EQ(refused.error().field, "document");
  const std::string& message = refused.error().message;
  EXPECT_NE(message.find("2 errors"), std::string::npos) << message;
  EXPECT_NE(message.find("chains.input.rules[0].source"), std::string::npos) << message;
  EXPECT_NE(message.find("rule \"ssh\""), std::string::npos) << message;
  EXPECT_NE(message.find("chains.input.rules[1].ports"), std::string::npos) << message;
  EXPECT_EQ(service_->list(100, 0)->total, 0) << "nothing was stored";

  EXPECT_EQ(service_->create_policy(admin_, {"", "", kPolicyV1, ""}, client_).error().field,
            "name");
  created("taken", kPolicyV1);
  auto duplicate = service_->create_policy(admin_, {"taken", "", kPolicyV1, ""}, client_);
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict);
  EXPECT_EQ(duplicate.error().field, "name");
}

TEST_P(PolicyServiceTest, ValidationNamesRuleIdIndexAndPath) {
  const std::string shadowed = R"({"chains": {"input": {"policy": "drop", "rules": [
    {"id": "all-ssh", "protocol": "tcp", "ports": 22, "action": "accept"},
    {"id": "no-ssh-from-lab", "source": "10.9.0.0/16", "protocol": "tcp", "ports": 22,
     "action": "drop"}
  ]}}})";
  auto problems = service_->validate({shadowed, std::nullopt, false});
  ASSERT_TRUE(problems) << problems.error().message;
  const Problem* problem = find(*problems, "shadowed");
  ASSERT_NE(problem, nullptr) << describe(*problems);
  EXPECT_EQ(problem->severity, Severity::kError) << "the actions differ";
  EXPECT_EQ(problem->rule_id, "no-ssh-from-lab");
  EXPECT_EQ(problem->rule_index, std::optional<std::size_t>(1));
  EXPECT_EQ(problem->path, "chains.input.rules[1]");
  EXPECT_NE(problem->message.find("all-ssh"), std::string::npos) << problem->message;
}

TEST_P(PolicyServiceTest, ValidationForAnAgentRefusesACutOffUnlessForced) {
  const std::string id = agent("web-1", "web");
  auto problems = service_->validate({kCutOffPolicy, id, false});
  ASSERT_TRUE(problems);
  const Problem* cut_off = find(*problems, "cut_off");
  ASSERT_NE(cut_off, nullptr) << describe(*problems);
  EXPECT_EQ(cut_off->severity, Severity::kError);
  EXPECT_NE(cut_off->message.find("192.0.2.1:8444"), std::string::npos) << cut_off->message;

  auto forced = service_->validate({kCutOffPolicy, id, true});
  ASSERT_TRUE(forced);
  ASSERT_NE(find(*forced, "cut_off"), nullptr);
  EXPECT_EQ(find(*forced, "cut_off")->severity, Severity::kWarning);
  // Without an agent there is no endpoint to check.
  EXPECT_EQ(find(*service_->validate({kCutOffPolicy, std::nullopt, false}), "cut_off"), nullptr);
  auto unknown = service_->validate({kPolicyV1, std::string("agt_nosuchagent"), false});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "agent_id");
}

TEST_P(PolicyServiceTest, AnAgentsOwnAssignmentWinsThenTheHighestPriority) {
  const std::string web1 = agent("web-1", "web");
  const std::string web2 = agent("web-2", "web");
  const std::string db = agent("db-1", "db");
  const SavedPolicy low = created("low", kPolicyV1);
  const SavedPolicy high = created("high", kPolicyV1);
  const SavedPolicy single = created("single", kPolicyV2);
  assign(low.policy.id, {to_group("web", 10)});
  assign(high.policy.id, {to_group("web", 20)});
  assign(single.policy.id, {to_agent(web1, -5)});

  auto of_web1 = service_->effective(web1);
  ASSERT_TRUE(of_web1 && *of_web1);
  EXPECT_EQ((*of_web1)->policy.name, "single") << "an agent's own assignment comes first";
  EXPECT_EQ((*of_web1)->assignment.target, AssignmentTarget::kAgent);
  auto of_web2 = service_->effective(web2);
  ASSERT_TRUE(of_web2 && *of_web2);
  EXPECT_EQ((*of_web2)->policy.name, "high");
  EXPECT_EQ((*of_web2)->version.version, 1);
  auto of_db = service_->effective(db);
  ASSERT_TRUE(of_db);
  EXPECT_FALSE(*of_db) << "nothing is assigned to group db";
  EXPECT_EQ(service_->effective("agt_nosuchagent").error().code, ErrorCode::kNotFound);

  // Replacing the assignments replaces them all.
  assign(high.policy.id, {});
  EXPECT_EQ((*service_->effective(web2))->policy.name, "low");

  auto unknown = service_->set_assignments(admin_, low.policy.id,
                                           {to_group("web"), to_agent("agt_nosuchagent")}, client_);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "assignments[1].agent_id");
  auto twice = service_->set_assignments(admin_, low.policy.id,
                                         {to_group("web"), to_group("web", 3)}, client_);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().field, "assignments[1]");
  auto bad_group = service_->set_assignments(admin_, low.policy.id, {to_group("we b")}, client_);
  ASSERT_FALSE(bad_group);
  EXPECT_EQ(bad_group.error().field, "assignments[0].group");
  EXPECT_EQ((*service_->effective(web2))->policy.name, "low") << "a refused change changes nothing";
}

TEST_P(PolicyServiceTest, ApplyThenConfirmStoresWhatTheAgentReported) {
  const std::string id = agent("web-1", "web");
  start_service();
  const SavedPolicy policy = created("web", kPolicyV1);
  assign(policy.policy.id, {to_group("web")});
  set_active_blocks({{"203.0.113.9", 300}});

  const AgentApplyResult result = apply_one(id);
  EXPECT_EQ(result.outcome, ApplyOutcome::kConfirmed) << result.error;
  EXPECT_EQ(result.version, std::optional<std::int64_t>(1));

  const auto applies = channel_.calls("firewall_apply");
  ASSERT_EQ(applies.size(), 1u);
  const boost::json::object& args = applies[0].args;
  EXPECT_EQ(args.at("policy_id").as_int64(), policy.policy.id);
  EXPECT_EQ(args.at("version").as_int64(), 1);
  EXPECT_EQ(args.at("document_hash").as_string(), policy.version.sha256);
  EXPECT_EQ(args.at("grace_s").as_int64(), 60);
  const std::string nft(args.at("nft").as_string());
  EXPECT_NE(nft.find("table inet sentinel"), std::string::npos) << nft;
  EXPECT_NE(nft.find("comment \"ssh-admins\""), std::string::npos) << nft;
  ASSERT_EQ(args.at("blocks").as_array().size(), 1u);
  EXPECT_EQ(args.at("blocks").as_array()[0].at("address").as_string(), "203.0.113.9");
  EXPECT_EQ(args.at("blocks").as_array()[0].at("remaining_s").as_int64(), 300);
  const auto confirms = channel_.calls("firewall_confirm");
  ASSERT_EQ(confirms.size(), 1u);
  EXPECT_EQ(confirms[0].args.at("version").as_int64(), 1);

  const AgentFirewallState state = state_of(id);
  EXPECT_EQ(state.policy_id, std::optional<std::int64_t>(policy.policy.id));
  EXPECT_EQ(state.version, std::optional<std::int64_t>(1));
  EXPECT_TRUE(state.confirmed);
  EXPECT_TRUE(state.confirmed_ms.has_value());
  EXPECT_EQ(state.confirmed_version, std::optional<std::int64_t>(1));
  EXPECT_EQ(state.document_hash, policy.version.sha256);
  EXPECT_EQ(state.listing_hash, "listing-1");
  EXPECT_EQ(state.sets.at("addr_admins_v4"), 1);
  EXPECT_TRUE(state.last_error.empty());
  auto rows = service_->status(id);
  ASSERT_TRUE(rows && rows->size() == 1);
  EXPECT_TRUE(rows->front().in_sync);

  // The stream sees applied, then confirmed.
  eventually(
      [this] {
        const auto messages = firewall_messages();
        return messages.size() >= 2 &&
               messages.back().find(R"("action":"confirmed")") != std::string::npos;
      },
      "confirmed on the firewall topic");
  EXPECT_EQ(audit_actions().back(), "firewall.apply");
}

TEST_P(PolicyServiceTest, AFailedApplyKeepsTheConfirmedReleaseAndRecordsTheError) {
  const std::string id = agent("web-1", "web");
  start_service();
  const SavedPolicy policy = created("web", kPolicyV1);
  assign(policy.policy.id, {to_group("web")});
  ASSERT_EQ(apply_one(id).outcome, ApplyOutcome::kConfirmed);

  ASSERT_TRUE(
      service_->update(admin_, policy.policy.id, PolicyEdit{.document_json = kPolicyV2}, client_));
  channel_.script(
      [](const ScriptedChannel::Call& call) -> std::optional<Result<protocol::CommandResult>> {
        if (call.name != "firewall_apply") return std::nullopt;
        return ScriptedChannel::failure("nft: Could not process rule: No such file or directory");
      });
  const AgentApplyResult failed = apply_one(id);
  EXPECT_EQ(failed.outcome, ApplyOutcome::kFailed);
  EXPECT_NE(failed.error.find("Could not process rule"), std::string::npos) << failed.error;
  EXPECT_EQ(channel_.calls("firewall_confirm").size(), 1u) << "nothing to confirm";

  const AgentFirewallState state = state_of(id);
  EXPECT_EQ(state.version, std::optional<std::int64_t>(1)) << "still what the agent runs";
  EXPECT_TRUE(state.confirmed);
  EXPECT_EQ(state.confirmed_version, std::optional<std::int64_t>(1));
  EXPECT_EQ(state.listing_hash, "listing-1");
  EXPECT_NE(state.last_error.find("Could not process rule"), std::string::npos) << state.last_error;
  EXPECT_TRUE(state.last_error_ms.has_value());
  EXPECT_FALSE(service_->status(id)->front().in_sync) << "version 2 is not on the agent";

  // An agent that answers with another version is not confirmed either.
  channel_.script(
      [](const ScriptedChannel::Call& call) -> std::optional<Result<protocol::CommandResult>> {
        if (call.name != "firewall_apply") return std::nullopt;
        return ScriptedChannel::answer({{"version", 1},
                                        {"document_hash", "x"},
                                        {"listing_hash", "y"},
                                        {"sets", boost::json::object{}},
                                        {"blocks_kept", 0}});
      });
  EXPECT_EQ(apply_one(id).outcome, ApplyOutcome::kFailed);
  EXPECT_EQ(state_of(id).version, std::optional<std::int64_t>(1));

  // Once the agent behaves, the next apply succeeds and clears the error.
  channel_.script({});
  EXPECT_EQ(apply_one(id).outcome, ApplyOutcome::kConfirmed);
  EXPECT_EQ(state_of(id).confirmed_version, std::optional<std::int64_t>(2));
  EXPECT_TRUE(state_of(id).last_error.empty());
}

TEST_P(PolicyServiceTest, AnUnansweredConfirmLeavesTheApplyUnconfirmed) {
  const std::string id = agent("web-1", "web");
  start_service();
  const SavedPolicy policy = created("web", kPolicyV1);
  assign(policy.policy.id, {to_group("web")});
  channel_.script(
      [](const ScriptedChannel::Call& call) -> std::optional<Result<protocol::CommandResult>> {
        if (call.name != "firewall_confirm") return std::nullopt;
        return Result<protocol::CommandResult>(unavailable("agent did not answer"));
      });
  const AgentApplyResult result = apply_one(id);
  EXPECT_EQ(result.outcome, ApplyOutcome::kUnconfirmed);
  const AgentFirewallState state = state_of(id);
  EXPECT_EQ(state.version, std::optional<std::int64_t>(1));
  EXPECT_FALSE(state.confirmed);
  EXPECT_FALSE(state.confirmed_version.has_value());
  EXPECT_NE(state.last_error.find("rolls back"), std::string::npos) << state.last_error;
}

TEST_P(PolicyServiceTest, ACutOffIsRefusedForTheAgentUnlessForced) {
  const std::string id = agent("web-1", "web");
  start_service();
  const SavedPolicy policy = created("closed", kCutOffPolicy);
  assign(policy.policy.id, {to_group("web")});
  const AgentApplyResult refused = apply_one(id);
  EXPECT_EQ(refused.outcome, ApplyOutcome::kRefused);
  EXPECT_NE(find(refused.problems, "cut_off"), nullptr) << describe(refused.problems);
  EXPECT_TRUE(channel_.calls("firewall_apply").empty()) << "nothing reached the agent";
  EXPECT_NE(state_of(id).last_error.find("cut the agent off"), std::string::npos);

  EXPECT_EQ(apply_one(id, true).outcome, ApplyOutcome::kConfirmed);
  EXPECT_EQ(channel_.calls("firewall_apply").size(), 1u);
}

TEST_P(PolicyServiceTest, ApplyTargetsOnlyAgentsWithThePolicy) {
  const std::string web = agent("web-1", "web");
  const std::string offline = agent("web-2", "web", false);
  const std::string db = agent("db-1", "db");
  start_service();
  const SavedPolicy policy = created("web", kPolicyV1);
  const SavedPolicy other = created("db", kPolicyV2);
  assign(policy.policy.id, {to_group("web")});
  assign(other.policy.id, {to_group("db")});

  ApplyRequest request;
  request.policy_id = policy.policy.id;
  auto results = service_->apply(admin_, request, client_);
  ASSERT_TRUE(results) << results.error().message;
  std::map<std::string, ApplyOutcome> outcomes;
  for (const AgentApplyResult& result : *results) outcomes[result.agent_id] = result.outcome;
  EXPECT_EQ(outcomes.size(), 2u) << "db-1 has another policy";
  EXPECT_EQ(outcomes[web], ApplyOutcome::kConfirmed);
  EXPECT_EQ(outcomes[offline], ApplyOutcome::kOffline);
  for (const auto& call : channel_.calls()) EXPECT_EQ(call.agent_id, web);

  request.agent_ids = {db};
  auto mismatch = service_->apply(admin_, request, client_);
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->front().outcome, ApplyOutcome::kNoPolicy);
  request.agent_ids = {"agt_nosuchagent"};
  EXPECT_EQ(service_->apply(admin_, request, client_).error().field, "agent_ids");
  request = {};
  request.policy_id = 999999;
  EXPECT_EQ(service_->apply(admin_, request, client_).error().field, "policy_id");
}

TEST_P(PolicyServiceTest, AnAgentStillBusyWhenTheAnswerIsDueIsPending) {
  const std::string id = agent("web-1", "web");
  PolicyServiceOptions options;
  options.channel_listen = "192.0.2.1:8444";
  options.apply_answer_deadline = std::chrono::milliseconds(100);
  auto service = PolicyService::create({.database = *db_,
                                        .audit = *audit_,
                                        .bus = *bus_,
                                        .clock = clock_,
                                        .registry = *registry_,
                                        .channel = channel_,
                                        .active_blocks = {}},
                                       options);
  ASSERT_TRUE(service);
  eventually([this] { return connected_events() == connected_agents_; }, "connect events");
  ASSERT_TRUE((*service)->start());
  const SavedPolicy policy = created("web", kPolicyV1);
  assign(policy.policy.id, {to_group("web")});
  // The agent answers only once the test lets it, after the answer was given.
  auto release = std::make_shared<std::promise<void>>();
  std::shared_future<void> released = release->get_future().share();
  channel_.script([released](const ScriptedChannel::Call& call)
                      -> std::optional<Result<protocol::CommandResult>> {
    if (call.name == "firewall_apply") released.wait();
    return std::nullopt;
  });
  ApplyRequest request;
  request.agent_ids = {id};
  auto results = (*service)->apply(admin_, request, client_);
  ASSERT_TRUE(results) << results.error().message;
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ(results->front().outcome, ApplyOutcome::kPending);
  release->set_value();
  eventually([&] { return state_of(id).confirmed; }, "the push went on");
  (*service)->stop();
}

TEST_P(PolicyServiceTest, ThePreviewIsTheTextTheAgentGets) {
  const std::string id = agent("web-1", "web");
  start_service();
  const SavedPolicy policy = created("web", kPolicyV1);
  assign(policy.policy.id, {to_group("web")});
  auto preview = service_->preview(policy.policy.id, std::nullopt, id);
  ASSERT_TRUE(preview) << preview.error().message;
  EXPECT_EQ(preview->version, 1);
  EXPECT_TRUE(preview->problems.empty()) << describe(preview->problems);
  ASSERT_EQ(apply_one(id).outcome, ApplyOutcome::kConfirmed);
  EXPECT_EQ(channel_.calls("firewall_apply").front().args.at("nft").as_string(), preview->nft);

  auto cut = created("closed", kCutOffPolicy);
  auto refused = service_->preview(cut.policy.id, 1, id);
  ASSERT_TRUE(refused);
  EXPECT_TRUE(refused->nft.empty());
  EXPECT_NE(find(refused->problems, "cut_off"), nullptr);
}

TEST_P(PolicyServiceTest, DriftAndRollbackEventsAreRecorded) {
  const std::string id = agent("web-1", "web");
  start_service();
  const SavedPolicy policy = created("web", kPolicyV1);
  assign(policy.policy.id, {to_group("web")});
  ASSERT_EQ(apply_one(id).outcome, ApplyOutcome::kConfirmed);
  ASSERT_TRUE(
      service_->update(admin_, policy.policy.id, PolicyEdit{.document_json = kPolicyV2}, client_));
  ASSERT_EQ(apply_one(id).outcome, ApplyOutcome::kConfirmed);

  // As the agent sends them: flat ECS-style field names, values as text.
  const auto event = [&](const std::string& fields) {
    return R"({"type":"event","event":{"id":1,"agent_id":")" + id +
           R"(","seq":5,"time":1767225600000,"type":"firewall","data":{)" + fields + "}}}";
  };
  ASSERT_TRUE(bus_->publish(
      "event", event(R"("event.module":"firewall","event.category":"configuration",)"
                     R"("event.action":"firewall.drift","firewall.drift.kind":"table_missing",)"
                     R"("firewall.version":"2","firewall.listing_hash.found":"",)"
                     R"("firewall.listing_hash.expected":"listing-2")")));
  eventually([&] { return state_of(id).drift_count == 1; }, "drift recorded");
  AgentFirewallState state = state_of(id);
  EXPECT_EQ(state.last_drift_kind, "table_missing");
  EXPECT_EQ(state.last_drift_ms, std::optional<std::int64_t>(1767225600000));

  // Events of other modules are not the firewall's.
  ASSERT_TRUE(
      bus_->publish("event", event(R"("event.module":"fim","event.action":"firewall.drift")")));
  ASSERT_TRUE(bus_->publish(
      "event", event(R"("event.module":"firewall","event.action":"firewall.rolled_back",)"
                     R"("firewall.version":"3","firewall.restored_version":"2")")));
  eventually([&] { return state_of(id).rolled_back_version.has_value(); }, "rollback recorded");
  state = state_of(id);
  EXPECT_EQ(state.drift_count, 1) << "the fim event was not counted";
  EXPECT_EQ(state.rolled_back_version, std::optional<std::int64_t>(3));
  EXPECT_EQ(state.restored_version, std::optional<std::int64_t>(2));
  EXPECT_EQ(state.version, std::optional<std::int64_t>(2));
  EXPECT_TRUE(state.confirmed) << "version 2 was confirmed before";
  EXPECT_EQ(state.policy_id, std::optional<std::int64_t>(policy.policy.id));

  // A rollback to nothing (the table deleted) leaves nothing confirmed.
  ASSERT_TRUE(bus_->publish(
      "event", event(R"("event.module":"firewall","event.action":"firewall.rolled_back",)"
                     R"("firewall.version":"2")")));
  eventually([&] { return !state_of(id).restored_version.has_value(); }, "second rollback");
  state = state_of(id);
  EXPECT_FALSE(state.confirmed);
  EXPECT_FALSE(state.version.has_value());
  EXPECT_FALSE(service_->status(id)->front().in_sync);
}

TEST_P(PolicyServiceTest, AConnectingAgentBehindItsPolicyGetsItAppliedAndConfirmed) {
  start_service();
  const SavedPolicy policy = created("web", kPolicyV1);
  assign(policy.policy.id, {to_group("web")});
  set_active_blocks({{"198.51.100.4", 120}});
  const std::string id = agent("web-1", "web");
  eventually([&] { return state_of(id).confirmed; }, "applied on connect");
  const auto applies = channel_.calls("firewall_apply");
  ASSERT_EQ(applies.size(), 1u);
  EXPECT_EQ(applies[0].args.at("blocks").as_array().size(), 1u) << "blocks in scope go along";
  EXPECT_EQ(channel_.calls("firewall_status").size(), 1u);
  EXPECT_EQ(channel_.firewall(id).confirmed, std::optional<std::int64_t>(1));

  // Connecting again in sync: only the blocks it lacks are sent.
  SimulatedFirewall fw = channel_.firewall(id);
  fw.blocks.clear();
  channel_.set_firewall(id, fw);
  ASSERT_TRUE(registry_->record_disconnected(id));
  connect(id);
  eventually([&] { return !channel_.calls("firewall_block").empty(); }, "blocks re-sent");
  EXPECT_EQ(channel_.calls("firewall_apply").size(), 1u) << "no second apply";
  const auto blocks = channel_.calls("firewall_block");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].args.at("addresses").as_array()[0].as_string(), "198.51.100.4");
  EXPECT_EQ(blocks[0].args.at("duration_s").as_int64(), 120);
}

TEST_P(PolicyServiceTest, AVersionTheAgentRolledBackIsNotPushedAgainOnConnect) {
  const std::string id = agent("web-1", "web");
  start_service();
  const SavedPolicy policy = created("web", kPolicyV1);
  assign(policy.policy.id, {to_group("web")});
  // The confirm never reaches the agent: it rolls back by itself, to nothing.
  channel_.script(
      [](const ScriptedChannel::Call& call) -> std::optional<Result<protocol::CommandResult>> {
        if (call.name != "firewall_confirm") return std::nullopt;
        return Result<protocol::CommandResult>(unavailable("timed out"));
      });
  ASSERT_EQ(apply_one(id).outcome, ApplyOutcome::kUnconfirmed);
  channel_.set_firewall(id, SimulatedFirewall{});
  channel_.script({});

  ASSERT_TRUE(registry_->record_disconnected(id));
  const std::size_t statuses = channel_.calls("firewall_status").size();
  connect(id);
  eventually([&] { return state_of(id).rolled_back_version.has_value(); },
             "the rollback noticed on connect");
  EXPECT_EQ(channel_.calls("firewall_status").size(), statuses + 1);
  EXPECT_EQ(channel_.calls("firewall_apply").size(), 1u) << "not applied again by itself";
  EXPECT_EQ(state_of(id).rolled_back_version, std::optional<std::int64_t>(1));
  EXPECT_FALSE(state_of(id).confirmed);

  // An explicit apply still goes through.
  EXPECT_EQ(apply_one(id).outcome, ApplyOutcome::kConfirmed);
}

TEST_P(PolicyServiceTest, DeletingAPolicyRemovesItsVersionsAndAssignments) {
  const std::string id = agent("web-1", "web");
  const SavedPolicy policy = created("web", kPolicyV1);
  assign(policy.policy.id, {to_group("web"), to_agent(id)});
  ASSERT_TRUE(service_->remove(admin_, policy.policy.id, client_));
  EXPECT_EQ(service_->get(policy.policy.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->versions(policy.policy.id).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(*service_->effective(id));
  EXPECT_EQ(service_->remove(admin_, policy.policy.id, client_).error().code, ErrorCode::kNotFound);
  // The name is free again.
  created("web", kPolicyV2);
  EXPECT_EQ(audit_actions(),
            (std::vector<std::string>{"firewall.policy.create", "firewall.assignments.set",
                                      "firewall.policy.delete", "firewall.policy.create"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, PolicyServiceTest,
                         ::testing::ValuesIn(sentinel::test::kBackends),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::firewall::policy_test
