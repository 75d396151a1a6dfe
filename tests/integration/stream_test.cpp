// The WebSocket stream pushes audit events live to sessions allowed to see them.

#include <gtest/gtest.h>

#include "client/stream_client.h"
#include "tests/integration/api_fixture.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;

class StreamTest : public ApiTest {
 protected:
  /// Reads messages until one of `type` arrives or `timeout` passes.
  std::optional<boost::json::object> next_of_type(client::StreamClient& stream,
                                                  const std::string& type,
                                                  std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      auto message = stream.next_message(std::max(left, 1ms));
      if (!message) return std::nullopt;
      auto parsed = boost::json::parse(*message).as_object();
      if (parsed.at("type").as_string() == type) return parsed;
    }
    return std::nullopt;
  }
};

TEST_P(StreamTest, AnAuditEntryReachesAnAdminSessionLive) {
  client::ApiClient root = admin();
  auto stream = client::StreamClient::connect(root);
  ASSERT_TRUE(stream) << stream.error().message;
  ASSERT_TRUE(next_of_type(*stream, "hello", 5s)) << "no hello message";

  client::ApiClient other = anonymous();
  login(other, "admin", "a-wrong-password-for-the-stream");
  auto event = next_of_type(*stream, "audit", 5s);
  ASSERT_TRUE(event) << "no audit event arrived";
  const auto& entry = event->at("entry").as_object();
  EXPECT_EQ(entry.at("action").as_string(), "auth.login");
  EXPECT_EQ(entry.at("outcome").as_string(), "failure");
}

TEST_P(StreamTest, AViewerDoesNotReceiveAuditEvents) {
  client::ApiClient root = admin();
  create_user(root, "watcher", "Observer-Long-Password-11", "viewer");
  client::ApiClient viewer = anonymous();
  ASSERT_EQ(login(viewer, "watcher", "Observer-Long-Password-11").status, 200);
  auto stream = client::StreamClient::connect(viewer);
  ASSERT_TRUE(stream) << stream.error().message;
  ASSERT_TRUE(next_of_type(*stream, "hello", 5s));

  login(anonymous(), "admin", "another-wrong-password");
  // The admin stream proves the event was published; the viewer's must stay silent.
  auto admin_stream = client::StreamClient::connect(root);
  ASSERT_TRUE(admin_stream);
  login(anonymous(), "admin", "yet-another-wrong-password");
  ASSERT_TRUE(next_of_type(*admin_stream, "audit", 5s));
  EXPECT_FALSE(next_of_type(*stream, "audit", 1s));
}

TEST_P(StreamTest, UnauthenticatedUpgradeIsRefused) {
  client::ApiClient nobody = anonymous();
  auto stream = client::StreamClient::connect(nobody);
  EXPECT_FALSE(stream);
}

SENTINEL_BOTH_BACKENDS(StreamTest);

}  // namespace
}  // namespace sentinel::test
