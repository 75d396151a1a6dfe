// firewall feeds list|add|show|remove|refresh: threat-intel feeds (ADR 0006 "Feeds").

#include <array>
#include <boost/json/object.hpp>
#include <iostream>
#include <memory>
#include <optional>

#include "commands.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;

constexpr std::array kFeedColumns = {
    Column{"name", "NAME"},
    Column{"format", "FORMAT"},
    Column{"enabled", "ENABLED"},
    Column{"entries", "ENTRIES"},
    Column{"bad_lines", "SKIPPED"},
    Column{"last_success_at", "LAST SUCCESS"},
    Column{"last_error", "LAST ERROR"},
    Column{"source", "SOURCE"},
};

std::string feed_path(const std::string& name) {
  return "/api/v1/firewall/feeds/" + url_encode(name);
}

struct FeedArgs {
  std::string name;
  std::string source;
  std::string format;
  std::string column;
  std::optional<std::int64_t> refresh_s;
  bool disabled = false;
  std::string description;
};

int add_feed(Ctl& ctl, const FeedArgs& args) {
  json::object body{{"name", args.name}, {"source", args.source}};
  if (!args.format.empty()) body["format"] = args.format;
  if (!args.column.empty()) body["column"] = args.column;
  if (args.refresh_s) body["refresh_s"] = *args.refresh_s;
  if (args.disabled) body["enabled"] = false;
  if (!args.description.empty()) body["description"] = args.description;
  return ctl.show_object(ctl.call("POST", "/api/v1/firewall/feeds", json::value(body)));
}

// "NAME: N entries (M lines skipped)" and the first skipped lines on stderr; a failed fetch is a
// failure of the command, with the server's message.
int refresh_feed(Ctl& ctl, const FeedArgs& args) {
  const Outcome outcome = ctl.call("POST", feed_path(args.name) + "/refresh");
  if (!outcome.ok()) return outcome.exit_code;
  const json::object* reply = outcome.json.if_object();
  if (reply == nullptr) return ctl.show_object(outcome);
  const auto* fetched = reply->if_contains("ok");
  const bool ok = fetched != nullptr && fetched->is_bool() && fetched->get_bool();
  if (ctl.json_output()) {
    ctl.show_object(outcome);
    return ok ? kExitOk : kExitFailed;
  }
  const auto number = [reply](std::string_view key) {
    const auto* value = reply->if_contains(key);
    return value != nullptr && value->is_int64() ? value->get_int64() : 0;
  };
  if (!ok) {
    const auto* error = reply->if_contains("error");
    std::cerr << "error: " << args.name << ": "
              << (error != nullptr && error->is_string() ? std::string(error->get_string())
                                                         : std::string("the fetch failed"))
              << "; the previous " << number("entries") << " entries stay\n";
    return kExitFailed;
  }
  std::cout << args.name << ": " << number("entries") << " entries";
  if (const std::int64_t skipped = number("bad_lines"); skipped > 0) {
    std::cout << " (" << counted(skipped, "line") << " skipped)";
  }
  const auto* changed = reply->if_contains("changed");
  if (changed != nullptr && changed->is_bool() && !changed->get_bool()) std::cout << ", unchanged";
  std::cout << "\n";
  if (const auto* problems = reply->if_contains("problems");
      problems != nullptr && problems->is_array()) {
    for (const json::value& problem : problems->as_array()) {
      const auto* object = problem.if_object();
      if (object == nullptr) continue;
      const auto* line = object->if_contains("line");
      const auto* message = object->if_contains("message");
      std::cerr << args.name;
      if (line != nullptr && line->is_int64()) std::cerr << ":" << line->get_int64();
      std::cerr << ": "
                << (message != nullptr && message->is_string() ? std::string(message->get_string())
                                                               : std::string())
                << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

void add_firewall_feed_commands(CLI::App& firewall, Ctl& ctl) {
  auto* feeds = firewall.add_subcommand(
      "feeds", "Threat-intel feeds: address sets policies name, fetched on a schedule");
  feeds->require_subcommand(1);
  auto args = std::make_shared<FeedArgs>();

  auto* list = feeds->add_subcommand("list", "List feeds and how their last fetch went");
  on_run(list, ctl,
         [&ctl] { return ctl.show_list(ctl.call("GET", "/api/v1/firewall/feeds"), kFeedColumns); });

  auto* add = feeds->add_subcommand("add", "Add a feed (fetched at once, then on its schedule)");
  add->add_option("name", args->name, "Name policies use in an address set's \"feed\"")->required();
  add->add_option("--source", args->source,
                  "http(s) URL, or an absolute path inside the server's <data_dir>/feeds")
      ->required();
  add->add_option("--format", args->format, "plain (one address or CIDR per line) or csv")
      ->check(CLI::IsMember({"plain", "csv"}));
  add->add_option("--column", args->column, "csv: header name or 1-based number of the column");
  add->add_option("--refresh-s", args->refresh_s,
                  "Seconds between fetches, 300 to 604800 (default 3600)");
  add->add_flag("--disabled", args->disabled, "Add it disabled (not fetched, not in policies)");
  add->add_option("--description", args->description, "What it is");
  on_run(add, ctl, [&ctl, args] { return add_feed(ctl, *args); });

  auto* show = feeds->add_subcommand("show", "Show a feed, its skipped lines and its users");
  show->add_option("name", args->name, "Feed name")->required();
  on_run(show, ctl,
         [&ctl, args] { return ctl.show_object(ctl.call("GET", feed_path(args->name))); });

  auto* remove = feeds->add_subcommand("remove", "Delete a feed that no policy uses");
  remove->add_option("name", args->name, "Feed name")->required();
  on_run(remove, ctl, [&ctl, args] {
    return ctl.show_done(ctl.call("DELETE", feed_path(args->name)), "removed");
  });

  auto* refresh = feeds->add_subcommand(
      "refresh", "Fetch a feed now; a failed fetch keeps the previous contents");
  refresh->add_option("name", args->name, "Feed name")->required();
  on_run(refresh, ctl, [&ctl, args] { return refresh_feed(ctl, *args); });
}

}  // namespace sentinel::ctl
