// scan run|list|show|diff|import|cancel.

#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "client/stream_client.h"
#include "commands.h"
#include "progress_log.h"
#include "service_label.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::array kJobColumns = {
    Column{"id", "ID"},           Column{"status", "STATUS"},   Column{"source", "SOURCE"},
    Column{"targets", "TARGETS"}, Column{"ports", "PORTS"},     Column{"percent", "DONE %"},
    Column{"open_found", "OPEN"}, Column{"requested_by", "BY"}, Column{"created_at", "CREATED"},
};

constexpr std::array kResultColumns = {
    Column{"host", "HOST"},       Column{"port", "PORT"},       Column{"proto", "PROTO"},
    Column{"state", "STATE"},     Column{"service", "SERVICE"}, Column{"product", "PRODUCT"},
    Column{"version", "VERSION"},
};

constexpr std::array kHostColumns = {
    Column{"host", "HOST"},
    Column{"mac", "MAC"},
    Column{"reason", "FOUND BY"},
    Column{"open", "OPEN PORTS"},
};

constexpr std::array kChangeColumns = {
    Column{"action", "CHANGE"},  Column{"address", "HOST"},  Column{"port", "PORT"},
    Column{"protocol", "PROTO"}, Column{"before", "BEFORE"}, Column{"after", "AFTER"},
};

// nmap reports larger than this are refused before sending (the server caps them too).
constexpr std::uintmax_t kMaxImportBytes = 16 << 20;
// Without a stream message for this long, --follow asks the server directly.
constexpr auto kPollAfter = 1s;

struct RunArgs {
  std::vector<std::string> targets;
  std::vector<std::string> exclude;
  std::string ports;
  std::string profile;
  bool confirm_large = false;
  bool follow = false;
  bool nmap = false;                 // nmap runs the scan
  std::vector<std::string> scripts;  // its NSE scripts or categories
  bool os_detection = false;
  // Split across agents: a group, agents by id, or those in the target networks.
  std::string agent_group;
  std::vector<std::string> agent_ids;
  bool agent_networks = false;
  bool no_discovery = false;                    // scan every address (nmap -Pn)
  std::optional<double> max_rate;               // probes per second for the whole scan
  std::optional<std::int64_t> max_concurrency;  // probes in flight
};

std::string scan_path(std::int64_t id) { return "/api/v1/scans/" + std::to_string(id); }

const json::object* object_of(const json::value& value) { return value.if_object(); }

std::int64_t integer_of(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr) return 0;
  if (value->is_int64()) return value->as_int64();
  if (value->is_double()) return static_cast<std::int64_t>(value->as_double());
  return 0;
}

double number_of(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr) return 0;
  if (value->is_double()) return value->as_double();
  if (value->is_int64()) return static_cast<double>(value->as_int64());
  return 0;
}

bool is_final(std::string_view status) {
  return status == "completed" || status == "cancelled" || status == "failed";
}

// A job with its progress fields lifted to the top, for tables and key: value lines; the
// fractional ones as people read them ("42.5", "16947"), not as JSON numbers print.
json::object flattened(json::object job) {
  if (auto* progress = job.if_contains("progress"); progress != nullptr && progress->is_object()) {
    json::object fields = progress->as_object();
    job.erase("progress");
    for (auto& [key, value] : fields) job[key] = value;
    char text[32];
    std::snprintf(text, sizeof(text), "%.1f", number_of(job, "percent"));
    job["percent"] = text;
    std::snprintf(text, sizeof(text), "%.0f", number_of(job, "rate"));
    job["rate"] = text;
  }
  return job;
}

// One row per open or open|filtered port: HOST PORT PROTO STATE SERVICE PRODUCT VERSION.
json::array result_rows(const json::value& results) {
  json::array rows;
  const auto* reply = object_of(results);
  const auto* hosts = reply != nullptr ? reply->if_contains("hosts") : nullptr;
  if (hosts == nullptr || !hosts->is_array()) return rows;
  for (const json::value& host : hosts->as_array()) {
    const auto* host_object = object_of(host);
    if (host_object == nullptr) continue;
    const auto* ports = host_object->if_contains("ports");
    if (ports == nullptr || !ports->is_array()) continue;
    for (const json::value& port : ports->as_array()) {
      const auto* port_object = object_of(port);
      if (port_object == nullptr) continue;
      json::object row{{"host", text_field(*host_object, "address")},
                       {"port", integer_of(*port_object, "port")},
                       {"proto", text_field(*port_object, "protocol")},
                       {"state", text_field(*port_object, "state")}};
      row["service"] = service_label(*port_object);
      const auto* service = port_object->if_contains("service");
      const auto* service_object = service != nullptr ? object_of(*service) : nullptr;
      for (const std::string_view key : {"product", "version"}) {
        const auto* field = service_object != nullptr ? service_object->if_contains(key) : nullptr;
        row[key] = field != nullptr ? *field : json::value(nullptr);
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

// One row per host when the job found its hosts first (some host says how it was found): HOST
// MAC FOUND-BY OPEN-PORTS, so that a host up without open ports shows too. Empty otherwise.
json::array host_rows(const json::value& results) {
  json::array rows;
  const auto* reply = object_of(results);
  const auto* hosts = reply != nullptr ? reply->if_contains("hosts") : nullptr;
  if (hosts == nullptr || !hosts->is_array()) return rows;
  bool discovered = false;
  for (const json::value& host : hosts->as_array()) {
    const auto* host_object = object_of(host);
    if (host_object == nullptr) continue;
    std::int64_t open = 0;
    if (const auto* ports = host_object->if_contains("ports");
        ports != nullptr && ports->is_array()) {
      for (const json::value& port : ports->as_array()) {
        const auto* port_object = object_of(port);
        if (port_object != nullptr && text_field(*port_object, "state") == "open") ++open;
      }
    }
    const std::string reason = text_field(*host_object, "reason");
    if (!reason.empty()) discovered = true;
    const std::string mac = text_field(*host_object, "mac");
    rows.push_back(
        json::object{{"host", text_field(*host_object, "address")},
                     {"mac", mac.empty() ? json::value(nullptr) : json::value(mac)},
                     {"reason", reason.empty() ? json::value(nullptr) : json::value(reason)},
                     {"open", open}});
  }
  if (!discovered) rows.clear();
  return rows;
}

// What nmap added beyond ports (jobs of the nmap backend, imports): each host's OS guess and
// the NSE scripts' outputs, indented under it.
void print_findings(const json::value& results) {
  const auto* reply = object_of(results);
  const auto* hosts = reply != nullptr ? reply->if_contains("hosts") : nullptr;
  if (hosts == nullptr || !hosts->is_array()) return;
  const auto print_scripts = [](const json::value* scripts, const std::string& where) {
    if (scripts == nullptr || !scripts->is_array()) return;
    for (const json::value& script : scripts->as_array()) {
      const auto* object = object_of(script);
      if (object == nullptr) continue;
      std::string output = text_field(*object, "output");
      for (std::size_t at = 0; (at = output.find('\n', at)) != std::string::npos; at += 5) {
        output.replace(at, 1, "\n    ");
      }
      std::cout << "  " << where << text_field(*object, "id") << ": " << output << "\n";
    }
  };
  for (const json::value& host : hosts->as_array()) {
    const auto* host_object = object_of(host);
    if (host_object == nullptr) continue;
    const std::string os = text_field(*host_object, "os");
    const auto* host_scripts = host_object->if_contains("scripts");
    const auto* ports = host_object->if_contains("ports");
    bool any = !os.empty() || (host_scripts != nullptr && host_scripts->is_array() &&
                               !host_scripts->as_array().empty());
    if (ports != nullptr && ports->is_array()) {
      for (const json::value& port : ports->as_array()) {
        const auto* port_object = object_of(port);
        const auto* port_scripts = port_object ? port_object->if_contains("scripts") : nullptr;
        if (port_scripts != nullptr && port_scripts->is_array() &&
            !port_scripts->as_array().empty()) {
          any = true;
        }
      }
    }
    if (!any) continue;
    std::cout << "\n" << text_field(*host_object, "address");
    if (!os.empty()) {
      std::cout << "  OS: " << os << " (" << integer_of(*host_object, "os_accuracy") << "%)";
    }
    std::cout << "\n";
    print_scripts(host_scripts, "");
    if (ports == nullptr || !ports->is_array()) continue;
    for (const json::value& port : ports->as_array()) {
      const auto* port_object = object_of(port);
      if (port_object == nullptr) continue;
      print_scripts(port_object->if_contains("scripts"),
                    std::to_string(integer_of(*port_object, "port")) + "/" +
                        text_field(*port_object, "protocol") + " ");
    }
  }
}

int print_results(Ctl& ctl, std::int64_t id) {
  const Outcome outcome = ctl.call_all_pages(scan_path(id) + "/results", "hosts");
  if (!outcome.ok()) return outcome.exit_code;
  if (ctl.json_output()) return ctl.show_object(outcome);
  const json::array rows = result_rows(outcome.json);
  const auto* reply = object_of(outcome.json);
  const auto silent = std::count_if(rows.begin(), rows.end(), [](const json::value& row) {
    return text_field(row.as_object(), "state") == "open|filtered";
  });
  std::cout << "\n"
            << counted(reply != nullptr ? integer_of(*reply, "hosts_up") : 0, "host")
            << " answered, "
            << counted(static_cast<std::int64_t>(rows.size()) - silent, "open port");
  // Silent UDP ports: an open service that ignored the probe, or a firewall that dropped it.
  if (silent > 0) std::cout << ", " << silent << " open|filtered";
  std::cout << "\n";
  if (const json::array hosts = host_rows(outcome.json); !hosts.empty()) {
    print_table(std::cout, hosts, kHostColumns);
    if (!rows.empty()) std::cout << "\n";
  }
  if (!rows.empty()) print_table(std::cout, rows, kResultColumns);
  print_findings(outcome.json);
  return kExitOk;
}

/// Draws the progress of a followed job on stderr: one redrawn line on a terminal, else lines as
/// ProgressLog allows (logs and pipes).
class ProgressBar {
 public:
  ProgressBar() : terminal_(isatty(STDERR_FILENO) == 1), log_(terminal_) {}

  void show(const json::object& job) {
    const auto* progress_value = job.if_contains("progress");
    const json::object empty;
    const json::object& progress = progress_value != nullptr && progress_value->is_object()
                                       ? progress_value->as_object()
                                       : empty;
    const double percent = std::clamp(number_of(progress, "percent"), 0.0, 100.0);
    std::string status = text_field(job, "status");
    // What a running job is doing: its ports, naming services, nmap's scripts.
    if (const std::string phase = text_field(progress, "phase"); !phase.empty()) {
      status += " (" + phase + ")";
    }
    const bool last = is_final(text_field(job, "status"));
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(std::lround(percent / 100.0 * kWidth));
    char line[256];
    std::snprintf(line, sizeof(line),
                  "[%s%s] %5.1f%%  hosts %lld/%lld  open %lld  %.0f probes/s  %s",
                  std::string(static_cast<std::size_t>(filled), '#').c_str(),
                  std::string(static_cast<std::size_t>(kWidth - filled), '-').c_str(), percent,
                  static_cast<long long>(integer_of(progress, "hosts_done")),
                  static_cast<long long>(integer_of(progress, "hosts_total")),
                  static_cast<long long>(integer_of(progress, "open_found")),
                  number_of(progress, "rate"), status.c_str());
    if (!log_.should_write(line, last, ProgressLog::Clock::now())) return;
    std::cerr << (terminal_ ? "\r" : "") << line << (terminal_ && !last ? "\x1b[K" : "\n")
              << std::flush;
  }

 private:
  bool terminal_;
  ProgressLog log_;
};

// Follows a job until it ends: `scan` messages from the stream when it is open, a GET when none
// came for a second (or without a stream). Returns the final job, or the exit status.
std::optional<json::object> follow(Ctl& ctl, std::int64_t id,
                                   std::optional<client::StreamClient>& stream, int& exit_code) {
  ProgressBar bar;
  auto last_seen = std::chrono::steady_clock::now();
  while (true) {
    std::optional<json::object> job;
    if (stream) {
      auto message = stream->next_message(250ms);
      if (message) {
        boost::system::error_code ec;
        json::value parsed = json::parse(*message, ec);
        const auto* object = ec ? nullptr : parsed.if_object();
        const auto* scan = object != nullptr && text_field(*object, "type") == "scan"
                               ? object->if_contains("scan")
                               : nullptr;
        if (scan != nullptr && scan->is_object() && integer_of(scan->as_object(), "id") == id) {
          job = scan->as_object();
        }
      } else if (message.error().reason != client::kTimedOut) {
        std::cerr << "(the stream closed: " << message.error().message << "; polling instead)\n";
        stream.reset();
      }
    } else {
      std::this_thread::sleep_for(kPollAfter);
    }
    const auto now = std::chrono::steady_clock::now();
    if (!job && now - last_seen >= kPollAfter) {
      const Outcome polled = ctl.call("GET", scan_path(id));
      if (!polled.ok()) {
        exit_code = polled.exit_code;
        return std::nullopt;
      }
      if (const auto* object = object_of(polled.json)) job = *object;
    }
    if (!job) continue;
    last_seen = now;
    bar.show(*job);
    if (is_final(text_field(*job, "status"))) return job;
  }
}

int run_scan(Ctl& ctl, const RunArgs& args) {
  json::object body;
  json::array targets;
  for (const std::string& target : args.targets) targets.emplace_back(target);
  body["targets"] = std::move(targets);
  if (!args.exclude.empty()) {
    json::array exclude;
    for (const std::string& entry : args.exclude) exclude.emplace_back(entry);
    body["exclude"] = std::move(exclude);
  }
  if (!args.ports.empty()) body["ports"] = args.ports;
  if (!args.profile.empty()) body["profile"] = args.profile;
  if (args.confirm_large) body["confirm_large"] = true;
  if (args.no_discovery) body["discovery"] = false;
  // The server checks the bounds and names the field (one rule, in scan_body.cpp).
  if (args.max_rate) body["max_rate"] = *args.max_rate;
  if (args.max_concurrency) body["max_concurrency"] = *args.max_concurrency;
  if (args.nmap) {
    body["backend"] = "nmap";
    json::array scripts;
    for (const std::string& script : args.scripts) scripts.emplace_back(script);
    body["nmap"] =
        json::object{{"scripts", std::move(scripts)}, {"os_detection", args.os_detection}};
  }
  if (!args.agent_group.empty()) {
    body["agents"] = json::object{{"group", args.agent_group}};
  } else if (!args.agent_ids.empty()) {
    json::array ids;
    for (const std::string& id : args.agent_ids) ids.emplace_back(id);
    body["agents"] = json::object{{"ids", std::move(ids)}};
  } else if (args.agent_networks) {
    body["agents"] = json::object{{"networks", true}};
  }

  // The stream opens before the job exists, so that none of its messages is missed.
  std::optional<client::StreamClient> stream;
  if (args.follow) {
    auto api = ctl.client();
    if (!api) return ctl.fail(api.error());
    auto connected = client::StreamClient::connect(**api);
    if (connected) {
      stream.emplace(std::move(*connected));
    } else {
      std::cerr << "(no event stream: " << connected.error().message << "; polling instead)\n";
    }
  }
  const Outcome started = ctl.call("POST", "/api/v1/scans", body);
  if (!started.ok()) return started.exit_code;
  const auto* job = object_of(started.json);
  const std::int64_t id = job != nullptr ? integer_of(*job, "id") : 0;
  if (id <= 0) {
    std::cerr << "error: the server's reply lacks the scan id\n";
    return kExitFailed;
  }
  if (!args.follow) {
    if (ctl.json_output()) return ctl.show_object(started);
    std::cout << id << "\n";
    std::cerr << "scan " << id << " queued; follow it with: sentinelctl scan show " << id << "\n";
    return kExitOk;
  }
  if (!ctl.json_output()) std::cout << id << "\n" << std::flush;
  int exit_code = kExitOk;
  const auto final_job = follow(ctl, id, stream, exit_code);
  if (!final_job) return exit_code;
  const std::string status = text_field(*final_job, "status");
  // A job that did not complete says why; a completed one may carry a note in the same field
  // (an agent from before host discovery scanned its share address by address).
  if (const std::string error = text_field(*final_job, "error"); status != "completed") {
    std::cerr << "scan " << id << " " << status << (error.empty() ? "" : ": " + error) << "\n";
  } else if (!error.empty()) {
    std::cerr << "note: " << error << "\n";
  }
  const int printed = print_results(ctl, id);
  if (printed != kExitOk) return printed;
  return status == "completed" ? kExitOk : kExitFailed;
}

int list_scans(Ctl& ctl, const std::string& status, std::optional<std::int64_t> limit) {
  std::string query = "?limit=" + std::to_string(limit.value_or(50));
  if (!status.empty()) query += "&status=" + url_encode(status);
  Outcome outcome = ctl.call("GET", "/api/v1/scans" + query);
  if (!outcome.ok() || ctl.json_output()) return ctl.show_list(outcome, kJobColumns);
  if (auto* items =
          outcome.json.is_object() ? outcome.json.as_object().if_contains("items") : nullptr;
      items != nullptr && items->is_array()) {
    for (json::value& item : items->as_array()) {
      if (item.is_object()) item = flattened(std::move(item.as_object()));
    }
  }
  return ctl.show_list(outcome, kJobColumns);
}

int show_scan(Ctl& ctl, std::int64_t id) {
  if (ctl.json_output()) {
    // One document: the job with its results.
    Outcome job = ctl.call("GET", scan_path(id));
    if (!job.ok()) return job.exit_code;
    Outcome results = ctl.call_all_pages(scan_path(id) + "/results", "hosts");
    if (!results.ok()) return results.exit_code;
    if (job.json.is_object() && results.json.is_object()) {
      if (auto* hosts = results.json.as_object().if_contains("hosts")) {
        job.json.as_object()["hosts"] = *hosts;
      }
    }
    return ctl.show_object(job);
  }
  Outcome job = ctl.call("GET", scan_path(id));
  if (!job.ok()) return job.exit_code;
  if (job.json.is_object()) job.json = flattened(std::move(job.json.as_object()));
  const int shown = ctl.show_object(job);
  if (shown != kExitOk) return shown;
  return print_results(ctl, id);
}

// "http nginx 1.24" for a change's before/after cell.
json::value service_cell(const json::value* service) {
  const auto* object = service != nullptr ? service->if_object() : nullptr;
  if (object == nullptr) return nullptr;
  std::string text;
  for (const std::string_view key : {"service", "product", "version"}) {
    const std::string part = text_field(*object, key);
    if (!part.empty()) text += (text.empty() ? "" : " ") + part;
  }
  return text.empty() ? json::value(nullptr) : json::value(text);
}

int diff_scan(Ctl& ctl, std::int64_t id) {
  Outcome outcome = ctl.call_all_pages(scan_path(id) + "/diff", "changes");
  if (!outcome.ok() || ctl.json_output()) return ctl.show_object(outcome);
  const auto* reply = object_of(outcome.json);
  const auto* previous = reply != nullptr ? reply->if_contains("previous_id") : nullptr;
  if (previous == nullptr || !previous->is_int64()) {
    std::cout << "scan " << id
              << " has no earlier completed scan of the same targets and ports to compare with\n";
    return kExitOk;
  }
  json::array rows;
  if (const auto* changes = reply->if_contains("changes"); changes && changes->is_array()) {
    for (const json::value& change : changes->as_array()) {
      if (!change.is_object()) continue;
      json::object row = change.as_object();
      row["before"] = service_cell(change.as_object().if_contains("before"));
      row["after"] = service_cell(change.as_object().if_contains("after"));
      rows.push_back(std::move(row));
    }
  }
  std::cout << "scan " << id << " against scan " << previous->as_int64() << ": " << rows.size()
            << " changes\n";
  if (!rows.empty()) print_table(std::cout, rows, kChangeColumns);
  return kExitOk;
}

// "https://127.0.0.1:8443/" -> "127.0.0.1:8443", for the Host header.
std::string host_of(std::string url) {
  const std::size_t scheme = url.find("://");
  if (scheme != std::string::npos) url.erase(0, scheme + 3);
  return url.substr(0, url.find('/'));
}

int import_report(Ctl& ctl, const std::string& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) {
    std::cerr << "error: cannot read " << file << ": " << ec.message() << "\n";
    return kExitUsage;
  }
  if (size > kMaxImportBytes) {
    std::cerr << "error: " << file << " is larger than " << kMaxImportBytes << " bytes\n";
    return kExitUsage;
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  if (!in.good() && !in.eof()) {
    std::cerr << "error: cannot read " << file << "\n";
    return kExitUsage;
  }
  auto api = ctl.client();
  if (!api) return ctl.fail(api.error());
  // The client sends JSON bodies only; an XML body goes out as a raw request of its own.
  const std::string body = contents.str();
  std::string request =
      "POST /api/v1/scans/import HTTP/1.1\r\nHost: " + host_of((*api)->options().base_url) +
      "\r\nUser-Agent: " + (*api)->options().user_agent +
      "\r\nAccept: application/json\r\nContent-Type: application/xml\r\n";
  if (!(*api)->options().bearer_token.empty()) {
    request += "Authorization: Bearer " + (*api)->options().bearer_token.reveal() + "\r\n";
  }
  request += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  request += body;
  auto reply = (*api)->send_raw(request);
  if (!reply) return ctl.fail(reply.error());
  if (!reply->ok()) return ctl.fail(*reply);
  auto parsed = reply->json();
  if (!parsed) {
    std::cerr << "error: " << parsed.error().message << "\n";
    return kExitFailed;
  }
  const Outcome outcome{kExitOk, std::move(*parsed)};
  if (ctl.json_output()) return ctl.show_object(outcome);
  const auto* job = object_of(outcome.json);
  const std::int64_t id = job != nullptr ? integer_of(*job, "id") : 0;
  std::cout << id << "\n";
  if (job != nullptr) {
    const json::object progress = flattened(*job);
    std::cerr << "imported as scan " << id << ": "
              << counted(integer_of(progress, "hosts_total"), "host") << ", "
              << counted(integer_of(progress, "open_found"), "open port") << "\n";
  }
  return kExitOk;
}

CLI::App* add_id_command(CLI::App* scans, const std::string& name, const std::string& description,
                         std::int64_t& id) {
  auto* command = scans->add_subcommand(name, description);
  command->add_option("id", id, "Scan ID")->required()->check(CLI::PositiveNumber);
  return command;
}

}  // namespace

void add_scan_commands(CLI::App& app, Ctl& ctl) {
  auto* scans = app.add_subcommand("scan", "Run network scans and read their results");
  scans->require_subcommand(1);

  auto run_args = std::make_shared<RunArgs>();
  auto* run = scans->add_subcommand(
      "run", "Start a port scan of targets inside the server's scan scopes; prints its id");
  run->add_option("targets", run_args->targets,
                  "Addresses, CIDRs, ranges (10.0.0.5-40) or host names")
      ->required();
  auto* ports = run->add_option(
      "--ports", run_args->ports,
      "Ports: top100, top1000, all (TCP), or a list such as 1-1024,8080; U: lists UDP ports "
      "and T: TCP ones (T:22,80,U:53,161; top1000,U:top20 adds the 20 commonest UDP ports)");
  run->add_option("--profile", run_args->profile,
                  "quick (top 100 ports), standard (top 1,000) or full (all)")
      ->check(CLI::IsMember({"quick", "standard", "full"}))
      ->excludes(ports);
  add_repeatable(run, "--exclude", run_args->exclude,
                 "Targets to leave out (repeatable or comma-separated)");
  run->add_flag("--confirm-large", run_args->confirm_large,
                "Allow a scan of more than 65,536 addresses");
  run->add_flag(
      "--no-discovery", run_args->no_discovery,
      "Scan every target address instead of finding the live hosts first (like nmap -Pn), on "
      "the server or in the agents' shards");
  run->add_option("--max-rate", run_args->max_rate,
                  "At most this many probes per second for the whole scan (like nmap --max-rate; "
                  "split evenly across the agents of a scan on agents)");
  run->add_option("--max-concurrency", run_args->max_concurrency,
                  "At most this many probes in flight (1-65535; per agent on agents; like nmap "
                  "--max-parallelism)");
  run->add_flag("--follow,-f", run_args->follow,
                "Show progress on stderr until the scan ends, then print its results");
  auto* nmap = run->add_flag("--nmap", run_args->nmap,
                             "Let nmap run the scan (for NSE scripts and OS detection)");
  add_repeatable(run, "--script", run_args->scripts,
                 "With --nmap: an NSE script or category (default, safe, discovery, version); "
                 "repeatable or comma-separated")
      ->needs(nmap);
  run->add_flag("--os", run_args->os_detection, "With --nmap: guess each host's OS (nmap -O)")
      ->needs(nmap);
  auto* group = run->add_option("--agents-group", run_args->agent_group,
                                "Split the scan across the agents of this group");
  auto* ids = add_repeatable(run, "--agent", run_args->agent_ids,
                             "Split the scan across these agents (ids; repeatable or "
                             "comma-separated)");
  auto* networks = run->add_flag(
      "--agents-in-networks", run_args->agent_networks,
      "Split the scan across the agents that sit in the target networks (by the interfaces "
      "their inventory reports); each network is scanned from inside");
  group->excludes(ids)->excludes(networks)->excludes(nmap);
  ids->excludes(networks)->excludes(nmap);
  networks->excludes(nmap);
  on_run(run, ctl, [&ctl, run_args] { return run_scan(ctl, *run_args); });

  auto list_status = std::make_shared<std::string>();
  auto list_limit = std::make_shared<std::optional<std::int64_t>>();
  auto* list = scans->add_subcommand("list", "List scans, newest first");
  list->add_option("--status", *list_status, "Only scans in this state")
      ->check(CLI::IsMember({"queued", "running", "completed", "cancelled", "failed"}));
  list->add_option("--limit", *list_limit, "At most this many scans (default 50)")
      ->check(CLI::Range(1, 1000));
  on_run(list, ctl,
         [&ctl, list_status, list_limit] { return list_scans(ctl, *list_status, *list_limit); });

  auto show_id = std::make_shared<std::int64_t>();
  auto* show = add_id_command(scans, "show", "Show a scan's status and its results", *show_id);
  on_run(show, ctl, [&ctl, show_id] { return show_scan(ctl, *show_id); });

  auto diff_id = std::make_shared<std::int64_t>();
  auto* diff = add_id_command(
      scans, "diff", "Changes against the previous scan of the same targets and ports", *diff_id);
  on_run(diff, ctl, [&ctl, diff_id] { return diff_scan(ctl, *diff_id); });

  auto cancel_id = std::make_shared<std::int64_t>();
  auto* cancel = add_id_command(scans, "cancel", "Cancel a queued or running scan", *cancel_id);
  on_run(cancel, ctl, [&ctl, cancel_id] {
    return ctl.show_done(ctl.call("DELETE", scan_path(*cancel_id)),
                         "scan " + std::to_string(*cancel_id) + " cancelled");
  });

  auto import_file = std::make_shared<std::string>();
  auto* import = scans->add_subcommand("import", "Import an nmap XML report (nmap -oX FILE)");
  import->add_option("file", *import_file, "The nmap XML file")->required();
  on_run(import, ctl, [&ctl, import_file] { return import_report(ctl, *import_file); });
}

}  // namespace sentinel::ctl
