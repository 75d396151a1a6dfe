#include "service_label.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace sentinel::ctl {
namespace {

std::string label_of(std::string_view port) {
  return service_label(boost::json::parse(port).as_object());
}

TEST(ServiceLabelTest, NamesAServiceAsNmapPrintsIt) {
  EXPECT_EQ(label_of(R"({"service":{"service":"ssh"},"tunnel":null,"port_name":"ssh"})"), "ssh");
  EXPECT_EQ(label_of(R"({"service":{"service":"http"},"tunnel":"ssl","port_name":"https"})"),
            "ssl/http");
}

TEST(ServiceLabelTest, APortWithoutANamedServiceShowsItsNmapServicesNameAsAGuess) {
  EXPECT_EQ(label_of(R"({"service":null,"tunnel":null,"port_name":"https-alt"})"), "https-alt?");
  EXPECT_EQ(label_of(R"({"service":{"service":"ssl"},"tunnel":null,"port_name":"https-alt"})"),
            "ssl/https-alt?");
  EXPECT_EQ(label_of(R"({"service":{"service":"ssl"},"tunnel":null,"port_name":null})"),
            "ssl/unknown");
  EXPECT_EQ(label_of(R"({"service":null,"tunnel":null,"port_name":null})"), "");
  EXPECT_EQ(label_of(R"({"port":8443})"), "");  // an older server: no port_name
}

}  // namespace
}  // namespace sentinel::ctl
