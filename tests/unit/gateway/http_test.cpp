#include "sentinel/gateway/http.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace sentinel::gateway {
namespace {

TEST(RequestTest, HeaderLookupIgnoresCase) {
  Request request;
  request.headers["x-csrf-token"] = "abc";
  EXPECT_EQ(request.header("X-CSRF-Token"), "abc");
  EXPECT_EQ(request.header("missing"), "");
}

TEST(RequestTest, CookieFindsNamedValue) {
  Request request;
  request.headers["cookie"] = "theme=dark;  sentinel_session=s3cr3t ; other=\"quoted\"";
  EXPECT_EQ(request.cookie("sentinel_session"), "s3cr3t");
  EXPECT_EQ(request.cookie("other"), "quoted");
  EXPECT_EQ(request.cookie("session"), std::nullopt);
  request.headers["cookie"] = "xsentinel_session=1";
  EXPECT_EQ(request.cookie("sentinel_session"), std::nullopt);
}

TEST(RequestTest, QueryAndPathParameters) {
  Request request;
  request.query["limit"] = "10";
  request.path_params["id"] = "42";
  EXPECT_EQ(request.query_param("limit"), "10");
  EXPECT_EQ(request.query_param("q"), std::nullopt);
  EXPECT_EQ(request.path_param("id"), "42");
  EXPECT_EQ(request.path_param("name"), "");
}

TEST(ResponseTest, Helpers) {
  const Response json = Response::json({{"a", 1}}, 201);
  EXPECT_EQ(json.status, 201);
  EXPECT_EQ(json.content_type, "application/json");
  EXPECT_EQ(json.body, R"({"a":1})");
  EXPECT_EQ(Response::no_content().status, 204);
  EXPECT_TRUE(Response::no_content().body.empty());
  EXPECT_EQ(Response::text("hi").content_type, "text/plain; charset=utf-8");
}

TEST(HttpStatusTest, EveryCodeMapsToItsStatus) {
  EXPECT_EQ(http_status(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(http_status(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(http_status(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(http_status(ErrorCode::kNotFound), 404);
  EXPECT_EQ(http_status(ErrorCode::kConflict), 409);
  EXPECT_EQ(http_status(ErrorCode::kPayloadTooLarge), 413);
  EXPECT_EQ(http_status(ErrorCode::kRateLimited), 429);
  EXPECT_EQ(http_status(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(http_status(ErrorCode::kInternal), 500);
}

TEST(ErrorResponseTest, ShapeWithReasonAndField) {
  const Response response = error_response(unauthenticated("code needed", "totp_required"));
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(boost::json::parse(response.body),
            boost::json::parse(R"({"error":{"code":"totp_required","message":"code needed"}})"));
  const Response field = error_response(invalid_argument("too short", "password"));
  EXPECT_EQ(
      boost::json::parse(field.body),
      boost::json::parse(
          R"({"error":{"code":"invalid_argument","message":"too short","field":"password"}})"));
}

TEST(ParseJsonObjectTest, AcceptsKnownFields) {
  auto body = parse_json_object(R"({"username":"ann","password":"x"})", {"username", "password"});
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(body->at("username").as_string(), "ann");
}

TEST(ParseJsonObjectTest, RejectsUnknownFieldNamingIt) {
  auto body = parse_json_object(R"({"username":"ann","is_admin":true})", {"username"});
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(body.error().field, "is_admin");
  EXPECT_NE(body.error().message.find("is_admin"), std::string::npos);
}

TEST(ParseJsonObjectTest, RejectsInvalidUtf8) {
  for (const std::string& body :
       {std::string("{\"a\":\"\xff\"}"), std::string("{\"a\":\"\xc0\xaf\"}"),
        std::string("{\"a\":\"\xed\xa0\x80\"}"), std::string("{\"a\":\"\xf4\x90\x80\x80\"}"),
        std::string("{\"a\":\"\xe2\x82\"}")}) {
    auto parsed = parse_json_object(body, {"a"});
    ASSERT_FALSE(parsed);
    EXPECT_NE(parsed.error().message.find("UTF-8"), std::string::npos) << parsed.error().message;
  }
  EXPECT_TRUE(parse_json_object("{\"a\":\"gr\xc3\xbc\xc3\x9f \xf0\x9f\x94\x92\"}", {"a"}));
}

TEST(ParseJsonObjectTest, RejectsNonObjectsAndBrokenJson) {
  for (const char* body : {"", "  ", "[]", "\"text\"", "42", "null", "{", "{\"a\":1,}",
                           "{\"a\":1} {}", "{'a':1}", "{\"a\":1 /* c */}"}) {
    auto parsed = parse_json_object(body, {"a"});
    ASSERT_FALSE(parsed) << body;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(ParseJsonObjectTest, RejectsDeepNesting) {
  const std::string deep = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_FALSE(parse_json_object(deep, {"a"}));
}

TEST(FieldReaderTest, RequiredString) {
  auto body =
      *parse_json_object(R"({"name":"x","count":3,"nothing":null})", {"name", "count", "nothing"});
  EXPECT_EQ(*required_string(body, "name"), "x");
  auto missing = required_string(body, "password");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "field 'password' is required");
  EXPECT_EQ(missing.error().field, "password");
  EXPECT_FALSE(required_string(body, "nothing"));
  auto wrong = required_string(body, "count");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message, "field 'count' must be a string");
}

TEST(FieldReaderTest, OptionalReaders) {
  auto body = *parse_json_object(
      R"({"s":"x","i":-5,"b":true,"l":["a","b"],"big":18446744073709551615,"f":1.5,"n":null,"bad":["a",1]})",
      {"s", "i", "b", "l", "big", "f", "n", "bad"});
  EXPECT_EQ(**optional_string(body, "s"), "x");
  EXPECT_FALSE(optional_string(body, "absent")->has_value());
  EXPECT_FALSE(optional_string(body, "n")->has_value());
  EXPECT_EQ(optional_string(body, "i").error().message, "field 'i' must be a string");
  EXPECT_EQ(**optional_integer(body, "i"), -5);
  EXPECT_EQ(optional_integer(body, "f").error().message, "field 'f' must be an integer");
  EXPECT_EQ(optional_integer(body, "s").error().field, "s");
  EXPECT_FALSE(optional_integer(body, "big"));
  EXPECT_EQ(**optional_bool(body, "b"), true);
  EXPECT_FALSE(optional_bool(body, "i"));
  EXPECT_EQ(**optional_string_list(body, "l"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(optional_string_list(body, "bad").error().message,
            "field 'bad' must be a list of strings");
  EXPECT_FALSE(optional_string_list(body, "s"));
}

}  // namespace
}  // namespace sentinel::gateway
