// The alert route bodies people send (PATCH status/assignee, POST comment): what each body
// changes, and that every refusal names the field the analyst got wrong.

#include "src/alerts/alert_body.h"

#include <gtest/gtest.h>

namespace sentinel::alerts {
namespace {

TEST(AlertBodyTest, UpdateTakesStatusAndAssignee) {
  const auto update = parse_alert_update(R"({"status":"resolved","assignee":"alice"})");
  ASSERT_TRUE(update) << update.error().message;
  EXPECT_EQ(update->status, AlertStatus::kResolved);
  ASSERT_TRUE(update->assignee.has_value());
  EXPECT_EQ(update->assignee->value_or(""), "alice");
}

TEST(AlertBodyTest, UpdateChangesOnlyWhatTheBodyNames) {
  const auto status_only = parse_alert_update(R"({"status":"false_positive"})");
  ASSERT_TRUE(status_only) << status_only.error().message;
  EXPECT_EQ(status_only->status, AlertStatus::kFalsePositive);
  EXPECT_FALSE(status_only->assignee.has_value()) << "the assignee stays as it is";

  const auto unassign = parse_alert_update(R"({"assignee":null})");
  ASSERT_TRUE(unassign) << unassign.error().message;
  EXPECT_FALSE(unassign->status.has_value());
  ASSERT_TRUE(unassign->assignee.has_value()) << "null unassigns";
  EXPECT_FALSE(unassign->assignee->has_value());

  const auto nothing = parse_alert_update("{}");
  ASSERT_TRUE(nothing) << nothing.error().message;
  EXPECT_FALSE(nothing->status.has_value());
  EXPECT_FALSE(nothing->assignee.has_value());
}

TEST(AlertBodyTest, UpdateRefusalsNameTheField) {
  const struct {
    const char* body;
    const char* field;
  } cases[] = {
      {R"({"status":"closed"})", "status"},   {R"({"status":1})", "status"},
      {R"({"status":"RESOLVED"})", "status"}, {R"({"assignee":""})", "assignee"},
      {R"({"assignee":7})", "assignee"},      {R"({"assignee":["alice"]})", "assignee"},
      {R"({"severity":"low"})", "severity"},
  };
  for (const auto& c : cases) {
    const auto update = parse_alert_update(c.body);
    ASSERT_FALSE(update) << c.body;
    EXPECT_EQ(update.error().code, ErrorCode::kInvalidArgument) << c.body;
    EXPECT_EQ(update.error().field, c.field) << c.body << ": " << update.error().message;
  }
  for (const char* body : {"", "[]", R"({"status":"new")", "null", "{\"assignee\":\"\xff\"}"}) {
    const auto update = parse_alert_update(body);
    ASSERT_FALSE(update) << body;
    EXPECT_EQ(update.error().code, ErrorCode::kInvalidArgument) << body;
  }
}

TEST(AlertBodyTest, CommentIsTheTextField) {
  const auto text = parse_alert_comment(R"({"text":"Checked: \u00e9t\u00e9 \"ok\"\nfalse alarm"})");
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "Checked: \xc3\xa9t\xc3\xa9 \"ok\"\nfalse alarm");
}

TEST(AlertBodyTest, CommentRefusalsNameTheField) {
  for (const char* body : {"{}", R"({"text":5})", R"({"text":null})"}) {
    const auto text = parse_alert_comment(body);
    ASSERT_FALSE(text) << body;
    EXPECT_EQ(text.error().code, ErrorCode::kInvalidArgument) << body;
    EXPECT_EQ(text.error().field, "text") << body << ": " << text.error().message;
  }
  const auto extra = parse_alert_comment(R"({"text":"hi","status":"resolved"})");
  ASSERT_FALSE(extra);
  EXPECT_EQ(extra.error().field, "status") << extra.error().message;
  EXPECT_FALSE(parse_alert_comment(R"({"text":"hi")"));
}

}  // namespace
}  // namespace sentinel::alerts
