// Parses arbitrary bytes as a firewall policy. Whatever parses is validated (with a cut-off
// context), compiled, serialized, diffed and evaluated, and must keep the invariants the server
// and the agent rely on: compiling is deterministic, no text from the document starts an nft
// line of its own, a document does not differ from itself and survives its canonical JSON.

#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "sentinel/firewall/nft_compiler.h"
#include "sentinel/firewall/policy_diff.h"
#include "sentinel/firewall/policy_parser.h"
#include "sentinel/firewall/policy_validator.h"
#include "sentinel/firewall/ruleset.h"

namespace {

using namespace sentinel::firewall;

void require(bool condition) {
  if (!condition) std::abort();
}

bool is_rule_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == ':' || c == '-';
}

// A rule line ends in comment "ID" with an id of rule-id characters only.
bool ends_with_rule_comment(std::string_view line) {
  if (line.empty() || line.back() != '"') return false;
  const auto open = line.rfind(" comment \"");
  if (open == std::string_view::npos) return false;
  const std::string_view id = line.substr(open + 10, line.size() - open - 11);
  if (id.empty()) return false;
  for (char c : id) {
    if (!is_rule_id_char(c)) return false;
  }
  return true;
}

// Every line is one the compiler means to write: structure, a fixed rule, a comment line, or
// a rule line carrying its rule id. An injected line (a comment or name that broke out of its
// place) fails this.
void check_nft_lines(const std::string& text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    require(byte >= 0x20 || c == '\n' || c == '\t');
    require(byte != 0x7f);
  }
  std::istringstream in(text);
  bool in_chain = false;
  for (std::string line; std::getline(in, line);) {
    const std::string_view view(line);
    if (view.starts_with("\tchain ")) {
      in_chain = true;
      continue;
    }
    if (in_chain && view == "\t}") {
      in_chain = false;
      continue;
    }
    if (!in_chain) {
      require(view == "table inet sentinel {}" || view == "delete table inet sentinel" ||
              view == "table inet sentinel {" || view == "}" || view == "\t}" ||
              view.starts_with("\tset ") || view.starts_with("\tlimit ") ||
              view.starts_with("\t\ttype ") || view.starts_with("\t\tflags ") ||
              view.starts_with("\t\trate ") || view.starts_with("\t\telements = { ") ||
              view.starts_with("\t\t\t     "));
      continue;
    }
    require(view.starts_with("\t\t"));
    require(
        view.starts_with("\t\t# ") || view.starts_with("\t\ttype filter hook ") ||
        view == "\t\tip saddr @block_v4 drop" || view == "\t\tip6 saddr @block_v6 drop" ||
        view == "\t\tct state established,related accept" || view == "\t\tct state invalid drop" ||
        view == "\t\tiif lo accept" || view == "\t\toif lo accept" ||
        view.starts_with("\t\ticmpv6 type { nd-router-solicit") || ends_with_rule_comment(view));
  }
}

void exercise_decide(const Ruleset& ruleset) {
  for (ChainKind kind : kChainKinds) {
    Packet packet;
    packet.source = parse_ip_address("10.0.0.5").value();
    packet.destination_port = 22;
    packet.in_interface = "eth0";
    (void)decide(ruleset.chain(kind), packet);
    packet.family = IpFamily::kV6;
    packet.source = parse_ip_address("2001:db8::5").value();
    packet.protocol = Protocol::kIcmpv6;
    packet.icmp_type = 128;
    packet.in_interface.reset();
    (void)decide(ruleset.chain(kind), packet);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const PolicyParse parsed = parse_policy(text);
  (void)boost::json::serialize(to_json(parsed.problems));

  ValidationContext context;
  context.endpoints.push_back({parse_ip_address("192.0.2.10").value(), 8443, Protocol::kTcp});
  context.endpoints.push_back({parse_ip_address("2001:db8::10").value(), 53, Protocol::kUdp});
  context.agent_address = parse_ip_address("10.0.0.5").value();
  const std::vector<Problem> problems = validate(parsed.document, context);
  bool unresolved = false;
  for (const Problem& problem : problems) unresolved |= problem.code == "unknown_object";

  require(diff_policies(parsed.document, parsed.document).empty());
  exercise_decide(resolve_policy(parsed.document));

  const auto first = compile_nft(parsed.document);
  require(first.has_value() == !unresolved);
  if (first) {
    check_nft_lines(*first);
    const auto second = compile_nft(parsed.document);
    require(second.has_value() && *second == *first);
  }

  if (parsed.ok()) {
    // The canonical JSON reads back as the same document.
    const std::string canonical = boost::json::serialize(to_json(parsed.document));
    const PolicyParse again = parse_policy(canonical);
    require(again.ok());
    require(again.document == parsed.document);
  }
  return 0;
}
