// The agent channel codec: every message survives encode -> decode unchanged, and every rule of
// the strict decoders refuses with a message that names the field.

#include "sentinel/protocol/agent_protocol.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

namespace sentinel::protocol {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

json::object object_of(std::string_view text) { return json::parse(text).as_object(); }

Event make_event(std::int64_t seq) {
  return Event{
      .seq = seq,
      .time_ms = 1700000000000 + seq,
      .type = "inventory.packages",
      .data = object_of(R"({"name":"openssl","version":"3.0.11","n":[1,2.5,-3,null,true]})")};
}

template <typename Message>
void expect_agent_round_trip(const Message& message) {
  const std::string frame = encode(AgentMessage(message));
  auto decoded = decode_agent_message(frame);
  ASSERT_TRUE(decoded) << decoded.error().message << " in " << frame;
  ASSERT_TRUE(std::holds_alternative<Message>(*decoded)) << frame;
  EXPECT_EQ(std::get<Message>(*decoded), message) << frame;
  EXPECT_THAT(frame, StartsWith(fmt::format("{{\"type\":\"{}\"", message_type(*decoded))));
}

template <typename Message>
void expect_server_round_trip(const Message& message) {
  const std::string frame = encode(ServerMessage(message));
  auto decoded = decode_server_message(frame);
  ASSERT_TRUE(decoded) << decoded.error().message << " in " << frame;
  ASSERT_TRUE(std::holds_alternative<Message>(*decoded)) << frame;
  EXPECT_EQ(std::get<Message>(*decoded), message) << frame;
  EXPECT_THAT(frame, StartsWith(fmt::format("{{\"type\":\"{}\"", message_type(*decoded))));
}

/// The error of decoding `frame` as an agent message; fails the test when it decodes.
Error agent_error(std::string_view frame) {
  auto decoded = decode_agent_message(frame);
  if (decoded) {
    ADD_FAILURE() << "decoded, expected an error: " << frame;
    return {};
  }
  EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument);
  return decoded.error();
}

Error server_error(std::string_view frame) {
  auto decoded = decode_server_message(frame);
  if (decoded) {
    ADD_FAILURE() << "decoded, expected an error: " << frame;
    return {};
  }
  EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument);
  return decoded.error();
}

std::string events_frame(std::string_view events) {
  return fmt::format(R"({{"type":"events","events":[{}]}})", events);
}

std::string heartbeat_frame(std::string_view cpu) {
  return fmt::format(
      R"({{"type":"heartbeat","time":1,"spool_pending":0,"spool_bytes":0,"rss_bytes":9,"cpu_percent":{}}})",
      cpu);
}

// ---- round trips -----------------------------------------------------------------------------

TEST(AgentProtocolTest, HelloRoundTrips) {
  expect_agent_round_trip(Hello{.protocol = 1,
                                .agent_version = "0.1.0",
                                .hostname = "web-01.example.org",
                                .os = "Debian GNU/Linux 12 (bookworm)",
                                .kernel = "6.1.0-18-amd64",
                                .arch = "x86_64"});
}

TEST(AgentProtocolTest, EventBatchRoundTripsWithNestedData) {
  EventBatch batch;
  for (std::int64_t seq = 41; seq < 44; ++seq) batch.events.push_back(make_event(seq));
  batch.events[1].data = object_of(
      R"({"deep":{"a":[{"b":{"c":"ünïcødé \u0001 \"q\""}}]},"big":18446744073709551615,"neg":-9223372036854775808})");
  expect_agent_round_trip(batch);
}

TEST(AgentProtocolTest, DoublesRoundTripExactly) {
  // Boost.JSON 1.81 alone parses some of these one ulp off; the codec must not.
  for (const double cpu : {0.0, 0.1, 1.3927926388013963e-143, 5.409760742964738e124, 99.99999999,
                           2.2250738585072014e-310, 1e300}) {
    expect_agent_round_trip(Heartbeat{.time_ms = 5,
                                      .spool_pending = 10,
                                      .spool_bytes = 2048,
                                      .rss_bytes = 12 << 20,
                                      .cpu_percent = cpu});
  }
}

TEST(AgentProtocolTest, GapCommandResultAndRenewRoundTrip) {
  expect_agent_round_trip(SpoolGap{.from_seq = 7,
                                   .to_seq = 7000,
                                   .dropped_bytes = 1 << 30,
                                   .first_time_ms = 1700000000000,
                                   .last_time_ms = 1700000009999});
  expect_agent_round_trip(
      CommandResult{.id = "c-1", .ok = true, .result = object_of(R"({"pong":true})")});
  expect_agent_round_trip(CommandResult{.id = "c-2", .ok = true});
  expect_agent_round_trip(
      CommandResult{.id = "c-3", .ok = false, .error = "collector failed:\nno dpkg"});
  expect_agent_round_trip(CommandResult{.id = "c-4", .ok = false});
  expect_agent_round_trip(RenewRequest{
      .csr_pem = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"});
}

TEST(AgentProtocolTest, ServerMessagesRoundTrip) {
  expect_server_round_trip(Welcome{.agent_id = "a1b2",
                                   .next_seq = 42,
                                   .heartbeat_s = 15,
                                   .config = object_of(R"({"inventory":{"interval_s":3600}})")});
  expect_server_round_trip(Welcome{.agent_id = "a1b2", .next_seq = 1, .heartbeat_s = 1});
  expect_server_round_trip(Ack{.seq = 9007199254740993});
  expect_server_round_trip(
      Command{.id = "cmd-9", .name = "set_config", .args = object_of(R"({"log_level":"debug"})")});
  expect_server_round_trip(Renewed{.certificate_pem = "-----BEGIN CERTIFICATE-----\nMIIC\n"});
  expect_server_round_trip(Goodbye{.code = "revoked", .message = "agent revoked by admin"});
  expect_server_round_trip(Goodbye{.code = "shutdown", .message = ""});
}

TEST(AgentProtocolTest, FrameShapesAreSnakeCaseWithTypeFirst) {
  EXPECT_EQ(
      encode(AgentMessage(SpoolGap{1, 2, 3, 4, 5})),
      R"({"type":"gap","from_seq":1,"to_seq":2,"dropped_bytes":3,"first_time":4,"last_time":5})");
  EXPECT_EQ(encode(ServerMessage(Ack{7})), R"({"type":"ack","seq":7})");
  EventBatch batch{{Event{.seq = 3, .time_ms = 4, .type = "a.b", .data = object_of(R"({"x":1})")}}};
  EXPECT_EQ(encode(AgentMessage(batch)),
            R"({"type":"events","events":[{"seq":3,"time":4,"type":"a.b","data":{"x":1}}]})");
  EXPECT_EQ(encode(AgentMessage(CommandResult{.id = "i", .ok = false, .error = "e"})),
            R"({"type":"command_result","id":"i","ok":false,"error":"e"})");
}

TEST(AgentProtocolTest, DecodesKeysInAnyOrder) {
  auto decoded = decode_server_message(R"({"seq":5,"type":"ack"})");
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(std::get<Ack>(*decoded).seq, 5);
  EXPECT_TRUE(decode_server_message(" \n{\"type\":\"ack\",\"seq\":5}\r\n "));
}

TEST(AgentProtocolTest, NeverEncodesANonFiniteNumber) {
  const std::string frame = encode(AgentMessage(Heartbeat{.cpu_percent = 1.0 / 0.0}));
  auto decoded = decode_agent_message(frame);
  ASSERT_TRUE(decoded) << decoded.error().message << " in " << frame;
  EXPECT_EQ(std::get<Heartbeat>(*decoded).cpu_percent, 0);
}

// ---- frame-level rejections ------------------------------------------------------------------

TEST(AgentProtocolTest, RefusesOversizeFrames) {
  const std::string data(kMaxFrameBytes, ' ');
  EXPECT_THAT(agent_error(R"({"type":"hello"})" + data).message,
              HasSubstr("frame: 4194320 bytes, more than the limit of 4194304"));
}

TEST(AgentProtocolTest, RefusesInvalidUtf8) {
  EXPECT_EQ(agent_error("{\"type\":\"renew\",\"csr\":\"ab\xff\"}").message,
            "csr: invalid UTF-8 at byte 25");
  // Overlong encoding of '/' and a lone surrogate escape.
  EXPECT_THAT(agent_error("{\"type\":\"renew\",\"csr\":\"\xc0\xaf\"}").message,
              HasSubstr("invalid UTF-8"));
  EXPECT_THAT(agent_error(R"({"type":"renew","csr":"\ud800"})").message,
              StartsWith("csr: invalid JSON"));
}

TEST(AgentProtocolTest, RefusesDeepNestingNamingThePath) {
  std::string deep = "1";
  for (int i = 0; i < 14; ++i) deep = "[" + deep + "]";
  // frame(1) events(2) event(3) data(4) + 12 arrays = 16 levels: allowed.
  const std::string ok_frame = events_frame(fmt::format(
      R"({{"seq":1,"time":0,"type":"t","data":{{"x":{}}}}})", deep.substr(2, deep.size() - 4)));
  EXPECT_TRUE(decode_agent_message(ok_frame)) << ok_frame;
  const std::string frame =
      events_frame(fmt::format(R"({{"seq":1,"time":0,"type":"t","data":{{"x":{}}}}})", deep));
  EXPECT_EQ(agent_error(frame).message,
            "events[0].data.x[0][0][0][0][0][0][0][0][0][0][0][0]: nested deeper than 16 levels of "
            "arrays and objects");
  // A million brackets are refused without recursing through them.
  EXPECT_THAT(agent_error(std::string(1000000, '[')).message, HasSubstr("nested deeper than 16"));
}

TEST(AgentProtocolTest, RefusesDuplicateKeysAnywhere) {
  EXPECT_EQ(agent_error(R"({"type":"renew","csr":"a","csr":"b"})").message, "csr: duplicate key");
  EXPECT_EQ(agent_error(events_frame(R"({"seq":1,"time":0,"type":"t","data":{"a":{"x":1,"x":2}}})"))
                .message,
            "events[0].data.a.x: duplicate key");
  EXPECT_EQ(
      agent_error(events_frame(R"({"seq":1,"time":0,"type":"t","data":{"a b\n":1,"a b\n":2}})"))
          .message,
      R"(events[0].data["a b\n"]: duplicate key)");
}

TEST(AgentProtocolTest, RefusesWhatIsNotOneObjectWithAKnownType) {
  EXPECT_EQ(agent_error("").message, "frame: empty, expected a JSON object");
  EXPECT_EQ(agent_error("[1]").message, "frame: must be a JSON object");
  EXPECT_THAT(agent_error(R"({"type":"ack","seq":1} {})").message,
              StartsWith("frame: invalid JSON"));
  EXPECT_THAT(agent_error(R"({"type":"ack",)").message, StartsWith("frame: invalid JSON"));
  EXPECT_EQ(agent_error(R"({"seq":1})").message, "type: required");
  EXPECT_EQ(agent_error(R"({"type":7})").message, "type: must be a string");
  Error unknown = agent_error(R"({"type":"evnts"})");
  EXPECT_EQ(unknown.message, R"(type: unknown agent message type "evnts")");
  EXPECT_EQ(unknown.field, "type");
  // Server messages are not agent messages and the other way round.
  EXPECT_EQ(agent_error(R"({"type":"ack","seq":1})").message,
            R"(type: unknown agent message type "ack")");
  EXPECT_EQ(server_error(encode(AgentMessage(RenewRequest{"x"}))).message,
            R"(type: unknown server message type "renew")");
  EXPECT_THAT(agent_error(R"({"type":"evnts\u0000)" + std::string(200, 'x') + "\"}").message,
              HasSubstr(R"("evnts\u0000xxxx)"));
}

TEST(AgentProtocolTest, RefusesHugeAndNonFiniteNumbers) {
  EXPECT_EQ(agent_error(heartbeat_frame("1e400")).message, "cpu_percent: number too large");
  EXPECT_EQ(
      agent_error(events_frame(R"({"seq":1,"time":0,"type":"t","data":{"v":[-1e999]}})")).message,
      "events[0].data.v[0]: number too large");
}

// ---- message rules ---------------------------------------------------------------------------

TEST(AgentProtocolTest, RefusesUnknownMissingAndMistypedFields) {
  const std::string hello =
      R"({"type":"hello","protocol":1,"agent_version":"0.1.0","hostname":"h","os":"","kernel":"k","arch":"x")";
  EXPECT_TRUE(decode_agent_message(hello + "}"));
  Error unknown = agent_error(hello + R"(,"extra":1})");
  EXPECT_EQ(unknown.message, "extra: unknown field");
  EXPECT_EQ(unknown.field, "extra");
  EXPECT_EQ(agent_error(R"({"type":"hello","protocol":1})").message, "agent_version: required");
  EXPECT_EQ(agent_error(R"({"type":"hello","protocol":"1"})").message,
            "protocol: must be an integer");
  EXPECT_EQ(agent_error(R"({"type":"hello","protocol":1.0})").message,
            "protocol: must be an integer");
  EXPECT_EQ(agent_error(R"({"type":"hello","protocol":0})").message,
            "protocol: must be at least 1");
  EXPECT_EQ(agent_error(R"({"type":"hello","protocol":2147483648})").message,
            "protocol: must be at most 2147483647");
  EXPECT_EQ(agent_error(R"({"type":"command_result","id":"x","ok":1})").message,
            "ok: must be true or false");
  EXPECT_EQ(agent_error(R"({"type":"command_result","id":"x","ok":true,"result":[]})").message,
            "result: must be an object");
}

TEST(AgentProtocolTest, RefusesOverlongAndControlCharacterStrings) {
  const auto hello = [](std::string_view version, std::string_view hostname) {
    return fmt::format(
        R"({{"type":"hello","protocol":1,"agent_version":"{}","hostname":"{}","os":"o","kernel":"k","arch":"a"}})",
        version, hostname);
  };
  EXPECT_TRUE(decode_agent_message(hello(std::string(64, '1'), std::string(253, 'h'))));
  EXPECT_EQ(agent_error(hello(std::string(65, '1'), "h")).message,
            "agent_version: longer than 64 bytes");
  EXPECT_EQ(agent_error(hello("1", std::string(254, 'h'))).message,
            "hostname: longer than 253 bytes");
  EXPECT_EQ(agent_error(hello("1", "")).message, "hostname: must not be empty");
  EXPECT_EQ(agent_error(hello("1", R"(h\nx)")).message,
            "hostname: must not contain control characters");
  EXPECT_EQ(agent_error(R"({"type":"renew","csr":""})").message, "csr: must not be empty");
  EXPECT_EQ(
      agent_error(fmt::format(R"({{"type":"renew","csr":"{}"}})", std::string(16385, 'c'))).message,
      "csr: longer than 16384 bytes");
  EXPECT_EQ(agent_error(fmt::format(R"({{"type":"command_result","id":"{}","ok":true}})",
                                    std::string(65, 'i')))
                .message,
            "id: longer than 64 bytes");
  EXPECT_EQ(
      agent_error(fmt::format(R"({{"type":"command_result","id":"i","ok":false,"error":"{}"}})",
                              std::string(1025, 'e')))
          .message,
      "error: longer than 1024 bytes");
}

TEST(AgentProtocolTest, EventBatchesMustBeConsecutiveBoundedAndWellTyped) {
  const auto event = [](std::int64_t seq, std::string_view type = "t",
                        std::string_view data = "{}") {
    return fmt::format(R"({{"seq":{},"time":1,"type":"{}","data":{}}})", seq, type, data);
  };
  Error gap = agent_error(
      events_frame(fmt::format("{},{},{},{}", event(38), event(39), event(40), event(42))));
  EXPECT_EQ(gap.message, "events[3].seq: must be 41 (consecutive)");
  EXPECT_EQ(gap.field, "events[3].seq");
  EXPECT_EQ(agent_error(events_frame(fmt::format("{},{}", event(5), event(5)))).message,
            "events[1].seq: must be 6 (consecutive)");
  EXPECT_EQ(agent_error(events_frame(event(0))).message, "events[0].seq: must be at least 1");
  EXPECT_EQ(
      agent_error(events_frame(fmt::format("{},{}", event(9223372036854775807), event(1)))).message,
      "events[1].seq: must be none (consecutive)");
  EXPECT_EQ(agent_error(events_frame("")).message, "events: must hold 1 to 1000 events, got 0");
  std::string many;
  for (int i = 1; i <= 1001; ++i) many += (i > 1 ? "," : "") + event(i);
  EXPECT_EQ(agent_error(events_frame(many)).message,
            "events: must hold 1 to 1000 events, got 1001");
  EXPECT_EQ(agent_error(R"({"type":"events","events":{}})").message, "events: must be an array");
  EXPECT_EQ(agent_error(events_frame("7")).message, "events[0]: must be an object");
  EXPECT_EQ(agent_error(events_frame(event(1, "Inventory"))).message,
            "events[0].type: must match [a-z0-9_.]{1,64}");
  EXPECT_EQ(agent_error(events_frame(event(1, std::string(65, 'a')))).message,
            "events[0].type: longer than 64 bytes");
  EXPECT_EQ(agent_error(events_frame(event(1, "t", "[]"))).message,
            "events[0].data: must be an object");
  EXPECT_EQ(agent_error(events_frame(R"({"seq":1,"time":-1,"type":"t","data":{}})")).message,
            "events[0].time: must be at least 0");
  EXPECT_EQ(agent_error(events_frame(R"({"seq":1,"time":0,"type":"t","data":{},"x":0})")).message,
            "events[0].x: unknown field");
}

TEST(AgentProtocolTest, EventDataIsLimitedBySerialisedSize) {
  // The limit counts the compact serialisation: escapes count, whitespace does not.
  const std::size_t room = kMaxEventBytes - std::string(R"({"s":""})").size();
  const auto frame = [](std::string_view value, std::string_view padding) {
    return events_frame(
        fmt::format(R"({{"seq":1,"time":0,"type":"t","data":{{"s":"{}"{}}}}})", value, padding));
  };
  EXPECT_TRUE(decode_agent_message(frame(std::string(room, 'a'), std::string(1000, ' '))));
  EXPECT_EQ(agent_error(frame(std::string(room + 1, 'a'), "")).message,
            "events[0].data: larger than 1048576 bytes serialised");
  EXPECT_EQ(agent_error(frame(std::string(room - 1, 'a') + "\\n", "")).message,
            "events[0].data: larger than 1048576 bytes serialised");
}

TEST(AgentProtocolTest, GapAndHeartbeatNumbersAreInRange) {
  EXPECT_EQ(
      agent_error(
          R"({"type":"gap","from_seq":5,"to_seq":4,"dropped_bytes":0,"first_time":0,"last_time":0})")
          .message,
      "to_seq: must be at least from_seq (5)");
  EXPECT_EQ(
      agent_error(
          R"({"type":"gap","from_seq":0,"to_seq":4,"dropped_bytes":0,"first_time":0,"last_time":0})")
          .message,
      "from_seq: must be at least 1");
  EXPECT_EQ(
      agent_error(
          R"({"type":"gap","from_seq":1,"to_seq":4,"dropped_bytes":-1,"first_time":0,"last_time":0})")
          .message,
      "dropped_bytes: must be at least 0");
  EXPECT_EQ(
      agent_error(
          R"({"type":"gap","from_seq":1,"to_seq":18446744073709551615,"dropped_bytes":0,"first_time":0,"last_time":0})")
          .message,
      "to_seq: must be at most 9223372036854775807");
  EXPECT_TRUE(decode_agent_message(heartbeat_frame("12")));
  EXPECT_TRUE(decode_agent_message(heartbeat_frame("0.25")));
  EXPECT_EQ(agent_error(heartbeat_frame("-0.5")).message, "cpu_percent: must be at least 0");
  EXPECT_EQ(agent_error(heartbeat_frame("\"5\"")).message, "cpu_percent: must be a number");
}

TEST(AgentProtocolTest, CommandResultErrorAndResultDependOnOk) {
  EXPECT_EQ(agent_error(R"({"type":"command_result","id":"x","ok":true,"error":"e"})").message,
            "error: only allowed when ok is false");
  EXPECT_EQ(agent_error(R"({"type":"command_result","id":"x","ok":false,"result":{}})").message,
            "result: only allowed when ok is true");
  EXPECT_EQ(agent_error(R"({"type":"command_result","id":"","ok":false})").message,
            "id: must not be empty");
}

TEST(AgentProtocolTest, ServerMessageRules) {
  EXPECT_EQ(server_error(R"({"type":"ack","seq":0})").message, "seq: must be at least 1");
  EXPECT_EQ(
      server_error(R"({"type":"welcome","agent_id":"a","next_seq":1,"heartbeat_s":0,"config":{}})")
          .message,
      "heartbeat_s: must be at least 1");
  EXPECT_EQ(
      server_error(R"({"type":"welcome","agent_id":"a","next_seq":1,"heartbeat_s":5})").message,
      "config: required");
  EXPECT_EQ(server_error(R"({"type":"command","id":"1","name":"Ping!","args":{}})").message,
            "name: must match [a-z0-9_.]{1,64}");
  EXPECT_EQ(server_error(R"({"type":"goodbye","code":"","message":""})").message,
            "code: must not be empty");
  EXPECT_EQ(server_error(
                fmt::format(R"({{"type":"renewed","certificate":"{}"}})", std::string(16385, 'c')))
                .message,
            "certificate: longer than 16384 bytes");
}

TEST(AgentProtocolTest, ParseEventDataAppliesTheFrameRules) {
  auto data = parse_event_data(R"({"a":[1,{"b":2.5}]})");
  ASSERT_TRUE(data) << data.error().message;
  EXPECT_EQ(json::serialize(*data), R"({"a":[1,{"b":2.5E0}]})");
  EXPECT_EQ(parse_event_data("[]").error().message, "data: must be a JSON object");
  EXPECT_EQ(parse_event_data(R"({"a":1,"a":1})").error().message, "data.a: duplicate key");
  EXPECT_THAT(parse_event_data("{\"a\":\"\xfe\"}").error().message,
              StartsWith("data.a: invalid UTF-8"));
  std::string deep = "1";
  for (std::size_t i = 0; i + 1 < kMaxEventDataDepth; ++i) deep = "[" + deep + "]";
  EXPECT_TRUE(parse_event_data(R"({"x":)" + deep + "}"));
  EXPECT_THAT(parse_event_data(R"({"x":[)" + deep + "]}").error().message,
              HasSubstr("nested deeper than 13 levels"));
  EXPECT_EQ(parse_event_data(fmt::format(R"({{"s":"{}"}})", std::string(kMaxEventBytes, 'a')))
                .error()
                .message,
            "data: larger than 1048576 bytes serialised");
  EXPECT_TRUE(validate_event_type("agent.spool_dropped"));
  EXPECT_EQ(validate_event_type("a-b").error().message, "type: must match [a-z0-9_.]{1,64}");
}

}  // namespace
}  // namespace sentinel::protocol
