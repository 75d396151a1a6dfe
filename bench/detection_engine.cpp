// detection_engine: the rule engine's throughput on a log file, for `make bench`
// (bench/detection_engine.sh). Every line takes the path it takes in production, in one thread:
//   raw line -> the agent's log parser (LogEventBuilder, as the watcher child runs it)
//   -> the bus payload the ingest publishes ({"type":"event","event":{...,"data":{...}}})
//   -> the detect service's normaliser -> Engine::evaluate with every rule of the set.
// Only the loop is timed, in CPU time of this thread (not wall time); the rules are compiled
// before. The parser, the hand-over (payload + normaliser) and the engine are also timed alone,
// so that the figure can be read.
// Prints one JSON object: events, cpu seconds, events per CPU second, and the detections by rule
// of the first pass (the sanity check counts the failed-password lines through them).

#include <fmt/format.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "agent/collectors/logs/log_event_builder.h"
#include "agent/collectors/logs/syslog_line.h"
#include "normaliser.h"
#include "sentinel/detection/engine.h"
#include "sentinel/detection/rules.h"

namespace {

using namespace sentinel;

double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  return lines;
}

// What the ingest publishes on the bus for a stored event (src/events), for the normaliser.
std::string bus_payload(const agent::CollectedEvent& event, std::int64_t id) {
  boost::json::object data;
  for (const detection::Field& field : event.fields) data[field.name] = field.value;
  return boost::json::serialize(
      boost::json::object{{"type", "event"},
                          {"event", boost::json::object{{"id", id},
                                                        {"agent_id", "agt_bench"},
                                                        {"seq", id},
                                                        {"time", event.time_ms},
                                                        {"type", event.type},
                                                        {"data", std::move(data)}}}});
}

struct Timing {
  double cpu_seconds = 0;
  std::size_t events = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Rule-engine throughput: log lines through parser, normaliser and engine"};
  std::string log_path;
  std::vector<std::string> rule_paths;
  double min_cpu_seconds = 2.0;
  app.add_option("--log", log_path, "log file (one line per event)")->required();
  app.add_option("--rules", rule_paths, "rule files or directories")->required();
  app.add_option("--min-cpu-s", min_cpu_seconds, "repeat the file until this much CPU time");
  CLI11_PARSE(app, argc, argv);

  Result<std::vector<detection::RuleSource>> sources = detection::read_rule_sources(rule_paths);
  if (!sources) {
    std::cerr << sources.error().message << "\n";
    return 1;
  }
  detection::RuleLoad load = detection::load_rules(*sources);
  for (const detection::RuleFileReport& report : load.files) {
    for (const detection::RuleProblem& problem : report.problems) {
      std::cerr << fmt::format("{}:{}: {}\n", problem.file, problem.line, problem.reason);
    }
    if (!report.ok()) return 1;
  }
  const std::vector<std::string> lines = read_lines(log_path);
  if (lines.empty()) {
    std::cerr << "empty log " << log_path << "\n";
    return 1;
  }
  const std::string file_path = "/var/log/auth.log";
  const auto host_name = [](const std::string&) { return std::string("bench-host"); };
  // The lines' year is inferred from "now" (RFC 3164) or read (RFC 3339); a fixed now keeps
  // passes identical.
  const agent::logs::ParseContext context =
      agent::logs::local_parse_context(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());

  // The full path, pass after pass with a fresh engine (same windows each pass), until enough
  // CPU time was spent for a stable figure.
  std::map<std::string, std::size_t> detections_by_rule;
  Timing full;
  int passes = 0;
  std::vector<detection::Detection> out;
  while (full.cpu_seconds < min_cpu_seconds || passes == 0) {
    detection::Engine engine(load.rules);
    agent::logs::LogEventBuilder builder;
    std::int64_t id = 0;
    const double start = thread_cpu_seconds();
    for (const std::string& line : lines) {
      const agent::CollectedEvent collected = builder.from_file_line(line, file_path, context);
      Result<detection::Event> event = detect::normalise(bus_payload(collected, ++id), host_name);
      if (!event) {
        std::cerr << "normalise: " << event.error().message << "\n";
        return 1;
      }
      out.clear();
      engine.evaluate(*event, out);
      if (passes == 0) {
        for (const detection::Detection& detection : out) ++detections_by_rule[detection.rule_id];
      }
    }
    full.cpu_seconds += thread_cpu_seconds() - start;
    full.events += lines.size();
    ++passes;
  }

  // The parser alone, and the engine alone on events normalised beforehand.
  Timing parse;
  {
    agent::logs::LogEventBuilder builder;
    std::size_t fields = 0;
    const double start = thread_cpu_seconds();
    for (int pass = 0; pass < passes; ++pass) {
      for (const std::string& line : lines) {
        fields += builder.from_file_line(line, file_path, context).fields.size();
      }
    }
    parse.cpu_seconds = thread_cpu_seconds() - start;
    parse.events = lines.size() * static_cast<std::size_t>(passes);
    if (fields == 0) return 1;  // keeps the loop from being optimised away
  }
  // The hand-over alone: the bus payload written and normalised again.
  Timing normalise_only;
  {
    std::vector<agent::CollectedEvent> collected;
    collected.reserve(lines.size());
    agent::logs::LogEventBuilder builder;
    for (const std::string& line : lines) {
      collected.push_back(builder.from_file_line(line, file_path, context));
    }
    std::size_t fields = 0;
    const double start = thread_cpu_seconds();
    for (int pass = 0; pass < passes; ++pass) {
      std::int64_t id = 0;
      for (const agent::CollectedEvent& event : collected) {
        fields += detect::normalise(bus_payload(event, ++id), host_name)->fields.size();
      }
    }
    normalise_only.cpu_seconds = thread_cpu_seconds() - start;
    normalise_only.events = collected.size() * static_cast<std::size_t>(passes);
    if (fields == 0) return 1;
  }
  Timing engine_only;
  {
    std::vector<detection::Event> events;
    events.reserve(lines.size());
    agent::logs::LogEventBuilder builder;
    std::int64_t id = 0;
    for (const std::string& line : lines) {
      events.push_back(*detect::normalise(
          bus_payload(builder.from_file_line(line, file_path, context), ++id), host_name));
    }
    for (int pass = 0; pass < passes; ++pass) {
      detection::Engine engine(load.rules);
      const double start = thread_cpu_seconds();
      for (const detection::Event& event : events) {
        out.clear();
        engine.evaluate(event, out);
      }
      engine_only.cpu_seconds += thread_cpu_seconds() - start;
      engine_only.events += events.size();
    }
  }

  boost::json::object by_rule;
  for (const auto& [rule, count] : detections_by_rule) by_rule[rule] = count;
  const auto rate = [](const Timing& timing) {
    return static_cast<std::int64_t>(static_cast<double>(timing.events) / timing.cpu_seconds);
  };
  std::cout << boost::json::serialize(
                   boost::json::object{{"rules", load.rules->rules().size()},
                                       {"lines", lines.size()},
                                       {"passes", passes},
                                       {"events", full.events},
                                       {"cpu_seconds", full.cpu_seconds},
                                       {"events_per_cpu_second", rate(full)},
                                       {"parse_events_per_cpu_second", rate(parse)},
                                       {"normalise_events_per_cpu_second", rate(normalise_only)},
                                       {"engine_events_per_cpu_second", rate(engine_only)},
                                       {"detections_by_rule", std::move(by_rule)}})
            << "\n";
  return 0;
}
