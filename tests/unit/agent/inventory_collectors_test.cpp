// The inventory collectors on the fixture tree tests/data/inventory/ (a fake /proc, /sys, /etc and
// dpkg database) and on this machine, against what dpkg-query and ss print.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <utmp.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <string>

#include "agent/collectors/inventory/collectors.h"
#include "agent/collectors/inventory/inventory.h"
#include "agent/collectors/inventory/parsers.h"
#include "agent/collectors/inventory/system_files.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace sentinel::agent::inventory {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(SENTINEL_TEST_DATA) / "inventory";

SystemRoots fixture_roots() {
  SystemRoots roots;
  roots.proc = kFixtures / "proc";
  roots.sys = kFixtures / "sys";
  roots.etc = kFixtures / "etc";
  roots.dpkg_status = kFixtures / "dpkg" / "status";
  roots.utmp = kFixtures / "no-utmp";
  roots.os_release = kFixtures / "etc" / "os-release";
  roots.rpm.clear();
  return roots;
}

boost::json::array collect(std::string_view section, const SystemRoots& roots) {
  auto items = collect_section(section, roots);
  EXPECT_TRUE(items) << section << ": " << items.error().message;
  if (!items) return {};
  // Whatever a collector produces must be what the server accepts.
  auto keyed = sentinel::inventory::key_items(section, *items);
  EXPECT_TRUE(keyed) << section << ": " << keyed.error().message;
  return items ? std::move(*items) : boost::json::array();
}

const boost::json::object* find_item(const boost::json::array& items, std::string_view section,
                                     std::string_view key) {
  for (const auto& item : items) {
    auto item_key = section_key(section, item.as_object());
    if (item_key && *item_key == key) return &item.as_object();
  }
  return nullptr;
}

std::set<std::string> keys_of(const boost::json::array& items, std::string_view section) {
  std::set<std::string> keys;
  for (const auto& item : items) keys.insert(*section_key(section, item.as_object()));
  return keys;
}

// ---- fixtures ------------------------------------------------------------------------------

TEST(InventoryCollectors, SystemFromFixture) {
  const auto items = collect("system", fixture_roots());
  ASSERT_EQ(items.size(), 1u);
  const auto& system = items[0].as_object();
  EXPECT_EQ(system.at("hostname").as_string(), "fixture-host");
  EXPECT_EQ(system.at("kernel").as_string(), "6.1.0-18-amd64");
  EXPECT_EQ(system.at("os_name").as_string(), "Debian GNU/Linux");
  EXPECT_EQ(system.at("os_version").as_string(), "12 (bookworm)");
  EXPECT_EQ(system.at("os_id").as_string(), "debian");
  EXPECT_EQ(system.at("os_pretty_name").as_string(), "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(system.at("cpu_model").as_string(), "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz");
  EXPECT_EQ(system.at("cpu_cores").as_int64(), 2);
  EXPECT_EQ(system.at("memory_bytes").as_int64(), 8052096LL * 1024);
  EXPECT_EQ(system.at("boot_time").as_int64(), 1767225600);
  utsname names{};
  ::uname(&names);
  EXPECT_EQ(system.at("arch").as_string(), names.machine);
}

TEST(InventoryCollectors, OsReleaseQuoting) {
  const auto values = parse_os_release(
      "NAME=\"Fedora Linux\"\nID=fedora\n# comment\nVARIANT='Server Edition'\n"
      "PRETTY_NAME=\"A \\\"quoted\\\" name\"\nbroken line\n");
  EXPECT_EQ(values.at("NAME"), "Fedora Linux");
  EXPECT_EQ(values.at("ID"), "fedora");
  EXPECT_EQ(values.at("VARIANT"), "Server Edition");
  EXPECT_EQ(values.at("PRETTY_NAME"), "A \"quoted\" name");
  EXPECT_EQ(values.size(), 4u);
}

TEST(InventoryCollectors, DpkgStatusInstalledOnlyWithUpdatesApplied) {
  const auto items = collect("packages", fixture_roots());
  EXPECT_EQ(keys_of(items, "packages"), (std::set<std::string>{"base-files:amd64", "epoch-pkg:all",
                                                               "libc6:amd64", "libc6:i386"}));
  const auto* base = find_item(items, "packages", "base-files:amd64");
  ASSERT_NE(base, nullptr);
  // dpkg/updates/0001 replaces the status record; 0002 purges to-be-removed.
  EXPECT_EQ(base->at("version").as_string(), "12.4+deb12u6");
  EXPECT_EQ(base->at("source").as_string(), "dpkg");
  EXPECT_EQ(find_item(items, "packages", "epoch-pkg:all")->at("version").as_string(),
            "1:2.3~rc1-4");
}

TEST(InventoryCollectors, DpkgRecordsIgnoreContinuationLines) {
  const auto records = parse_dpkg_records(
      "Package: a\nstatus: install ok installed\nDescription: x\n Version: 9\nVersion: 1.0\n"
      "\n\n\nPackage: b\r\nVersion: 2\r\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].version, "1.0");
  EXPECT_EQ(records[0].status, "install ok installed");
  EXPECT_EQ(records[1].package, "b");
  EXPECT_EQ(records[1].version, "2");
}

TEST(InventoryCollectors, RpmOutputKeepsLastOfSeveralVersions) {
  const auto items = parse_rpm_output(
      "bash\t5.1.8-6.el9\tx86_64\nkernel-core\t5.14.0-362.el9\tx86_64\n"
      "kernel-core\t5.14.0-427.el9\tx86_64\nperl-Git\t2.39.3-1.el9\tnoarch\n"
      "openssl\t1:3.0.7-24.el9\tx86_64\nbroken line\n");
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(find_item(items, "packages", "kernel-core:x86_64")->at("version").as_string(),
            "5.14.0-427.el9");
  EXPECT_EQ(find_item(items, "packages", "openssl:x86_64")->at("version").as_string(),
            "1:3.0.7-24.el9");
  EXPECT_EQ(find_item(items, "packages", "bash:x86_64")->at("source").as_string(), "rpm");
}

TEST(InventoryCollectors, ProcessesSkipKernelThreadsAndResolveUsers) {
  const auto items = collect("processes", fixture_roots());
  const long ticks = ::sysconf(_SC_CLK_TCK);
  const std::int64_t nginx_start = 1767225600 + 123456 / ticks;
  EXPECT_EQ(keys_of(items, "processes"),
            (std::set<std::string>{"1@" + std::to_string(1767225600 + 5 / ticks),
                                   "4242@" + std::to_string(nginx_start),
                                   "4300@" + std::to_string(1767225600 + 250000 / ticks)}));
  const auto* nginx = find_item(items, "processes", "4242@" + std::to_string(nginx_start));
  ASSERT_NE(nginx, nullptr);
  EXPECT_EQ(nginx->at("name").as_string(), "nginx: m) (x");
  EXPECT_EQ(nginx->at("cmdline").as_string(), "nginx: master process -g daemon on;");
  EXPECT_EQ(nginx->at("user").as_string(), "www-data");
  EXPECT_EQ(nginx->at("uid").as_int64(), 33);
  EXPECT_EQ(nginx->at("ppid").as_int64(), 1);
  const auto* shell =
      find_item(items, "processes", "4300@" + std::to_string(1767225600 + 250000 / ticks));
  ASSERT_NE(shell, nullptr);
  EXPECT_EQ(shell->at("user").as_string(), "1001");  // not in passwd
  EXPECT_EQ(shell->at("cmdline").as_string(), "-bash --rcfile /home/x/\xEF\xBF\xBD.rc");
}

TEST(InventoryCollectors, CmdlineIsCappedAtFourKiBOnACharacterBoundary) {
  std::string raw(4094, 'a');
  raw += "\xC3\xA9\xC3\xA9";  // "éé" straddles the cap
  raw += '\0';
  const std::string joined = join_cmdline(raw);
  EXPECT_EQ(joined.size(), 4096u);
  EXPECT_EQ(joined.substr(4094), "\xC3\xA9");
}

TEST(InventoryCollectors, ProcStatCommandNameWithParentheses) {
  const auto stat =
      parse_proc_stat("77 (a) b (c)) R 1 77 77 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 999 0 0");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->comm, "a) b (c)");
  EXPECT_EQ(stat->ppid, 1);
  EXPECT_EQ(stat->start_ticks, 999u);
  EXPECT_FALSE(parse_proc_stat("77 (short) R 1"));
}

TEST(InventoryCollectors, ListeningFromFixtureWithOwners) {
  const auto items = collect("listening", fixture_roots());
  EXPECT_EQ(keys_of(items, "listening"),
            (std::set<std::string>{"tcp 0.0.0.0:22", "tcp 127.0.0.1:3306", "tcp [::]:22",
                                   "tcp [::ffff:127.0.0.1]:8080", "tcp [::1]:25",
                                   "udp 127.0.0.53:53", "udp 0.0.0.0:68"}));
  const auto* ssh = find_item(items, "listening", "tcp 0.0.0.0:22");
  ASSERT_NE(ssh, nullptr);
  EXPECT_EQ(ssh->at("pid").as_int64(), 1);
  EXPECT_EQ(ssh->at("process").as_string(), "systemd");
  EXPECT_EQ(ssh->at("user").as_string(), "root");
  // Two sockets on 127.0.0.1:3306 (SO_REUSEPORT) are one item.
  const auto* mysql = find_item(items, "listening", "tcp 127.0.0.1:3306");
  ASSERT_NE(mysql, nullptr);
  EXPECT_EQ(mysql->at("pid").as_int64(), 4242);
  EXPECT_EQ(mysql->at("user").as_string(), "www-data");
  const auto* mapped = find_item(items, "listening", "tcp [::ffff:127.0.0.1]:8080");
  ASSERT_NE(mapped, nullptr);
  EXPECT_EQ(mapped->at("process").as_string(), "nginx: m) (x");
  // No process holds the inode of [::]:22 here: the owner is unknown, the user is not.
  const auto* ssh6 = find_item(items, "listening", "tcp [::]:22");
  ASSERT_NE(ssh6, nullptr);
  EXPECT_TRUE(ssh6->at("pid").is_null());
  EXPECT_TRUE(ssh6->at("process").is_null());
  EXPECT_EQ(find_item(items, "listening", "udp 127.0.0.53:53")->at("user").as_string(),
            "systemd-resolve");
}

TEST(InventoryCollectors, ProcNetRejectsMalformedRows) {
  auto parsed =
      parse_proc_net("header\n   0: 0100007F:ZZZZ 00000000:0000 0A 0 0 0 0 0 1\n", "tcp", false);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("line 2"), std::string::npos) << parsed.error().message;
}

TEST(InventoryCollectors, InterfacesFromSysWithAddresses) {
  const std::vector<InterfaceAddress> addresses = {{"eth0", "192.0.2.10/24"},
                                                   {"eth0", "2001:db8::10/64"},
                                                   {"lo", "127.0.0.1/8"},
                                                   {"lo", "::1/128"},
                                                   {"gone0", "10.9.9.9/8"}};
  auto items = interfaces_from(fixture_roots(), addresses);
  ASSERT_TRUE(items) << items.error().message;
  ASSERT_EQ(items->size(), 3u);  // bonding_masters is a file, not an interface
  const auto* eth0 = find_item(*items, "interfaces", "eth0");
  ASSERT_NE(eth0, nullptr);
  EXPECT_EQ(eth0->at("mac").as_string(), "52:54:00:12:34:56");
  EXPECT_EQ(eth0->at("mtu").as_int64(), 1500);
  EXPECT_TRUE(eth0->at("up").as_bool());
  EXPECT_EQ(boost::json::serialize(eth0->at("addresses")),
            R"(["192.0.2.10/24","2001:db8::10/64"])");
  EXPECT_FALSE(find_item(*items, "interfaces", "eth1")->at("up").as_bool());
  EXPECT_TRUE(find_item(*items, "interfaces", "eth1")->at("addresses").as_array().empty());
}

TEST(InventoryCollectors, RealMountsOnlyLastMountOnAPointWins) {
  const auto text = read_file(kFixtures / "proc" / "self" / "mounts");
  ASSERT_TRUE(text);
  const auto mounts = parse_real_mounts(*text);
  std::vector<std::string> points;
  for (const MountEntry& mount : mounts) points.push_back(mount.mount_point);
  EXPECT_EQ(points, (std::vector<std::string>{"/", "/fixture/boot/efi", "/mnt/with space",
                                              "/fixture/srv"}));
  EXPECT_EQ(mounts.back().device, "/dev/vdc2");
  EXPECT_EQ(mounts[2].fs_type, "nfs4");
}

TEST(InventoryCollectors, DisksMeasureMountedFilesystems) {
  const auto items = collect("disks", fixture_roots());
  // Only "/" of the fixture's mount points exists on this machine.
  ASSERT_EQ(items.size(), 1u);
  const auto& root = items[0].as_object();
  EXPECT_EQ(root.at("mount_point").as_string(), "/");
  EXPECT_EQ(root.at("device").as_string(), "/dev/vda1");
  EXPECT_GT(root.at("total_bytes").as_int64(), 0);
  EXPECT_LE(root.at("free_bytes").as_int64(), root.at("total_bytes").as_int64());
}

TEST(InventoryCollectors, UsersAndGroupsFromAccountFiles) {
  const auto users = collect("users", fixture_roots());
  EXPECT_EQ(keys_of(users, "users"),
            (std::set<std::string>{"root", "daemon", "www-data", "systemd-resolve", "alice"}));
  const auto* root = find_item(users, "users", "root");
  EXPECT_EQ(root->at("uid").as_int64(), 0);  // the first of two "root" lines
  EXPECT_EQ(root->at("home").as_string(), "/root");
  EXPECT_EQ(find_item(users, "users", "alice")->at("shell").as_string(), "/bin/bash");

  const auto groups = collect("groups", fixture_roots());
  EXPECT_EQ(keys_of(groups, "groups"),
            (std::set<std::string>{"root", "sudo", "www-data", "adm", "alice"}));
  EXPECT_EQ(boost::json::serialize(find_item(groups, "groups", "sudo")->at("members")),
            R"(["alice","bob"])");
  EXPECT_TRUE(find_item(groups, "groups", "root")->at("members").as_array().empty());
}

// A utmp file with one live login, one stale one (no such process), one logout record.
std::string utmp_bytes() {
  const auto record = [](short type, pid_t pid, const char* user, const char* line,
                         const char* host, std::int32_t login) {
    utmp entry{};
    entry.ut_type = type;
    entry.ut_pid = pid;
    std::strncpy(entry.ut_user, user, sizeof entry.ut_user);
    std::strncpy(entry.ut_line, line, sizeof entry.ut_line);
    std::strncpy(entry.ut_host, host, sizeof entry.ut_host);
    entry.ut_tv.tv_sec = login;
    return std::string(reinterpret_cast<const char*>(&entry), sizeof entry);
  };
  return record(BOOT_TIME, 0, "reboot", "~", "6.1.0", 1767225600) +
         record(USER_PROCESS, 4300, "alice", "pts/0", "198.51.100.7", 1767229200) +
         record(USER_PROCESS, 999999, "bob", "pts/1", "", 1767229300) +
         record(DEAD_PROCESS, 4242, "", "pts/2", "", 1767229400) + std::string(10, '\x01');
}

TEST(InventoryCollectors, SessionsFromUtmpRecords) {
  test::TempDir dir("sentinel-utmp");
  SystemRoots roots = fixture_roots();
  roots.utmp = dir.path() / "utmp";
  std::ofstream(roots.utmp, std::ios::binary) << utmp_bytes();

  EXPECT_EQ(parse_utmp(utmp_bytes()).size(), 2u);  // the USER_PROCESS records
  const auto items = collect("sessions", roots);
  ASSERT_EQ(items.size(), 1u);  // bob's process 999999 is gone
  const auto& alice = items[0].as_object();
  EXPECT_EQ(alice.at("user").as_string(), "alice");
  EXPECT_EQ(alice.at("tty").as_string(), "pts/0");
  EXPECT_EQ(alice.at("host").as_string(), "198.51.100.7");
  EXPECT_EQ(alice.at("login_time").as_int64(), 1767229200);
  EXPECT_EQ(*section_key("sessions", alice), "alice pts/0 1767229200");

  roots.utmp = dir.path() / "missing";
  EXPECT_TRUE(collect("sessions", roots).empty());
}

TEST(InventoryCollectors, CollectAllReportsFailedSectionsApart) {
  SystemRoots roots = fixture_roots();
  roots.etc = kFixtures / "no-such-etc";
  const Snapshot snapshot = collect_all(roots);
  EXPECT_TRUE(snapshot.sections.contains("packages"));
  EXPECT_TRUE(snapshot.sections.contains("processes"));
  EXPECT_FALSE(snapshot.sections.contains("users"));
  EXPECT_FALSE(snapshot.sections.contains("groups"));
  ASSERT_TRUE(snapshot.errors.contains("users"));
  EXPECT_NE(snapshot.errors.at("users").find("passwd"), std::string::npos);

  auto round_trip = snapshot_from_json(to_json(snapshot));
  ASSERT_TRUE(round_trip) << round_trip.error().message;
  EXPECT_EQ(round_trip->sections, snapshot.sections);
  EXPECT_EQ(round_trip->errors, snapshot.errors);
}

TEST(InventoryCollectors, SnapshotFromJsonIsStrict) {
  auto bad = snapshot_from_json(boost::json::parse(
      R"({"sections":{"packages":[{"name":"a","version":"1","arch":"all"}]},"errors":{}})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "sections.packages[0].source");
  EXPECT_FALSE(snapshot_from_json(boost::json::parse(R"({"sections":{"bogus":[]},"errors":{}})")));
  EXPECT_EQ(collect_section("bogus", fixture_roots()).error().code, ErrorCode::kInvalidArgument);
}

TEST(InventoryCollectors, JsonSafeTextReplacesInvalidUtf8AndNul) {
  EXPECT_EQ(json_safe_text("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(json_safe_text(std::string("a\0b", 3)),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(json_safe_text("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong
  EXPECT_EQ(json_safe_text("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(json_safe_text("abcdef", 4), "abcd");
}

// ---- this machine --------------------------------------------------------------------------

std::optional<std::string> run(const std::vector<std::string>& argv) {
  if (::access(argv[0].c_str(), X_OK) != 0) return std::nullopt;
  auto output = test::run_command(argv);
  if (!output || output->exit_code != 0) return std::nullopt;
  return output->out;
}

TEST(InventoryCollectorsLive, PackagesEqualDpkgQuery) {
  const auto printed = run({"/usr/bin/dpkg-query", "-W", "-f",
                            "${db:Status-Abbrev}${Package} ${Version} ${Architecture}\n"});
  if (!printed) GTEST_SKIP() << "no dpkg-query on this machine";
  std::multiset<std::string> expected;
  for (std::string_view line : split_lines(*printed)) {
    if (line.starts_with("ii ")) expected.insert(std::string(line.substr(3)));
  }
  ASSERT_FALSE(expected.empty());

  SystemRoots roots;
  roots.rpm.clear();
  const auto items = collect("packages", roots);
  std::multiset<std::string> collected;
  for (const auto& item : items) {
    const auto& package = item.as_object();
    collected.insert(std::string(package.at("name").as_string()) + " " +
                     std::string(package.at("version").as_string()) + " " +
                     std::string(package.at("arch").as_string()));
  }
  EXPECT_EQ(collected, expected);
}

// A TCP listener on `address` port 0 (the kernel picks), closed with the test.
class Listener {
 public:
  Listener(int family, const char* address, bool v6only = true) {
    fd_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (family == AF_INET) {
      auto* in = reinterpret_cast<sockaddr_in*>(&storage);
      in->sin_family = AF_INET;
      ::inet_pton(AF_INET, address, &in->sin_addr);
      length = sizeof *in;
    } else {
      const int flag = v6only ? 1 : 0;
      ::setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &flag, sizeof flag);
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
      in6->sin6_family = AF_INET6;
      ::inet_pton(AF_INET6, address, &in6->sin6_addr);
      length = sizeof *in6;
    }
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&storage), length) != 0 || ::listen(fd_, 4) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&storage), &length);
    port_ = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&storage)->sin_port
                                    : reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
  }
  ~Listener() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// "address port" pairs from `ss -ltnH`: brackets dropped, "*" (a dual-stack wildcard) is "::",
// an interface suffix ("%lo") dropped.
std::set<std::string> ss_listeners() {
  const auto printed = run({"/usr/bin/ss", "-ltnH"});
  if (!printed) return {};
  std::set<std::string> pairs;
  for (std::string_view line : split_lines(*printed)) {
    const auto fields = split_fields(line);
    if (fields.size() < 4) continue;
    const std::string_view local = fields[3];
    const std::size_t colon = local.rfind(':');
    std::string address(local.substr(0, colon));
    const std::string port(local.substr(colon + 1));
    if (const std::size_t percent = address.find('%'); percent != std::string::npos) {
      address.erase(percent);
    }
    if (address.size() >= 2 && address.front() == '[')
      address = address.substr(1, address.size() - 2);
    if (address == "*") address = "::";
    pairs.insert(address + " " + port);
  }
  return pairs;
}

TEST(InventoryCollectorsLive, TcpListenersEqualSs) {
  if (::access("/usr/bin/ss", X_OK) != 0) GTEST_SKIP() << "no ss on this machine";
  Listener v4(AF_INET, "127.0.0.1");
  Listener v6(AF_INET6, "::1");
  Listener mapped(AF_INET6, "::ffff:127.0.0.1", false);
  ASSERT_TRUE(v4.ok());
  std::set<std::string> ours = {"127.0.0.1 " + std::to_string(v4.port())};
  if (v6.ok()) ours.insert("::1 " + std::to_string(v6.port()));
  if (mapped.ok()) ours.insert("::ffff:127.0.0.1 " + std::to_string(mapped.port()));

  // Other programs on this machine open and close listeners meanwhile: what both ss runs saw
  // must be collected, and what was collected must have been seen by one of them.
  const auto before = ss_listeners();
  const auto items = collect("listening", SystemRoots{});
  const auto after = ss_listeners();
  std::set<std::string> collected;
  for (const auto& item : items) {
    const auto& socket = item.as_object();
    if (socket.at("protocol").as_string() != "tcp") continue;
    collected.insert(std::string(socket.at("address").as_string()) + " " +
                     std::to_string(socket.at("port").as_int64()));
  }
  for (const std::string& pair : ours) {
    EXPECT_TRUE(before.contains(pair)) << "ss does not show our listener " << pair;
    EXPECT_TRUE(collected.contains(pair)) << "not collected: " << pair;
  }
  for (const std::string& pair : before) {
    if (after.contains(pair)) {
      EXPECT_TRUE(collected.contains(pair)) << "missed " << pair;
    }
  }
  for (const std::string& pair : collected) {
    EXPECT_TRUE(before.contains(pair) || after.contains(pair)) << "ss never showed " << pair;
  }
  // Our own sockets are ours: the owner is this process, by inode.
  for (const auto& item : items) {
    const auto& socket = item.as_object();
    if (socket.at("port").as_int64() != v4.port() ||
        socket.at("address").as_string() != "127.0.0.1") {
      continue;
    }
    ASSERT_FALSE(socket.at("pid").is_null());
    EXPECT_EQ(socket.at("pid").as_int64(), ::getpid());
  }
}

TEST(InventoryCollectorsLive, ProcessesShowAChildWithItsCommandLine) {
  test::TempDir dir("sentinel-proc");
  auto child = test::ChildProcess::spawn({"/bin/sleep", "30"}, {}, (dir.path() / "log").string());
  ASSERT_TRUE(child) << child.error().message;
  std::optional<boost::json::object> found;
  for (int attempt = 0; attempt < 50 && !found; ++attempt) {
    for (const auto& item : collect("processes", SystemRoots{})) {
      const auto& process = item.as_object();
      if (process.at("pid").as_int64() == child->pid() &&
          process.at("cmdline").as_string() == "/bin/sleep 30") {
        found = process;
      }
    }
    if (!found) ::usleep(20000);  // until the child has exec'd
  }
  ASSERT_TRUE(found) << "child " << child->pid() << " not collected";
  EXPECT_EQ(found->at("name").as_string(), "sleep");
  EXPECT_EQ(found->at("ppid").as_int64(), ::getpid());
  EXPECT_EQ(found->at("uid").as_int64(), ::getuid());
}

TEST(InventoryCollectorsLive, SystemInterfacesDisksUsersOfThisMachine) {
  SystemRoots roots;
  const auto system = collect("system", roots);
  ASSERT_EQ(system.size(), 1u);
  utsname names{};
  ::uname(&names);
  EXPECT_EQ(system[0].as_object().at("kernel").as_string(), names.release);
  EXPECT_GT(system[0].as_object().at("memory_bytes").as_int64(), 0);
  EXPECT_GT(system[0].as_object().at("cpu_cores").as_int64(), 0);

  const auto interfaces = collect("interfaces", roots);
  const auto* lo = find_item(interfaces, "interfaces", "lo");
  ASSERT_NE(lo, nullptr);
  bool loopback = false;
  for (const auto& cidr : lo->at("addresses").as_array())
    loopback |= cidr.as_string() == "127.0.0.1/8";
  EXPECT_TRUE(loopback) << boost::json::serialize(*lo);

  EXPECT_NE(find_item(collect("disks", roots), "disks", "/"), nullptr);
  const auto users = collect("users", roots);
  const auto* root = find_item(users, "users", "root");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->at("uid").as_int64(), 0);
}

}  // namespace
}  // namespace sentinel::agent::inventory
