// Disabling or deleting a user ends that user's sessions and API tokens at once.

#include <gtest/gtest.h>

#include "tests/integration/api_fixture.h"

namespace sentinel::test {
namespace {

using boost::json::object;

class UserLifecycleTest : public ApiTest {
 protected:
  struct Alice {
    std::int64_t id = 0;
    client::ApiClient session;
    client::ApiClient token;
  };

  /// Alice, signed in with a session and holding an API token; both work.
  Alice alice(client::ApiClient& root) {
    const std::string password = "Wonder-Long-Password-3307";
    const std::int64_t id = create_user(root, "alice", password, "analyst");
    client::ApiClient session = anonymous();
    EXPECT_EQ(login(session, "alice", password).status, 200);
    auto created = session.post("/api/v1/tokens", object{{"name", "alice-script"}});
    EXPECT_TRUE(created);
    EXPECT_EQ(created->status, 201) << created->body;
    client::ApiClient token = anonymous();
    token.set_bearer_token(Secret(std::string(body_of(*created).at("token").as_string())));
    EXPECT_EQ(token.get("/api/v1/auth/me")->status, 200);
    EXPECT_EQ(session.get("/api/v1/auth/me")->status, 200);
    return Alice{id, std::move(session), std::move(token)};
  }
};

TEST_P(UserLifecycleTest, DisablingAUserEndsSessionsAndTokensAtOnce) {
  client::ApiClient root = admin();
  Alice user = alice(root);
  auto disabled =
      root.patch("/api/v1/users/" + std::to_string(user.id), object{{"disabled", true}});
  ASSERT_TRUE(disabled);
  ASSERT_EQ(disabled->status, 200) << disabled->body;
  EXPECT_EQ(user.session.get("/api/v1/auth/me")->status, 401);
  EXPECT_EQ(user.token.get("/api/v1/auth/me")->status, 401);
  EXPECT_EQ(login(user.session, "alice", "Wonder-Long-Password-3307").status, 401);
}

TEST_P(UserLifecycleTest, DeletingAUserEndsSessionsAndTokensAtOnce) {
  client::ApiClient root = admin();
  Alice user = alice(root);
  auto deleted = root.del("/api/v1/users/" + std::to_string(user.id));
  ASSERT_TRUE(deleted);
  ASSERT_LT(deleted->status, 300) << deleted->body;
  EXPECT_EQ(user.session.get("/api/v1/auth/me")->status, 401);
  EXPECT_EQ(user.token.get("/api/v1/auth/me")->status, 401);
  EXPECT_EQ(root.get("/api/v1/users/" + std::to_string(user.id))->status, 404);
}

TEST_P(UserLifecycleTest, TokenCarriesOnlyASubsetOfItsOwnersPermissions) {
  client::ApiClient root = admin();
  auto created =
      root.post("/api/v1/tokens",
                object{{"name", "read-users"}, {"permissions", boost::json::array{"users:read"}}});
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  client::ApiClient scoped = anonymous();
  scoped.set_bearer_token(Secret(std::string(body_of(*created).at("token").as_string())));
  EXPECT_EQ(scoped.get("/api/v1/users")->status, 200);
  EXPECT_EQ(scoped.get("/api/v1/audit")->status, 403);
  EXPECT_EQ(scoped.post("/api/v1/users", object{{"username", "x"}})->status, 403);

  // A viewer cannot mint a token with permissions the viewer does not have.
  create_user(root, "vera", "Truth-Long-Password-8812", "viewer");
  client::ApiClient vera = anonymous();
  ASSERT_EQ(login(vera, "vera", "Truth-Long-Password-8812").status, 200);
  auto escalate =
      vera.post("/api/v1/tokens",
                object{{"name", "escalate"}, {"permissions", boost::json::array{"users:write"}}});
  ASSERT_TRUE(escalate);
  EXPECT_EQ(escalate->status / 100, 4) << escalate->body;
  EXPECT_NE(escalate->status, 201);

  // Revoked tokens stop working.
  const auto id = body_of(*created).at("id").to_number<std::int64_t>();
  EXPECT_LT(root.del("/api/v1/tokens/" + std::to_string(id))->status, 300);
  EXPECT_EQ(scoped.get("/api/v1/users")->status, 401);
}

TEST_P(UserLifecycleTest, WeakPasswordsAreRefusedWithTheField) {
  client::ApiClient root = admin();
  for (const std::string password : {"short-pw", "passwordpassword", "carol-carol-carol-1"}) {
    auto reply = root.post("/api/v1/users", object{{"username", "carol"},
                                                   {"password", password},
                                                   {"roles", boost::json::array{"viewer"}}});
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 400) << password << ": " << reply->body;
    ASSERT_TRUE(reply->api_error()) << reply->body;
    EXPECT_EQ(reply->api_error()->field, "password") << password;
  }
  // Nothing was written.
  auto users = root.get("/api/v1/users");
  EXPECT_EQ(users->body.find("carol"), std::string::npos);
}

SENTINEL_BOTH_BACKENDS(UserLifecycleTest);

}  // namespace
}  // namespace sentinel::test
