// The enforcer worker as the agent runs it: a confined child (nobody, CAP_NET_ADMIN only,
// seccomp profile `firewall`) in a network namespace made by the test, driven over its socket
// with the channel's commands. The filter must let real nftables work through, and the child
// must hold nothing more than the ADR allows.

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/firewall/firewall_worker.h"
#include "agent/firewall/worker_protocol.h"
#include "agent/sandbox/sandbox.h"
#include "sentinel/common/crypto.h"
#include "sentinel/firewall/nft_compiler.h"
#include "sentinel/firewall/policy_parser.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/agent/firewall/netns_child.h"
#include "tests/unit/firewall/firewall_sample_policy.h"

namespace sentinel::agent::firewall {
namespace {

using test::ChildChecks;
namespace json = boost::json;

std::string compile(std::string_view policy) {
  auto parsed = sentinel::firewall::parse_policy(policy);
  if (!parsed.ok()) return "invalid policy";
  auto text = sentinel::firewall::compile_nft(parsed.document);
  return text ? *text : "uncompilable policy";
}

std::string nft_list(const std::vector<std::string>& what) {
  std::vector<std::string> argv = {"nft", "list"};
  argv.insert(argv.end(), what.begin(), what.end());
  auto output = sentinel::test::run_command(argv, {}, {}, std::chrono::seconds(30));
  return output && output->exit_code == 0 ? output->out : "";
}

// The line of /proc/PID/status that starts with `key`, without the key.
std::string proc_status(int pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) == 0) {
      std::string value = line.substr(key.size() + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      return value;
    }
  }
  return "";
}

Result<json::object> ask(int fd, const std::string& name, const json::object& args) {
  SENTINEL_TRY(write_frame(fd, encode_request({name, args})));
  SENTINEL_ASSIGN(frame, read_frame(fd, std::chrono::seconds(60)));
  return decode_response(frame);
}

TEST(FirewallWorkerNetns, TheConfinedWorkerEnforcesWithNetAdminOnly) {
  RUN_IN_NEW_NETNS([](ChildChecks& checks) {
    sentinel::test::TempDir dir("fw-worker");
    const std::string state_dir = (dir.path() / "firewall").string();
    SandboxOptions options;
    options.firewall = true;
    options.working_dir = state_dir;
    ::chmod(dir.path().c_str(), 0700);  // closed to nobody: the worker needs its working dir
    const Status prepared = prepare_state_dir(state_dir, options);
    CHILD_CHECK(checks, prepared, (prepared ? "" : prepared.error().message));
    auto child = spawn_confined([](int fd) { return run_firewall_worker(fd, "."); }, options);
    CHILD_CHECK(checks, child, (child ? "" : child.error().message));
    if (!child) return;
    const int fd = child->output_fd;

    auto recovered = ask(fd, "recover", {});
    CHILD_CHECK(checks, recovered, (recovered ? "" : recovered.error().message));
    // Once it answers it is confined: nobody, CAP_NET_ADMIN (bit 12) and nothing else, even in
    // the bounding set.
    const passwd* nobody = ::getpwnam("nobody");
    const std::string uid = nobody ? std::to_string(nobody->pw_uid) : "?";
    CHILD_CHECK(checks, proc_status(child->pid, "Uid").rfind(uid + "\t", 0) == 0,
                proc_status(child->pid, "Uid"));
    CHILD_CHECK(checks, proc_status(child->pid, "CapEff") == "0000000000001000",
                proc_status(child->pid, "CapEff"));
    CHILD_CHECK(checks, proc_status(child->pid, "CapBnd") == "0000000000001000",
                proc_status(child->pid, "CapBnd"));
    CHILD_CHECK(checks, proc_status(child->pid, "Seccomp") == "2", "no seccomp filter");
    CHILD_CHECK(checks, proc_status(child->pid, "NoNewPrivs") == "1", "");

    const std::string nft = compile(sentinel::firewall::test::kSamplePolicy);
    auto applied = ask(fd, "firewall_apply",
                       json::object{{"policy_id", "sample"},
                                    {"version", 1},
                                    {"document_hash", crypto::sha256_hex("sample")},
                                    {"nft", nft},
                                    {"grace_s", 600}});
    CHILD_CHECK(checks, applied, (applied ? "" : applied.error().message));
    if (!applied) return;
    CHILD_CHECK(checks, applied->at("listing_hash").as_string().size() == 64, "");
    CHILD_CHECK(checks,
                nft_list({"table", "inet", "sentinel"}).find("chain input") != std::string::npos,
                "the table is not in the kernel");
    auto confirmed = ask(fd, "firewall_confirm", json::object{{"version", 1}});
    CHILD_CHECK(checks, confirmed, (confirmed ? "" : confirmed.error().message));
    struct stat file {};
    CHILD_CHECK(checks,
                ::stat((state_dir + "/confirmed.json").c_str(), &file) == 0 && nobody != nullptr &&
                    file.st_uid == nobody->pw_uid,
                "confirmed.json is not the worker's");

    auto blocked = ask(fd, "firewall_block",
                       json::object{{"addresses", json::array{"192.0.2.33", "2001:db8::33"}},
                                    {"duration_s", 600}});
    CHILD_CHECK(checks, blocked && blocked->at("added").as_int64() == 2,
                (blocked ? json::serialize(*blocked) : blocked.error().message));
    CHILD_CHECK(
        checks,
        nft_list({"set", "inet", "sentinel", "block_v4"}).find("192.0.2.33") != std::string::npos,
        "the block is not in the kernel");

    // nft refuses this one: the error comes back and the worker, and the table, go on.
    auto refused = ask(fd, "firewall_apply",
                       json::object{{"policy_id", "sample"},
                                    {"version", 2},
                                    {"document_hash", crypto::sha256_hex("broken")},
                                    {"nft", nft + "add rule inet sentinel input jump nowhere\n"},
                                    {"grace_s", 600}});
    CHILD_CHECK(checks, !refused && refused.error().message.find("Error") != std::string::npos,
                (refused ? "applied" : refused.error().message));
    auto status = ask(fd, "firewall_status", {});
    CHILD_CHECK(checks, status, (status ? "" : status.error().message));
    if (status) {
      CHILD_CHECK(checks, status->at("confirmed_version") == 1, json::serialize(*status));
      CHILD_CHECK(checks, status->at("pending_version").is_null(), json::serialize(*status));
      CHILD_CHECK(checks, status->at("listing_hash") == applied->at("listing_hash"), "");
      CHILD_CHECK(checks, status->at("blocks").as_array().size() == 2, json::serialize(*status));
    }
    auto maintained = ask(fd, "maintain", json::object{{"drift", true}});
    CHILD_CHECK(checks, maintained && maintained->at("events").as_array().empty(),
                (maintained ? json::serialize(*maintained) : maintained.error().message));

    ::shutdown(fd, SHUT_WR);
    const Status ended = finish_confined(*child, false, options);
    CHILD_CHECK(checks, ended, (ended ? "" : ended.error().message));
  });
}

}  // namespace
}  // namespace sentinel::agent::firewall
