#include "sentinel/gateway/request_params.h"

#include <gtest/gtest.h>

namespace sentinel::gateway {
namespace {

Request with_path_param(std::string name, std::string value) {
  Request request;
  request.path_params[std::move(name)] = std::move(value);
  return request;
}

TEST(RequestParamsTest, PositivePathIdReadsTheWholeParameter) {
  EXPECT_EQ(positive_path_id(with_path_param("id", "42"), "scan").value(), 42);
  EXPECT_EQ(positive_path_id(with_path_param("n", "7"), "policy version", "n").value(), 7);
  EXPECT_EQ(positive_path_id(with_path_param("id", "9223372036854775807"), "scan").value(),
            INT64_MAX);
}

TEST(RequestParamsTest, AnythingButAPositiveIntegerNamesNoResource) {
  for (const char* text : {"", "0", "-3", "+3", "4x", " 4", "0x10", "9223372036854775808", "1e3"}) {
    const Result<std::int64_t> id = positive_path_id(with_path_param("id", text), "scan schedule");
    ASSERT_FALSE(id) << text;
    EXPECT_EQ(id.error().code, ErrorCode::kNotFound) << text;
    EXPECT_EQ(id.error().message, "No such scan schedule.") << text;
  }
  EXPECT_FALSE(positive_path_id(with_path_param("id", "5"), "block", "n"));  // another parameter
}

TEST(RequestParamsTest, ClientIsTheRemoteAddressAndUserAgent) {
  Request request;
  request.remote_address = "127.0.0.9";
  request.headers["user-agent"] = "sentinelctl/1.0";
  const auth::ClientInfo client = client_of(request);
  EXPECT_EQ(client.source_address, "127.0.0.9");
  EXPECT_EQ(client.user_agent, "sentinelctl/1.0");
  EXPECT_EQ(client_of(Request{}).user_agent, "");
}

}  // namespace
}  // namespace sentinel::gateway
