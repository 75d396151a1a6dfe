// bench/firewall_apply.sh's measuring tool: compiles a policy whose address set holds N
// addresses (a feed), writes the nft text and the same addresses as an `ipset restore` file
// for the peers, then times the enforcer applying it, each run in a fresh network namespace
// of its own (unshare(CLONE_NEWNET); run as root). Nothing is sent anywhere.

#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "agent/firewall/firewall_state.h"
#include "agent/firewall/nft_table.h"
#include "sentinel/firewall/nft_compiler.h"
#include "sentinel/firewall/policy_parser.h"

namespace fw = sentinel::firewall;
using sentinel::agent::firewall::FirewallState;
using sentinel::agent::firewall::NftTable;
using Seconds = std::chrono::duration<double>;

namespace {

constexpr const char* kPolicy = R"({"objects": {"address_sets": {"big": {"feed": "big"}}},
  "chains": {"input": {"policy": "accept", "rules": [
    {"id": "drop-big", "source": "big", "action": "drop"},
    {"id": "ssh", "protocol": "tcp", "ports": 22, "action": "accept"}]}}})";

int fail(const std::string& what) {
  std::fprintf(stderr, "firewall_apply_bench: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: firewall_apply_bench ADDRESSES RUNS OUT_DIR\n");
    return 2;
  }
  const long count = std::strtol(argv[1], nullptr, 10);
  const int runs = std::atoi(argv[2]);
  const std::string out = argv[3];
  if (count < 1 || count > 8'000'000 || runs < 1) return fail("bad arguments");

  // Every other address of 10.0.0.0/8, so that no two merge into one interval.
  fw::FeedContents feeds;
  auto& big = feeds["big"];
  std::ofstream ipset(out + "/ipset.txt");
  ipset << "create bench hash:ip family inet hashsize 131072 maxelem " << count * 2 << "\n";
  for (long i = 0; i < count; ++i) {
    const std::uint32_t value = (10u << 24) | static_cast<std::uint32_t>(i * 2);
    big.push_back({{fw::IpFamily::kV4, value}, 32});
    ipset << "add bench " << fw::format_ip_address(big.back().address) << "\n";
  }
  auto parsed = fw::parse_policy(kPolicy);
  if (!parsed.ok()) return fail("the bench policy does not parse");
  const auto compile_start = std::chrono::steady_clock::now();
  auto text = fw::compile_nft(parsed.document, feeds);
  const Seconds compile_time = std::chrono::steady_clock::now() - compile_start;
  if (!text) return fail(text.error().message);
  std::ofstream(out + "/policy.nft") << *text;
  std::printf("compile_s %.3f\n", compile_time.count());

  sentinel::SystemClock clock;
  for (int run = 0; run < runs; ++run) {
    if (::unshare(CLONE_NEWNET) != 0) return fail("unshare(CLONE_NEWNET) needs root");
    auto table = NftTable::create();
    if (!table) return fail(table.error().message);
    // The bare transaction (what `nft -f` does), then the enforcer's whole apply in another
    // fresh namespace: pending file, apply, verify (listing, hash, set sizes).
    auto start = std::chrono::steady_clock::now();
    const auto applied = (*table)->apply(*text);
    const Seconds apply_time = std::chrono::steady_clock::now() - start;
    if (!applied) return fail(applied.error().message);

    if (::unshare(CLONE_NEWNET) != 0) return fail("unshare(CLONE_NEWNET) failed");
    auto fresh = NftTable::create();
    if (!fresh) return fail(fresh.error().message);
    const std::string state_dir = out + "/state-" + std::to_string(run);
    auto state = FirewallState::create(**fresh, clock, state_dir);
    if (!state) return fail(state.error().message);
    start = std::chrono::steady_clock::now();
    auto report = (*state)->begin_apply({1, "bench", *text}, std::chrono::seconds(60));
    const Seconds full_time = std::chrono::steady_clock::now() - start;
    if (!report) return fail(report.error().message);
    start = std::chrono::steady_clock::now();
    auto listing = (*fresh)->listing();
    const Seconds verify_time = std::chrono::steady_clock::now() - start;
    if (!listing) return fail(listing.error().message);
    const auto elements = listing->set_elements["addr_big_v4"];
    if (elements != static_cast<std::size_t>(count)) {
      return fail("the set holds " + std::to_string(elements) + " elements");
    }
    std::printf("apply_s %.3f begin_apply_s %.3f listing_s %.3f elements %zu\n", apply_time.count(),
                full_time.count(), verify_time.count(), elements);
    std::filesystem::remove_all(state_dir);
  }
  return 0;
}
