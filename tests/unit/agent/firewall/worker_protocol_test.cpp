// The stream between the agent and its enforcer worker: frames and answers survive the round
// trip with their error codes and fields, a broken, oversized or silent stream is an error of
// its own kind, and only the enforcer's own events pass from the worker to the spool.

#include "agent/firewall/worker_protocol.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "agent/firewall/firewall_events.h"
#include "agent/firewall/firewall_worker.h"

namespace sentinel::agent::firewall {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;

// Both ends of a stream socket pair; closed at the end.
struct Pair {
  Pair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0); }
  ~Pair() {
    for (int fd : fds) {
      if (fd >= 0) ::close(fd);
    }
  }
  void close(int i) {
    ::close(fds[i]);
    fds[i] = -1;
  }
  int fds[2] = {-1, -1};
};

TEST(FirewallWorkerProtocol, RequestsAndAnswersSurviveTheRoundTrip) {
  Pair pair;
  const WorkerRequest request{"firewall_block",
                              json::object{{"addresses", json::array{"192.0.2.1"}}}};
  ASSERT_TRUE(write_frame(pair.fds[0], encode_request(request)));
  auto frame = read_frame(pair.fds[1], std::chrono::seconds(10));
  ASSERT_TRUE(frame) << frame.error().message;
  auto decoded = decode_request(*frame);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->name, request.name);
  EXPECT_EQ(decoded->args, request.args);

  auto answer = decode_response(encode_response(json::object{{"added", 1}}));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->at("added").as_int64(), 1);
  auto error = decode_response(encode_response(
      Error{ErrorCode::kConflict, "the pending apply is version 3, not 2", "", "version"}));
  ASSERT_FALSE(error);
  EXPECT_EQ(error.error().code, ErrorCode::kConflict);
  EXPECT_EQ(error.error().message, "the pending apply is version 3, not 2");
  EXPECT_EQ(error.error().field, "version");

  EXPECT_FALSE(decode_request(R"({"name": "x"})"));
  EXPECT_FALSE(decode_request(R"({"name": "x", "args": {}, "more": 1})"));
  EXPECT_EQ(decode_response("[]").error().code, ErrorCode::kInternal);
  EXPECT_EQ(
      decode_response(R"({"ok": false, "code": 99, "message": "", "reason": "", "field": ""})")
          .error()
          .code,
      ErrorCode::kInternal);
}

TEST(FirewallWorkerProtocol, AStreamThatEndsBreaksOrStaysSilentSaysWhich) {
  {
    Pair pair;
    auto silent = read_frame(pair.fds[1], std::chrono::milliseconds(50));
    ASSERT_FALSE(silent);
    EXPECT_EQ(silent.error().reason, "timeout");
    pair.close(0);
    auto closed = read_frame(pair.fds[1], std::nullopt);
    ASSERT_FALSE(closed);
    EXPECT_EQ(closed.error().reason, "closed");
  }
  {
    Pair pair;
    const char partial[] = {0, 0, 0, 10, '{', '"'};
    ASSERT_EQ(::write(pair.fds[0], partial, sizeof partial), static_cast<ssize_t>(sizeof partial));
    pair.close(0);
    auto broken = read_frame(pair.fds[1], std::nullopt);
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.error().reason, "broken");
  }
  {
    Pair pair;
    const unsigned char huge[] = {0x7f, 0xff, 0xff, 0xff};
    ASSERT_EQ(::write(pair.fds[0], huge, sizeof huge), 4);
    auto refused = read_frame(pair.fds[1], std::nullopt);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kPayloadTooLarge);
  }
  {
    Pair pair;
    pair.close(1);
    auto lost = write_frame(pair.fds[0], "{}");
    ASSERT_FALSE(lost) << "a closed worker is an error, not SIGPIPE";
    EXPECT_EQ(lost.error().reason, "broken");
  }
}

TEST(FirewallWorkerProtocol, OnlyTheEnforcersOwnEventsPass) {
  Maintenance done;
  done.events.push_back(rolled_back_event(RollBack{5, 4}));
  done.events.push_back(drift_event(Drift{DriftKind::kChangedRules, 4, {"aa", {}}, {"bb", {}}}));
  done.problems.push_back("rollback: nft said no");
  auto decoded = decode_maintenance(encode_maintenance(done));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->events, done.events);
  EXPECT_EQ(decoded->problems, done.problems);

  json::object forged = encode_maintenance({});
  forged["events"].as_array().push_back(
      json::object{{"event.action", "user.login"}, {"user.name", "root"}});
  auto refused = decode_maintenance(forged);
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("another kind"));
  EXPECT_FALSE(decode_maintenance(json::object{{"events", json::array{}}}));
}

TEST(FirewallWorkerProtocol, TheServingLoopAnswersUntilTheAgentHangsUp) {
  Pair pair;
  int exit_status = -1;
  std::thread worker([&] {
    exit_status = serve_worker_requests(pair.fds[1],
                                        [](const WorkerRequest& request) -> Result<json::object> {
                                          if (request.name == "echo") return request.args;
                                          return invalid_argument("unknown request", "name");
                                        });
  });
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(write_frame(pair.fds[0], encode_request({"echo", json::object{{"n", i}}})));
    auto frame = read_frame(pair.fds[0], std::chrono::seconds(30));
    ASSERT_TRUE(frame) << frame.error().message;
    auto answer = decode_response(*frame);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->at("n").as_int64(), i);
  }
  ASSERT_TRUE(write_frame(pair.fds[0], encode_request({"other", {}})));
  auto refused = decode_response(*read_frame(pair.fds[0], std::chrono::seconds(30)));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "name");
  ::shutdown(pair.fds[0], SHUT_WR);
  worker.join();
  EXPECT_EQ(exit_status, 0);

  Pair garbled;
  std::thread second([&] {
    exit_status = serve_worker_requests(
        garbled.fds[1],
        [](const WorkerRequest&) -> Result<json::object> { return json::object{}; });
  });
  ASSERT_TRUE(write_frame(garbled.fds[0], "not json"));
  second.join();
  EXPECT_EQ(exit_status, 1) << "a malformed request ends the worker";
}

}  // namespace
}  // namespace sentinel::agent::firewall
