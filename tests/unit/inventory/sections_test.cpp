// The shared inventory model: item schemas, keys and diffs.

#include "sentinel/inventory/sections.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace sentinel::inventory {
namespace {

boost::json::object parse(std::string_view text) { return boost::json::parse(text).as_object(); }

TEST(InventorySections, KeysOfEachSection) {
  EXPECT_EQ(*section_key("packages", parse(R"({"name":"libc6","arch":"i386"})")), "libc6:i386");
  EXPECT_EQ(*section_key("listening",
                         parse(R"({"protocol":"tcp","address":"::ffff:127.0.0.1","port":80})")),
            "tcp [::ffff:127.0.0.1]:80");
  EXPECT_EQ(*section_key("listening", parse(R"({"protocol":"udp","address":"0.0.0.0","port":68})")),
            "udp 0.0.0.0:68");
  EXPECT_EQ(*section_key("processes", parse(R"({"pid":42,"start_time":1767225600})")),
            "42@1767225600");
  EXPECT_EQ(*section_key("disks", parse(R"({"mount_point":"/srv"})")), "/srv");
  EXPECT_EQ(*section_key("system", parse("{}")), "system");
  auto missing = section_key("packages", parse(R"({"name":"x"})"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().field, "arch");
  EXPECT_EQ(section_key("nope", parse("{}")).error().field, "section");
}

TEST(InventorySections, ValidateItemNamesTheField) {
  const auto package = parse(R"({"name":"a","version":"1","arch":"all","source":"dpkg"})");
  EXPECT_TRUE(validate_item("packages", package));

  auto wrong_type = package;
  wrong_type["version"] = 1;
  auto error = validate_item("packages", wrong_type, "items[3]");
  ASSERT_FALSE(error);
  EXPECT_EQ(error.error().field, "items[3].version");
  EXPECT_EQ(error.error().message, "items[3].version: must be a string");

  auto unknown = package;
  unknown["extra"] = true;
  EXPECT_EQ(validate_item("packages", unknown).error().field, "extra");

  auto bad_source = package;
  bad_source["source"] = "pip";
  EXPECT_EQ(validate_item("packages", bad_source).error().field, "source");

  auto empty_name = package;
  empty_name["name"] = "";
  EXPECT_EQ(validate_item("packages", empty_name).error().field, "name");

  auto port = parse(R"({"protocol":"tcp","address":"0.0.0.0","port":70000,"pid":null,
                        "process":null,"uid":0,"user":"root"})");
  EXPECT_EQ(validate_item("listening", port).error().field, "port");
  port["port"] = 22;
  EXPECT_TRUE(validate_item("listening", port));
  port["pid"] = -1;
  EXPECT_EQ(validate_item("listening", port).error().field, "pid");

  auto group = parse(R"({"name":"sudo","gid":27,"members":["alice",7]})");
  EXPECT_EQ(validate_item("groups", group).error().field, "members[1]");
}

TEST(InventorySections, KeyItemsRefusesDuplicatesAndNonObjects) {
  auto items = boost::json::parse(
                   R"([{"name":"a","version":"1","arch":"all","source":"dpkg"},
                       {"name":"a","version":"2","arch":"all","source":"rpm"}])")
                   .as_array();
  auto keyed = key_items("packages", items);
  ASSERT_FALSE(keyed);
  EXPECT_EQ(keyed.error().field, "items[1]");
  EXPECT_EQ(key_items("packages", boost::json::parse("[1]").as_array()).error().field, "items[0]");
}

TEST(InventorySections, DiffSectionAddedRemovedChangedInKeyOrder) {
  const auto before = boost::json::parse(R"([
      {"name":"root","uid":0,"gid":0,"home":"/root","shell":"/bin/bash"},
      {"name":"bob","uid":1001,"gid":1001,"home":"/home/bob","shell":"/bin/sh"},
      {"name":"carol","uid":1002,"gid":1002,"home":"/home/carol","shell":"/bin/sh"}])")
                          .as_array();
  const auto after = boost::json::parse(R"([
      {"name":"root","uid":0,"gid":0,"home":"/root","shell":"/bin/bash"},
      {"name":"carol","uid":0,"gid":1002,"home":"/home/carol","shell":"/bin/sh"},
      {"name":"alice","uid":1000,"gid":1000,"home":"/home/alice","shell":"/bin/bash"}])")
                         .as_array();
  auto diff = diff_section("users", before, after);
  ASSERT_TRUE(diff) << diff.error().message;
  EXPECT_EQ(diff->at("added").as_array().size(), 1u);
  EXPECT_EQ(diff->at("added").at(0).at("name").as_string(), "alice");
  EXPECT_EQ(diff->at("removed").at(0).at("name").as_string(), "bob");
  ASSERT_EQ(diff->at("changed").as_array().size(), 1u);
  EXPECT_EQ(diff->at("changed").at(0).at("before").at("uid").as_int64(), 1002);
  EXPECT_EQ(diff->at("changed").at(0).at("after").at("uid").as_int64(), 0);

  auto same = diff_section("users", before, before);
  ASSERT_TRUE(same);
  EXPECT_EQ(boost::json::serialize(*same), R"({"added":[],"removed":[],"changed":[]})");
  EXPECT_EQ(diff_section("users", before, boost::json::parse("[{}]").as_array()).error().field,
            "after[0].name");
}

}  // namespace
}  // namespace sentinel::inventory
