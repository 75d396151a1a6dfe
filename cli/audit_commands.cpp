// audit list|verify.

#include <array>
#include <boost/json/value.hpp>
#include <iostream>
#include <memory>
#include <optional>

#include "commands.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;

constexpr std::array kAuditColumns = {
    Column{"seq", "SEQ"},         Column{"time", "TIME"},     Column{"actor", "ACTOR"},
    Column{"action", "ACTION"},   Column{"target", "TARGET"}, Column{"source_address", "ADDRESS"},
    Column{"outcome", "OUTCOME"},
};

struct ListArgs {
  std::optional<std::int64_t> limit;
  std::string action;
  std::string actor;
  std::optional<std::int64_t> before;
};

std::string list_path(const ListArgs& args) {
  std::string query;
  auto add = [&query](std::string_view key, const std::string& value) {
    query += (query.empty() ? "?" : "&") + std::string(key) + "=" + url_encode(value);
  };
  if (args.limit) add("limit", std::to_string(*args.limit));
  if (!args.action.empty()) add("action", args.action);
  if (!args.actor.empty()) add("actor", args.actor);
  if (args.before) add("before", std::to_string(*args.before));
  return "/api/v1/audit" + query;
}

int list_audit(Ctl& ctl, const ListArgs& args) {
  const Outcome outcome = ctl.call("GET", list_path(args));
  const int status = ctl.show_list(outcome, kAuditColumns);
  if (outcome.ok() && !ctl.json_output() && outcome.json.is_object()) {
    const auto* next = outcome.json.as_object().if_contains("next_before");
    if (next != nullptr && !next->is_null()) {
      std::cerr << "older entries: add --before " << display_value("next_before", *next) << "\n";
    }
  }
  return status;
}

// Exit status 0 when the chain is intact, 1 when it is broken.
int verify_audit(Ctl& ctl) {
  const Outcome outcome = ctl.call("GET", "/api/v1/audit/verify");
  if (!outcome.ok()) return outcome.exit_code;
  const auto* report = outcome.json.if_object();
  const auto* intact = report != nullptr ? report->if_contains("intact") : nullptr;
  if (intact == nullptr || !intact->is_bool()) {
    std::cerr << "error: the server's verification reply lacks \"intact\"\n";
    return kExitFailed;
  }
  auto field = [report](std::string_view key) {
    const auto* value = report->if_contains(key);
    return value != nullptr ? display_value(key, *value) : std::string("-");
  };
  if (ctl.json_output()) {
    std::cout << pretty_json(outcome.json) << "\n";
  } else if (intact->as_bool()) {
    std::cout << "audit chain intact: " << field("checked") << " entries checked\n";
  } else {
    std::cout << "audit chain BROKEN at entry " << field("first_broken_seq") << ": "
              << field("problem") << "\n";
  }
  return intact->as_bool() ? kExitOk : kExitFailed;
}

}  // namespace

void add_audit_commands(CLI::App& app, Ctl& ctl) {
  auto* audit = app.add_subcommand("audit", "Read and verify the hash-chained audit log");
  audit->require_subcommand(1);

  auto args = std::make_shared<ListArgs>();
  auto* list = audit->add_subcommand("list", "List audit entries, newest first");
  list->add_option("--limit", args->limit, "At most this many entries")->check(CLI::PositiveNumber);
  list->add_option("--action", args->action, "Only actions starting with this, e.g. auth.login");
  list->add_option("--actor", args->actor, "Only entries by this user");
  list->add_option("--before", args->before, "Only entries older than this sequence number");
  on_run(list, ctl, [&ctl, args] { return list_audit(ctl, *args); });

  auto* verify = audit->add_subcommand(
      "verify", "Check the hash chain; exit status 1 and the first broken entry when it is broken");
  on_run(verify, ctl, [&ctl] { return verify_audit(ctl); });
}

}  // namespace sentinel::ctl
