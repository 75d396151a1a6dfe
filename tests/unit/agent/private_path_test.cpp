// check_private_path: the agent refuses a data dir or config that another user could change,
// and says how to fix it.

#include "agent/sandbox/private_path.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace sentinel::agent {
namespace {

using ::testing::HasSubstr;

class PrivatePathTest : public ::testing::Test {
 protected:
  std::string make_dir(const std::string& name, mode_t mode) {
    const std::string path = (dir_.path() / name).string();
    EXPECT_EQ(::mkdir(path.c_str(), 0700), 0) << path;
    EXPECT_EQ(::chmod(path.c_str(), mode), 0) << path;
    return path;
  }
  std::string make_file(const std::string& name, mode_t mode) {
    const std::string path = (dir_.path() / name).string();
    std::ofstream(path) << "server: https://example.org\n";
    EXPECT_EQ(::chmod(path.c_str(), mode), 0) << path;
    return path;
  }

  test::TempDir dir_{"private-path-test"};
};

TEST_F(PrivatePathTest, AcceptsPrivateDirectoriesAndFiles) {
  EXPECT_TRUE(check_private_path(make_dir("data", 0700)));
  EXPECT_TRUE(check_private_path(make_dir("shared-read", 0755)));
  EXPECT_TRUE(check_private_path(make_file("agent.yaml", 0600)));
  EXPECT_TRUE(check_private_path(make_file("readable.yaml", 0644)));
}

TEST_F(PrivatePathTest, RefusesGroupOrWorldWritable) {
  const std::string data = make_dir("data", 0770);
  auto group = check_private_path(data);
  ASSERT_FALSE(group);
  EXPECT_EQ(group.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(group.error().message,
              HasSubstr("is group-writable (mode 0770); fix: chmod 700 " + data));
  auto world = check_private_path(make_file("agent.yaml", 0666));
  ASSERT_FALSE(world);
  EXPECT_THAT(world.error().message, HasSubstr("is world-writable (mode 0666); fix: chmod 600"));
}

TEST_F(PrivatePathTest, RefusesAParentOthersCanWriteUnlessSticky) {
  const std::string parent = make_dir("open", 0777);
  const std::string data = parent + "/data";
  ASSERT_EQ(::mkdir(data.c_str(), 0700), 0);
  auto refused = check_private_path(data);
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message,
              HasSubstr("parent directory " + parent + " of " + data + " is writable by others"));
  EXPECT_THAT(refused.error().message, HasSubstr("fix: chmod go-w " + parent));
  // Like /tmp: others cannot rename or delete what is not theirs.
  ASSERT_EQ(::chmod(parent.c_str(), 01777), 0);
  EXPECT_TRUE(check_private_path(data));
}

TEST_F(PrivatePathTest, FollowsSymlinksToWhatTheyReach) {
  const std::string data = make_dir("data", 0770);
  const std::string link = (dir_.path() / "link").string();
  ASSERT_EQ(::symlink(data.c_str(), link.c_str()), 0);
  auto refused = check_private_path(link);
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr(data));
}

TEST_F(PrivatePathTest, RefusesWhatAnotherUserOwns) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file away";
  const std::string data = make_dir("data", 0700);
  ASSERT_EQ(::chown(data.c_str(), 65534, 65534), 0);
  auto refused = check_private_path(data);
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message,
              HasSubstr("is owned by uid 65534, not by this user (uid 0)"));
  EXPECT_THAT(refused.error().message, HasSubstr("fix: chown 0 " + data));
}

TEST_F(PrivatePathTest, AMissingPathIsNotFound) {
  auto missing = check_private_path((dir_.path() / "nope").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace sentinel::agent
