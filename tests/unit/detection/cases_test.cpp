// Runs every detection case file (tests/detection/cases/*.yml, format in
// tests/detection/README.md) through the rule engine: each case's events must produce exactly
// the detections it lists, and nothing else.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sentinel/detection/engine.h"
#include "sentinel/detection/rules.h"

namespace sentinel::detection {
namespace {

namespace fs = std::filesystem;

const fs::path kRepository = fs::path(SENTINEL_TEST_DATA) / ".." / "..";
const fs::path kCases = fs::path(SENTINEL_TEST_DATA) / ".." / "detection" / "cases";
constexpr std::int64_t kStartMs = 1'700'000'000'000;

std::vector<std::string> case_files() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(kCases)) {
    if (entry.path().extension() == ".yml") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// "0", "1500ms", "30s", "5m", "2h": an offset in milliseconds.
std::int64_t offset_ms(const std::string& text) {
  std::size_t used = 0;
  const long long count = std::stoll(text, &used);
  const std::string unit = text.substr(used);
  if (unit.empty() || unit == "ms") return count;
  if (unit == "s") return count * 1000;
  if (unit == "m") return count * 60'000;
  if (unit == "h") return count * 3'600'000;
  throw std::invalid_argument("bad time offset '" + text + "'");
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// One detection as produced, with the position of the event that made it.
struct Produced {
  Detection detection;
  std::size_t on = 0;  // 1-based event index
};

std::string describe(const Produced& produced) {
  const Detection& d = produced.detection;
  std::string events;
  for (auto id : d.event_ids) events += (events.empty() ? "" : ",") + std::to_string(id);
  return "{rule: " + d.rule_id + ", on: " + std::to_string(produced.on) + ", entity: '" + d.entity +
         "', agent: '" + d.agent_id + "', events: [" + events +
         "], severity: " + std::string(to_string(d.severity)) + "}";
}

// Whether `produced` satisfies every key the expectation gives.
bool satisfies(const Produced& produced, const YAML::Node& expected) {
  const Detection& d = produced.detection;
  if (expected["rule"].as<std::string>() != d.rule_id) return false;
  if (expected["on"] && expected["on"].as<std::size_t>() != produced.on) return false;
  if (expected["entity"] && expected["entity"].as<std::string>() != d.entity) return false;
  if (expected["agent"] && expected["agent"].as<std::string>("") != d.agent_id) return false;
  if (expected["severity"] &&
      expected["severity"].as<std::string>() != std::string(to_string(d.severity))) {
    return false;
  }
  if (expected["dedup"] && offset_ms(expected["dedup"].as<std::string>()) != d.dedup_window_ms) {
    return false;
  }
  if (expected["tags"] && expected["tags"].as<std::vector<std::string>>() != d.tags) return false;
  if (expected["events"] && expected["events"].as<std::vector<std::int64_t>>() != d.event_ids) {
    return false;
  }
  return true;
}

std::vector<RuleSource> rule_sources(const YAML::Node& rules, const std::string& file) {
  std::vector<RuleSource> sources;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const YAML::Node rule = rules[i];
    if (rule["file"]) {
      const std::string path = rule["file"].as<std::string>();
      sources.push_back({path, read_text(kRepository / path)});
    } else {
      sources.push_back(
          {file + "#rules[" + std::to_string(i) + "]", rule["text"].as<std::string>()});
    }
  }
  return sources;
}

Event event_of(const YAML::Node& node, std::size_t index, std::int64_t& time_ms) {
  Event event;
  event.id = static_cast<std::int64_t>(index);
  event.type = node["type"].as<std::string>();
  event.agent_id = node["agent"].as<std::string>("agt-1");
  time_ms = node["at"] ? kStartMs + offset_ms(node["at"].as<std::string>()) : time_ms + 1000;
  event.time_ms = time_ms;
  if (const YAML::Node fields = node["fields"]) {
    for (const auto& field : fields) {
      event.fields.push_back({field.first.as<std::string>(), field.second.as<std::string>("")});
    }
  }
  // What the server's normaliser adds (ADR 0004), unless the case sets it.
  const auto add = [&event](const std::string& name, const std::string& value) {
    if (event.find(name) == nullptr && !value.empty()) event.fields.push_back({name, value});
  };
  add("event.type", event.type);
  add("agent.id", event.agent_id);
  add("host.name", node["host"].as<std::string>("host-1"));
  return event;
}

class DetectionCases : public ::testing::TestWithParam<std::string> {};

TEST_P(DetectionCases, ProduceExactlyTheExpectedDetections) {
  const fs::path path = kCases / GetParam();
  const YAML::Node file = YAML::LoadFile(path.string());
  const RuleLoad load = load_rules(rule_sources(file["rules"], GetParam()));
  for (const RuleFileReport& report : load.files) {
    for (const RuleProblem& problem : report.problems) {
      ADD_FAILURE() << problem.file << ":" << problem.line << ":" << problem.column << ": "
                    << problem.reason;
    }
  }
  ASSERT_TRUE(file["cases"].IsSequence() && file["cases"].size() > 0) << "no cases";
  for (const YAML::Node& test_case : file["cases"]) {
    const std::string name = test_case["name"].as<std::string>();
    SCOPED_TRACE(GetParam() + ": " + name);
    Engine engine(load.rules);
    std::vector<Produced> produced;
    std::int64_t time_ms = kStartMs - 1000;
    const YAML::Node events = test_case["events"];
    ASSERT_TRUE(events.IsSequence() && events.size() > 0) << "case without events";
    for (std::size_t i = 0; i < events.size(); ++i) {
      std::vector<Detection> out;
      engine.evaluate(event_of(events[i], i + 1, time_ms), out);
      for (Detection& detection : out) produced.push_back({std::move(detection), i + 1});
    }
    const YAML::Node expected = test_case["expect"];
    ASSERT_TRUE(expected && expected.IsSequence()) << "a case needs expect: (a list, [] for none)";
    std::vector<bool> used(produced.size(), false);
    for (const YAML::Node& wanted : expected) {
      bool found = false;
      for (std::size_t i = 0; i < produced.size() && !found; ++i) {
        if (!used[i] && satisfies(produced[i], wanted)) used[i] = found = true;
      }
      if (!found) {
        std::string all;
        for (const Produced& p : produced) all += "\n  " + describe(p);
        ADD_FAILURE() << "expected detection not produced: " << YAML::Dump(wanted)
                      << "\nproduced:" << (all.empty() ? " nothing" : all);
      }
    }
    for (std::size_t i = 0; i < produced.size(); ++i) {
      if (!used[i]) ADD_FAILURE() << "unexpected detection " << describe(produced[i]);
    }
  }
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Files, DetectionCases, ::testing::ValuesIn(case_files()), test_name);

}  // namespace
}  // namespace sentinel::detection
