// Runs every case of tests/data/logs/cases/*.txt (format in its README.md) through
// parse_log_line: each line must give exactly the fields listed, its message being the line.

#include <gtest/gtest.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/collectors/logs/line_sanitizer.h"
#include "agent/collectors/logs/log_line_parser.h"

namespace sentinel::agent::logs {
namespace {

const std::filesystem::path kCases = std::filesystem::path(SENTINEL_TEST_DATA) / "logs" / "cases";

struct Case {
  std::string where;  // file:line, for failure messages
  std::string line;
  std::optional<std::string> time;
  bool unparsed = false;
  std::map<std::string, std::string> fields;
};

std::vector<Case> load_cases(const std::filesystem::path& file) {
  std::vector<Case> cases;
  std::ifstream in(file);
  std::string text;
  int number = 0;
  while (std::getline(in, text)) {
    ++number;
    if (text.empty() || text[0] == '#') continue;
    const std::size_t colon = text.find(": ");
    if (colon == std::string::npos) {
      ADD_FAILURE() << file.filename().string() << ":" << number << ": no 'name: value'";
      continue;
    }
    const std::string name = text.substr(0, colon);
    const std::string value = text.substr(colon + 2);
    if (name == "line") {
      cases.push_back({file.filename().string() + ":" + std::to_string(number), value});
      continue;
    }
    if (cases.empty()) {
      ADD_FAILURE() << file.filename().string() << ":" << number << ": field before any line";
      continue;
    }
    Case& current = cases.back();
    if (name == "time") {
      current.time = value;
    } else if (name == "unparsed") {
      current.unparsed = value == "yes";
    } else {
      EXPECT_TRUE(current.fields.emplace(name, value).second)
          << current.where << ": " << name << " listed twice";
    }
  }
  return cases;
}

// "2025-11-26T01:02:03.456Z" as Unix ms, computed by the C library rather than the parser.
std::int64_t iso_ms(const std::string& text) {
  struct tm parts {};
  int ms = 0;
  EXPECT_EQ(std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &parts.tm_year, &parts.tm_mon,
                        &parts.tm_mday, &parts.tm_hour, &parts.tm_min, &parts.tm_sec, &ms),
            7)
      << text;
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  return static_cast<std::int64_t>(::timegm(&parts)) * 1000 + ms;
}

TEST(LogParserCases, EveryCaseGivesExactlyItsFields) {
  ParseContext context;
  context.now_ms = iso_ms("2025-11-27T00:00:00.000Z");
  LineFields fields;
  std::map<std::string, int> per_file;
  int total = 0;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kCases)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    for (const Case& test : load_cases(file)) {
      SCOPED_TRACE(test.where);
      ++total;
      ++per_file[file.stem().string()];
      const ParsedLine parsed = parse_log_line(test.line, context, fields);
      EXPECT_EQ(parsed.well_formed, !test.unparsed);
      if (test.time) {
        EXPECT_EQ(parsed.time_ms, iso_ms(*test.time));
      } else {
        EXPECT_EQ(parsed.time_ms, context.now_ms) << "a line without a time is stamped now";
      }
      std::map<std::string, std::string> actual;
      for (const auto& field : fields.fields()) {
        EXPECT_TRUE(actual.emplace(field.name, field.value).second)
            << field.name << " produced twice";
      }
      ASSERT_NE(actual.find("message"), actual.end());
      EXPECT_EQ(actual["message"], test.line);
      actual.erase("message");
      for (const auto& [name, value] : test.fields) {
        const auto found = actual.find(name);
        if (found == actual.end()) {
          ADD_FAILURE() << "missing " << name << ": " << value;
        } else {
          EXPECT_EQ(found->second, value) << name;
        }
      }
      for (const auto& [name, value] : actual) {
        if (!test.fields.contains(name)) ADD_FAILURE() << "unexpected " << name << ": " << value;
      }
    }
  }
  // Guards against a fixture that silently stopped being read.
  EXPECT_GE(total, 90);
  for (const char* program :
       {"sshd", "sudo", "su", "pam", "login", "accounts", "cron", "kernel", "audit", "syslog"}) {
    EXPECT_GE(per_file[program], 5) << program;
  }
}

}  // namespace
}  // namespace sentinel::agent::logs
