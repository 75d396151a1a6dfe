#include "output.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace sentinel::ctl {
namespace {

TEST(OutputTest, CountedTakesThePluralUnlessOne) {
  EXPECT_EQ(counted(0, "host"), "0 hosts");
  EXPECT_EQ(counted(1, "host"), "1 host");
  EXPECT_EQ(counted(2, "open port"), "2 open ports");
}

TEST(OutputTest, DisplayValueShowsCellsAsPeopleReadThem) {
  EXPECT_EQ(display_value("name", boost::json::parse(R"("web-1")")), "web-1");
  EXPECT_EQ(display_value("name", boost::json::parse(R"("")")), "-");
  EXPECT_EQ(display_value("name", boost::json::parse("null")), "-");
  EXPECT_EQ(display_value("enabled", boost::json::parse("true")), "yes");
  EXPECT_EQ(display_value("tags", boost::json::parse(R"(["a","b"])")), "a,b");
  EXPECT_EQ(display_value("created_at", boost::json::parse("1795796049000")),
            "2026-11-27T16:14:09Z");
}

}  // namespace
}  // namespace sentinel::ctl
