// User administration: validation, self-protection, last-admin protection, custom roles.

#include "auth_test_fixture.h"

namespace sentinel::auth {
namespace {

using UserAdminTest = AuthServiceTest;

TEST_P(UserAdminTest, CreateValidatesUsernamePasswordAndRoles) {
  NewUser user{"bob", "Bob", Secret("passwordpassword"), {"viewer"}};
  EXPECT_EQ(service_->create_user(admin_, user, client_).error().field, "password");
  user.password = Secret("bob-is-my-name-123");
  EXPECT_EQ(service_->create_user(admin_, user, client_).error().field, "password");
  user.password = Secret(std::string(kUserPassword));
  user.roles = {"wizard"};
  EXPECT_EQ(service_->create_user(admin_, user, client_).error().field, "roles");
  user.roles = {};
  EXPECT_EQ(service_->create_user(admin_, user, client_).error().field, "roles");
  user.roles = {"viewer"};
  user.username = "bob smith";
  EXPECT_EQ(service_->create_user(admin_, user, client_).error().field, "username");
  user.username = "bob";
  auto created = service_->create_user(admin_, user, client_);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->display_name, "Bob");
  auto duplicate = service_->create_user(admin_, user, client_);
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict);
  EXPECT_EQ(duplicate.error().field, "username");
  auto users = service_->list_users();
  ASSERT_TRUE(users);
  EXPECT_EQ(users->size(), 2u);
}

TEST_P(UserAdminTest, NobodyDisablesOrDeletesThemselves) {
  UserUpdate disable;
  disable.disabled = true;
  EXPECT_EQ(service_->update_user(admin_, admin_.user_id, disable, client_).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(service_->delete_user(admin_, admin_.user_id, client_).error().code,
            ErrorCode::kInvalidArgument);
}

TEST_P(UserAdminTest, TheLastEnabledAdminStays) {
  const UserView second = make_user("root2", {"admin"});
  const Principal root2 = session_for("root2");
  UserUpdate demote;
  demote.roles = std::vector<std::string>{"viewer"};
  // Two admins: one may be demoted.
  ASSERT_TRUE(service_->update_user(root2, admin_.user_id, demote, client_));
  // Now root2 is the last one: nobody can demote, disable or delete it.
  make_user("helper", {"viewer"});
  UserUpdate disable;
  disable.disabled = true;
  EXPECT_EQ(service_->update_user(root2, second.id, demote, client_).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(service_->update_user(root2, second.id, disable, client_).error().code,
            ErrorCode::kInvalidArgument);  // self
  Principal other_admin = root2;
  other_admin.user_id = -1;  // an admin acting on root2 from elsewhere (e.g. a token of a peer)
  EXPECT_EQ(service_->update_user(other_admin, second.id, disable, client_).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(service_->delete_user(other_admin, second.id, client_).error().code,
            ErrorCode::kConflict);
  EXPECT_TRUE(service_->get_user(second.id));
}

TEST_P(UserAdminTest, AdminSetPasswordEndsTheUsersSessions) {
  const UserView bob = make_user("bob", {"viewer"});
  auto outcome = login("bob", kUserPassword);
  ASSERT_TRUE(outcome.result);
  UserUpdate update;
  update.password = Secret("fresh-long-passphrase");
  ASSERT_TRUE(service_->update_user(admin_, bob.id, update, client_));
  EXPECT_FALSE(service_->authenticate_session(outcome.result->session_token, ""));
  EXPECT_TRUE(login("bob", "fresh-long-passphrase").result);
}

TEST_P(UserAdminTest, CustomRolesGrantTheirPermissions) {
  auto role = service_->create_role(
      admin_, {"auditor", "Reads the audit log", {"audit:read", "users:read"}, false}, client_);
  ASSERT_TRUE(role) << role.error().message;
  EXPECT_FALSE(role->builtin);
  EXPECT_EQ(service_->create_role(admin_, {"x", "", {"no:such"}, false}, client_).error().field,
            "permissions");
  EXPECT_EQ(service_->create_role(admin_, {"auditor", "", {}, false}, client_).error().code,
            ErrorCode::kConflict);

  make_user("eve", {"auditor"});
  Principal eve = session_for("eve");
  EXPECT_TRUE(eve.has("audit:read"));
  EXPECT_FALSE(eve.has("users:write"));

  RoleUpdate update;
  update.permissions = std::vector<std::string>{"audit:read"};
  ASSERT_TRUE(service_->update_role(admin_, "auditor", update, client_));
  eve = session_for("eve");
  EXPECT_FALSE(eve.has("users:read"));

  EXPECT_EQ(service_->delete_role(admin_, "auditor", client_).error().code, ErrorCode::kConflict);
  EXPECT_EQ(service_->update_role(admin_, "admin", update, client_).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_->delete_role(admin_, "viewer", client_).error().code,
            ErrorCode::kPermissionDenied);
}

TEST_P(UserAdminTest, IdentityOfAUserIsWhatTheirRolesGrantNow) {
  ASSERT_TRUE(service_->create_role(admin_, {"scan-crew", "", {"scans:read", "scans:write"}, false},
                                    client_));
  const UserView kim = make_user("kim", {"scan-crew"});
  auto identity = service_->identity_of(kim.id);
  ASSERT_TRUE(identity) << identity.error().message;
  EXPECT_EQ(identity->user.id, kim.id);
  EXPECT_FALSE(identity->user.disabled);
  EXPECT_TRUE(identity->permissions.contains("scans:write"));

  // No session involved: a changed role or a disabled flag shows at once.
  RoleUpdate narrowed;
  narrowed.permissions = std::vector<std::string>{"scans:read"};
  ASSERT_TRUE(service_->update_role(admin_, "scan-crew", narrowed, client_));
  UserUpdate disable;
  disable.disabled = true;
  ASSERT_TRUE(service_->update_user(admin_, kim.id, disable, client_));
  identity = service_->identity_of(kim.id);
  ASSERT_TRUE(identity) << identity.error().message;
  EXPECT_FALSE(identity->permissions.contains("scans:write"));
  EXPECT_TRUE(identity->permissions.contains("scans:read"));
  EXPECT_TRUE(identity->user.disabled);

  ASSERT_TRUE(service_->delete_user(admin_, kim.id, client_));
  EXPECT_EQ(service_->identity_of(kim.id).error().code, ErrorCode::kNotFound);
  // A new kim is another user: the old one stays deleted.
  const UserView new_kim = make_user("kim", {"scan-crew"});
  EXPECT_NE(new_kim.id, kim.id);
  EXPECT_EQ(service_->identity_of(kim.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->identity_of(new_kim.id)->user.username, "kim");
}

TEST_P(UserAdminTest, NobodyHandsOutPermissionsTheyLack) {
  ASSERT_TRUE(service_->create_role(
      admin_, {"user-manager", "", {"users:read", "users:write", "roles:read"}, false}, client_));
  make_user("mia", {"user-manager"});
  const Principal mia = session_for("mia");
  NewUser user{"newbie", "", Secret(std::string(kUserPassword)), {"admin"}};
  EXPECT_EQ(service_->create_user(mia, user, client_).error().code, ErrorCode::kPermissionDenied);
  user.roles = {"user-manager"};
  EXPECT_TRUE(service_->create_user(mia, user, client_));
}

TEST_P(UserAdminTest, SettingsNameExistingRolesOnly) {
  EXPECT_EQ(service_->update_settings(admin_, {{"nope"}}, client_).error().field,
            "require_2fa_roles");
  ASSERT_TRUE(service_->update_settings(admin_, {{"admin", "analyst"}}, client_));
  auto settings = service_->settings();
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->require_2fa_roles, (std::vector<std::string>{"admin", "analyst"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, UserAdminTest, ::testing::ValuesIn(test::kBackends));

}  // namespace
}  // namespace sentinel::auth
