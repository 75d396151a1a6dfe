// The detect service's reader of bus event messages (src/detect/normaliser.h): what a rule sees
// of a stored event, and which messages it refuses.

#include "src/detect/normaliser.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace sentinel::detect {
namespace {

using detection::Field;

std::string host_of(const std::string& agent) { return agent.empty() ? "" : "host-" + agent; }

std::string message(std::string_view type, std::string_view data) {
  return R"({"type":"event","event":{"id":42,"agent_id":"agt_1","seq":7,"time":1700000000123,)"
         R"("type":")" +
         std::string(type) + R"(","data":)" + std::string(data) + "}}";
}

detection::Event read(std::string_view payload) {
  Result<detection::Event> event = normalise(payload, host_of);
  EXPECT_TRUE(event) << (event ? "" : event.error().message);
  return event ? std::move(*event) : detection::Event{};
}

TEST(NormaliserTest, ReadsTheStoredEventAndAddsTypeAgentAndHost) {
  const detection::Event event = read(
      message("log.line",
              R"({"event.category":"authentication","source.ip":"203.0.113.9","user.name":"x"})"));
  EXPECT_EQ(event.id, 42);
  EXPECT_EQ(event.agent_id, "agt_1");
  EXPECT_EQ(event.time_ms, 1700000000123);
  EXPECT_EQ(event.type, "log.line");
  const std::vector<Field> expected = {{"event.category", "authentication"},
                                       {"source.ip", "203.0.113.9"},
                                       {"user.name", "x"},
                                       {"event.type", "log.line"},
                                       {"agent.id", "agt_1"},
                                       {"host.name", "host-agt_1"}};
  EXPECT_EQ(event.fields, expected);
}

TEST(NormaliserTest, FlattensObjectsJoinsScalarArraysAndWritesNumbersAsText) {
  const detection::Event event = read(message(
      "file.changed",
      R"({"file":{"path":"/etc/passwd","hash":{"old":"aa","new":"bb"}},"size":-12,"big":18446744073709551615,)"
      R"("ratio":0.5,"ok":true,"off":false,"gone":null,"tags":["a",1,null,{"x":1},["y"],true],)"
      R"("empty":[],"process.args":["sh","-c","id"]})"));
  const std::vector<Field> expected = {{"file.path", "/etc/passwd"},
                                       {"file.hash.old", "aa"},
                                       {"file.hash.new", "bb"},
                                       {"size", "-12"},
                                       {"big", "18446744073709551615"},
                                       {"ratio", "0.5"},
                                       {"ok", "true"},
                                       {"off", "false"},
                                       {"tags", "a,1,true"},
                                       {"empty", ""},
                                       {"process.args", "sh,-c,id"},
                                       {"event.type", "file.changed"},
                                       {"agent.id", "agt_1"},
                                       {"host.name", "host-agt_1"}};
  EXPECT_EQ(event.fields, expected);
}

TEST(NormaliserTest, KeepsEscapedAndLongStringsWhole) {
  const std::string long_value(100000, 'z');
  const detection::Event event = read(message(
      "log.line", R"({"message":"a \"quoted\" \u00e9 line\n","long":")" + long_value + R"("})"));
  ASSERT_NE(event.find("message"), nullptr);
  EXPECT_EQ(*event.find("message"), "a \"quoted\" \xC3\xA9 line\n");
  ASSERT_NE(event.find("long"), nullptr);
  EXPECT_EQ(*event.find("long"), long_value);
}

TEST(NormaliserTest, GivesInventoryEventsTheirEcsNames) {
  const detection::Event package =
      read(message("package.upgraded", R"({"name":"openssl","from":"3.0.1","to":"3.0.2"})"));
  EXPECT_EQ(*package.find("package.name"), "openssl");
  EXPECT_EQ(*package.find("package.version"), "3.0.2");
  EXPECT_EQ(*package.find("package.previous.version"), "3.0.1");
  EXPECT_EQ(*package.find("event.category"), "package");
  EXPECT_EQ(*package.find("event.action"), "upgraded");

  const detection::Event port =
      read(message("port.opened", R"({"protocol":"tcp","port":8080,"process":"nc"})"));
  EXPECT_EQ(*port.find("server.port"), "8080");
  EXPECT_EQ(*port.find("process.name"), "nc");
  EXPECT_EQ(*port.find("event.action"), "port_opened");

  const detection::Event group =
      read(message("group.changed", R"({"name":"sudo","change":"member_added"})"));
  EXPECT_EQ(*group.find("group.name"), "sudo");
  EXPECT_EQ(*group.find("event.category"), "iam");
  EXPECT_EQ(*group.find("event.action"), "group_member_added");
}

TEST(NormaliserTest, DataDoesNotOverrideWhatItAlreadyNames) {
  const detection::Event event = read(
      message("log.line", R"({"event.type":"from-data","host.name":"web1","agent.id":"agt_x"})"));
  EXPECT_EQ(*event.find("event.type"), "from-data");
  EXPECT_EQ(*event.find("host.name"), "web1");
  EXPECT_EQ(*event.find("agent.id"), "agt_x");
  EXPECT_EQ(event.fields.size(), 3u);
}

TEST(NormaliserTest, IgnoresMembersItDoesNotRead) {
  const detection::Event event =
      read(R"({"type":"event","extra":{"deep":[1,[2,{"x":3}]]},"event":{"note":[{"a":1}],"id":1,)"
           R"("agent_id":"","seq":null,"time":5,"type":"t","data":{"a":"b"},"more":{"c":null}}})");
  EXPECT_EQ(event.id, 1);
  const std::vector<Field> expected = {{"a", "b"}, {"event.type", "t"}, {"agent.id", ""}};
  EXPECT_EQ(event.fields, expected);
}

TEST(NormaliserTest, RefusesWhatIsNotAStoredEvent) {
  const std::vector<std::string> refused = {
      "",
      "not json",
      "[]",
      R"({"type":"event"})",
      R"({"type":"event","event":[]})",
      R"({"type":"event","event":{"id":"1","agent_id":"a","time":1,"type":"t","data":{}}})",
      R"({"type":"event","event":{"id":1.5,"agent_id":"a","time":1,"type":"t","data":{}}})",
      R"({"type":"event","event":{"id":1,"agent_id":7,"time":1,"type":"t","data":{}}})",
      R"({"type":"event","event":{"id":1,"agent_id":"a","type":"t","data":{}}})",
      R"({"type":"event","event":{"id":1,"agent_id":"a","time":1,"type":"t","data":[]}})",
      R"({"type":"event","event":{"id":1,"agent_id":"a","time":1,"type":"t"}})",
      R"({"type":"event","event":{"id":1,"agent_id":"a","time":1,"type":"t","data":{}})",
      R"({"type":"event","event":{"id":1,"agent_id":"a","time":1,"type":"t","data":{}}} x)",
      "{\"type\":\"event\",\"event\":{\"id\":1,\"agent_id\":\"\xff\",\"time\":1,\"type\":\"t\","
      "\"data\":{}}}",
  };
  for (const std::string& payload : refused) {
    Result<detection::Event> event = normalise(payload, host_of);
    ASSERT_FALSE(event) << payload;
    EXPECT_EQ(event.error().code, ErrorCode::kInvalidArgument) << payload;
    EXPECT_FALSE(event.error().message.empty());
  }
}

TEST(NormaliserTest, ANameTheDataGivesTwiceKeepsItsFirstValue) {
  const detection::Event event = read(message("t", R"({"a.b":"first","a":{"b":"second"}})"));
  EXPECT_EQ(*event.find("a.b"), "first");
  EXPECT_EQ(event.fields.size(), 4u);  // with event.type, agent.id and host.name
}

TEST(NormaliserTest, RefusesARepeatedEventOrMemberOfIt) {
  const std::vector<std::string> refused = {
      R"({"event":{"id":1,"agent_id":"a","time":1,"type":"t","data":{}},"event":{}})",
      R"({"event":{"id":1,"id":"x","agent_id":"a","time":1,"type":"t","data":{}}})",
      R"({"event":{"id":1,"agent_id":"a","time":1,"type":"t","data":{},"data":[]}})",
      R"({"event":{"id":1,"agent_id":"a","time":1,"type":"t","type":"u","data":{}}})",
  };
  for (const std::string& payload : refused) {
    Result<detection::Event> event = normalise(payload, host_of);
    ASSERT_FALSE(event) << payload;
    EXPECT_NE(event.error().message.find("repeated"), std::string::npos) << event.error().message;
  }
}

TEST(NormaliserTest, RefusesDataNestedDeeperThanItReads) {
  std::string data;
  for (int i = 0; i < 40; ++i) data += R"({"a":)";
  data += "1";
  for (int i = 0; i < 40; ++i) data += "}";
  EXPECT_FALSE(normalise(message("t", data), host_of));
}

}  // namespace
}  // namespace sentinel::detect
