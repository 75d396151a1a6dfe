// One agent connection over the channel: frames both ways, back-pressure, closing for every
// reason (goodbye, refusal, session error, limits, bad frames, silence) with on_close once.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <deque>

#include "tests/integration/agent_channel/channel_fixture.h"

namespace sentinel::test {
namespace {

// How long a test waits for the server to close a connection: longer than the suite may run, so
// that only the server's own limits end the wait (whichever of them the test checks for), never
// the machine's speed.
constexpr std::chrono::hours kUntilTheServerCloses{1};

void echo(FakeSession& session, std::string frame, std::function<void(Status)> done) {
  session.sink().send("echo:" + frame);
  done(ok());
}

bool closed_with(const Result<std::string>& received, std::string_view text) {
  return !received && received.error().reason == agent::kChannelClosed &&
         received.error().message.find(text) != std::string::npos;
}

TEST_F(ChannelTest, FramesFlowBothWaysInOrder) {
  handler_.open_hook = [](const gateway::PeerCertificate& peer, gateway::ChannelSink& sink) {
    sink.send("welcome " + peer.common_name);
    return ok();
  };
  handler_.frame_hook = echo;
  start();
  agent::ChannelEndpoint where = endpoint(client_cert("agent-1"));
  where.source_address = "127.0.0.2";
  auto opened = agent::ChannelConnection::open(where);
  ASSERT_TRUE(opened) << opened.error().message;
  auto& connection = *opened;
  EXPECT_TRUE(connection->is_open());

  auto welcome = connection->receive(5s);
  ASSERT_TRUE(welcome) << welcome.error().message;
  EXPECT_EQ(*welcome, "welcome agent-1");
  constexpr int kFrames = 50;
  for (int i = 0; i < kFrames; ++i) {
    auto sent = connection->send(fmt::format("frame-{}", i), 5s);
    ASSERT_TRUE(sent) << sent.error().message;
  }
  for (int i = 0; i < kFrames; ++i) {
    auto echoed = connection->receive(5s);
    ASSERT_TRUE(echoed) << echoed.error().message;
    EXPECT_EQ(*echoed, fmt::format("echo:frame-{}", i));
  }
  auto nothing = connection->receive(100ms);
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().reason, agent::kChannelTimeout);
  EXPECT_TRUE(connection->is_open()) << "a receive timeout keeps the connection";

  auto session = handler_.session();
  ASSERT_TRUE(session);
  EXPECT_EQ(session->sink().remote_address(), "127.0.0.2");
  const std::vector<std::string> frames = session->frames();
  ASSERT_EQ(frames.size(), static_cast<std::size_t>(kFrames));
  for (int i = 0; i < kFrames; ++i) EXPECT_EQ(frames[i], fmt::format("frame-{}", i));
  EXPECT_EQ(listener_->connection_count(), 1u);
  EXPECT_EQ(metric("sentinel_agent_channel_connections"), 1);

  connection->close();
  EXPECT_FALSE(connection->is_open());
  ASSERT_TRUE(eventually([&] { return session->closes() == 1; }));
  EXPECT_NE(session->close_reason().find("peer_closed"), std::string::npos)
      << session->close_reason();
  EXPECT_FALSE(session->sink().send("too late"));
  EXPECT_TRUE(eventually([&] { return listener_->connection_count() == 0; }));
  EXPECT_EQ(metric("sentinel_agent_channel_frames_received_total"), kFrames);
  EXPECT_EQ(metric("sentinel_agent_channel_frames_sent_total"), kFrames + 1);
  EXPECT_EQ(metric(R"(sentinel_agent_channel_closes_total{reason="peer_closed"})"), 1);
  EXPECT_EQ(metric("sentinel_agent_channel_connections"), 0);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(session->closes(), 1);
}

TEST_F(ChannelTest, ASlowSessionSlowsTheAgentDownAndLosesNothing) {
  // The session holds the first frame until released, then completes each frame from another
  // thread after a pause.
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::function<void(Status)>> pending;
  bool released = false;
  bool finished = false;
  handler_.frame_hook = [&](FakeSession&, std::string, std::function<void(Status)> done) {
    std::lock_guard lock(mutex);
    pending.push_back(std::move(done));
    wake.notify_all();
  };
  std::thread completer([&] {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [&] { return finished || (released && !pending.empty()); });
      if (finished) return;
      auto done = std::move(pending.front());
      pending.pop_front();
      lock.unlock();
      std::this_thread::sleep_for(200us);
      done(ok());
      lock.lock();
    }
  });
  start();
  auto connection = connect("agent-busy");
  ASSERT_TRUE(connection);

  // 300 frames of 256 KiB: far more than the socket buffers between the two ends can hold.
  constexpr int kFrames = 300;
  const std::string padding(256 * 1024, 'p');
  std::atomic<int> sent{0};
  std::atomic<bool> send_failed{false};
  std::thread sender([&] {
    for (int i = 0; i < kFrames; ++i) {
      if (!connection->send(fmt::format("{}:", i) + padding, 60s)) {
        send_failed = true;
        return;
      }
      ++sent;
    }
  });

  ASSERT_TRUE(eventually([&] {
    auto session = handler_.session();
    return session && session->frame_count() == 1;
  }));
  std::this_thread::sleep_for(500ms);
  const int sent_before = sent;
  std::this_thread::sleep_for(300ms);
  const int sent_after = sent;
  RecordProperty("frames_sent_while_stalled", sent_after);
  EXPECT_EQ(sent_before, sent_after) << "sends must block while the session holds a frame";
  EXPECT_LT(sent_after, kFrames);
  EXPECT_EQ(handler_.session()->frame_count(), 1u) << "the next frame waits for done";

  {
    std::lock_guard lock(mutex);
    released = true;
    wake.notify_all();
  }
  sender.join();
  EXPECT_FALSE(send_failed);
  EXPECT_EQ(sent, kFrames);
  EXPECT_TRUE(eventually([&] { return handler_.session()->frame_count() == kFrames; }, 60s));
  {
    std::lock_guard lock(mutex);
    finished = true;
    wake.notify_all();
  }
  completer.join();
  const std::vector<std::string> frames = handler_.session()->frames();
  ASSERT_EQ(frames.size(), static_cast<std::size_t>(kFrames));
  for (int i = 0; i < kFrames; ++i) {
    EXPECT_EQ(frames[i].substr(0, frames[i].find(':')), std::to_string(i));
    EXPECT_EQ(frames[i].size(), std::to_string(i).size() + 1 + padding.size());
  }
}

TEST_F(ChannelTest, AFrameOverTheLimitClosesTheConnection) {
  options_.max_frame_bytes = 1024;
  start();
  auto connection = connect("agent-big");
  ASSERT_TRUE(connection);
  ASSERT_TRUE(connection->send(std::string(1024, 'a'), 5s));
  ASSERT_TRUE(eventually([&] {
    auto session = handler_.session();
    return session && session->frame_count() == 1;
  }));
  (void)connection->send(std::string(1025, 'b'), 5s);

  EXPECT_TRUE(closed_with(connection->receive(5s), "1009"));
  EXPECT_FALSE(connection->is_open());
  auto session = handler_.session();
  ASSERT_TRUE(eventually([&] { return session->closes() == 1; }));
  EXPECT_NE(session->close_reason().find("frame_too_large"), std::string::npos)
      << session->close_reason();
  EXPECT_EQ(session->frame_count(), 1u);
  EXPECT_EQ(metric(R"(sentinel_agent_channel_closes_total{reason="frame_too_large"})"), 1);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(session->closes(), 1);
}

TEST_F(ChannelTest, ABinaryFrameClosesTheConnection) {
  start();
  const IssuedCertificate cert = client_cert("agent-binary");
  auto client = RawTlsClient::connect(port_, pki_->ca_file(), cert.cert_file, cert.key_file);
  ASSERT_TRUE(client);
  const std::string response = client->upgrade("/agent/v1/channel");
  ASSERT_EQ(response.rfind("HTTP/1.1 101", 0), 0u) << response;
  ASSERT_TRUE(eventually([&] { return handler_.opens() == 1; }));
  client->send_frame(0x2, std::string("\x01\x02\x03", 3));

  auto received = client->read_until_closed(kUntilTheServerCloses);
  ASSERT_TRUE(received.has_value()) << "the server kept the connection";
  // A close frame with code 1003 (unsupported data).
  ASSERT_GE(received->size(), 4u);
  EXPECT_EQ(static_cast<unsigned char>((*received)[0]), 0x88);
  EXPECT_EQ((static_cast<unsigned char>((*received)[2]) << 8) |
                static_cast<unsigned char>((*received)[3]),
            1003);
  auto session = handler_.session();
  ASSERT_TRUE(eventually([&] { return session->closes() == 1; }));
  EXPECT_NE(session->close_reason().find("binary_frame"), std::string::npos);
  EXPECT_EQ(session->frame_count(), 0u);
}

TEST_F(ChannelTest, CloseSendsTheGoodbyeFrameThenCloses) {
  handler_.frame_hook = [](FakeSession& session, std::string frame,
                           std::function<void(Status)> done) {
    session.sink().send("ack:" + frame);
    if (frame == "bye") session.sink().close(R"({"type":"goodbye","code":"shutdown"})");
    done(ok());
  };
  start();
  auto connection = connect("agent-leaving");
  ASSERT_TRUE(connection);
  ASSERT_TRUE(connection->send("bye", 5s));

  auto ack = connection->receive(5s);
  ASSERT_TRUE(ack) << ack.error().message;
  EXPECT_EQ(*ack, "ack:bye");
  auto goodbye = connection->receive(5s);
  ASSERT_TRUE(goodbye) << goodbye.error().message;
  EXPECT_EQ(*goodbye, R"({"type":"goodbye","code":"shutdown"})");
  EXPECT_TRUE(closed_with(connection->receive(5s), "code 1000"));
  EXPECT_TRUE(closed_with(connection->receive(1s), "code 1000")) << "the end is sticky";
  auto sent = connection->send("anyone?", 1s);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().reason, agent::kChannelClosed);

  auto session = handler_.session();
  ASSERT_TRUE(eventually([&] { return session->closes() == 1; }));
  EXPECT_NE(session->close_reason().find("server_closed"), std::string::npos);
  EXPECT_FALSE(session->sink().send("after close"));
  session->sink().close("again");  // idempotent
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(session->closes(), 1);
}

TEST_F(ChannelTest, ARefusedOpenSendsAGoodbyeAndNeverOpensASession) {
  handler_.open_hook = [](const gateway::PeerCertificate& peer, gateway::ChannelSink&) -> Status {
    Error refusal = permission_denied("agent " + peer.common_name + " is revoked");
    refusal.reason = "revoked";
    return refusal;
  };
  start();
  auto connection = connect("agent-gone");
  ASSERT_TRUE(connection);
  auto goodbye = connection->receive(5s);
  ASSERT_TRUE(goodbye) << goodbye.error().message;
  EXPECT_EQ(*goodbye,
            R"({"type":"goodbye","code":"revoked","message":"agent agent-gone is revoked"})");
  EXPECT_TRUE(closed_with(connection->receive(5s), "code 1008"));
  EXPECT_EQ(handler_.opens(), 0u);
  EXPECT_EQ(metric(R"(sentinel_agent_channel_refused_total{reason="open_refused"})"), 1);
  EXPECT_TRUE(eventually([&] { return listener_->connection_count() == 0; }));
}

TEST_F(ChannelTest, ASessionErrorClosesTheConnection) {
  handler_.frame_hook = [](FakeSession&, std::string frame, std::function<void(Status)> done) {
    done(frame == "bad" ? Status(invalid_argument("events[0].seq: must follow 41")) : ok());
  };
  start();
  auto connection = connect("agent-confused");
  ASSERT_TRUE(connection);
  ASSERT_TRUE(connection->send("good", 5s));
  ASSERT_TRUE(connection->send("bad", 5s));
  (void)connection->send("ignored", 5s);
  EXPECT_TRUE(closed_with(connection->receive(5s), "code 1008"));
  auto session = handler_.session();
  ASSERT_TRUE(eventually([&] { return session->closes() == 1; }));
  EXPECT_NE(session->close_reason().find("must follow 41"), std::string::npos)
      << session->close_reason();
  EXPECT_EQ(session->frame_count(), 2u);
  EXPECT_EQ(session->frames_after_close(), 0);
}

TEST_F(ChannelTest, ADroppedDoneClosesInsteadOfHanging) {
  handler_.frame_hook = [](FakeSession&, std::string, std::function<void(Status)>) {};
  start();
  auto connection = connect("agent-forgotten");
  ASSERT_TRUE(connection);
  ASSERT_TRUE(connection->send("lost", 5s));
  EXPECT_TRUE(closed_with(connection->receive(5s), "code 1008"));
  auto session = handler_.session();
  ASSERT_TRUE(eventually([&] { return session->closes() == 1; }));
  EXPECT_NE(session->close_reason().find("session_error"), std::string::npos);
}

TEST_F(ChannelTest, AFullSendQueueClosesTheConnection) {
  options_.send_queue_frames = 4;
  start();
  auto connection = connect("agent-deaf");  // reads at most one frame ahead; the test reads none
  ASSERT_TRUE(connection);
  ASSERT_TRUE(eventually([&] { return handler_.opens() == 1; }));
  auto session = handler_.session();

  const std::string big(1 << 20, 'x');
  int accepted = 0;
  while (accepted < 1000 && session->sink().send(big)) ++accepted;
  EXPECT_LT(accepted, 1000) << "the queue never filled";
  EXPECT_FALSE(session->sink().send("more"));

  ASSERT_TRUE(eventually([&] { return session->closes() == 1; }));
  EXPECT_NE(session->close_reason().find("send_queue_full"), std::string::npos)
      << session->close_reason();
  for (int i = 0; i <= accepted + 1; ++i) {
    auto received = connection->receive(5s);
    if (!received) {
      EXPECT_EQ(received.error().reason, agent::kChannelClosed) << received.error().message;
      break;
    }
  }
  EXPECT_FALSE(connection->is_open());
  EXPECT_EQ(metric(R"(sentinel_agent_channel_closes_total{reason="send_queue_full"})"), 1);
}

TEST_F(ChannelTest, ASilentClientIsClosedAtTheIdleTimeout) {
  options_.idle_timeout_s = 1;
  start();
  const IssuedCertificate cert = client_cert("agent-silent");
  auto client = RawTlsClient::connect(port_, pki_->ca_file(), cert.cert_file, cert.key_file);
  ASSERT_TRUE(client);
  ASSERT_EQ(client->upgrade("/agent/v1/channel").rfind("HTTP/1.1 101", 0), 0u);
  const auto upgraded = std::chrono::steady_clock::now();

  EXPECT_TRUE(client->read_until_closed(kUntilTheServerCloses).has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - upgraded, 900ms) << "closed before the timeout";
  ASSERT_TRUE(eventually([&] { return handler_.session() && handler_.session()->closes() == 1; }));
  EXPECT_NE(handler_.session()->close_reason().find("idle_timeout"), std::string::npos)
      << handler_.session()->close_reason();
}

TEST_F(ChannelTest, AClientThatNeverUpgradesIsClosedAtTheHandshakeTimeout) {
  options_.handshake_timeout_s = 1;
  start();
  const IssuedCertificate cert = client_cert("agent-mute");
  auto client = RawTlsClient::connect(port_, pki_->ca_file(), cert.cert_file, cert.key_file);
  ASSERT_TRUE(client);
  EXPECT_TRUE(client->read_until_closed(kUntilTheServerCloses).has_value());
  EXPECT_TRUE(eventually([&] { return listener_->connection_count() == 0; }));
  EXPECT_EQ(handler_.opens(), 0u);
}

TEST_F(ChannelTest, StopClosesSessionsOnce) {
  start();
  auto connection = connect("agent-cut");
  ASSERT_TRUE(connection);
  ASSERT_TRUE(eventually([&] { return handler_.opens() == 1; }));
  auto session = handler_.session();
  listener_->stop();
  EXPECT_EQ(session->closes(), 1);
  EXPECT_TRUE(closed_with(connection->receive(5s), ""));
  EXPECT_FALSE(session->sink().send("after stop"));
}

}  // namespace
}  // namespace sentinel::test
