// Runs the agent's log line sanitiser and parsers on arbitrary bytes, as anyone on a host can
// write them into a log. Whatever comes in, what comes out must be safe to carry: valid UTF-8,
// no NUL, within the cap, each field name once. The first byte picks the mode: 0xFF repeats the
// input into a 1 MiB line, to exercise the cap (rarely, since such inputs run slowly).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "agent/collectors/logs/journal_reader.h"
#include "agent/collectors/logs/line_sanitizer.h"
#include "agent/collectors/logs/log_line_parser.h"

namespace {

using namespace sentinel::agent::logs;

void check_safe(std::string_view text, std::size_t cap) {
  if (text.size() > cap || !is_valid_utf8(text) || text.find('\0') != std::string_view::npos) {
    std::abort();
  }
}

void check_fields(const LineFields& fields, std::string_view line) {
  std::set<std::string_view> names;
  for (const auto& field : fields.fields()) {
    if (!names.insert(field.name).second) std::abort();  // a name twice
    check_safe(field.value, kMaxLineBytes);
  }
  const std::string* message = fields.find("message");
  if (message == nullptr || *message != line) std::abort();
  if (fields.find("event.module") == nullptr) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool huge = data[0] == 0xFF;
  std::string raw(reinterpret_cast<const char*>(data + 1), size - 1);
  if (huge && !raw.empty()) {
    std::string repeated;
    repeated.reserve(1 << 20);
    while (repeated.size() < (1u << 20)) repeated.append(raw);
    raw = std::move(repeated);
  }

  std::string scratch;
  LineDefects defects;
  const std::string_view line = sanitize_line(raw, SanitizeOptions{}, scratch, defects);
  check_safe(line, kMaxLineBytes);
  std::string journal_scratch;
  const std::string_view message =
      sanitize_line(raw, SanitizeOptions{.keep_newlines = true}, journal_scratch, defects);
  check_safe(message, kMaxLineBytes);

  static LineFields fields;
  const ParseContext context{1764201600000, 3600};
  parse_log_line(line, context, fields);
  check_fields(fields, line);

  JournalEntry entry;
  entry.time_ms = context.now_ms;
  entry.message = message;
  // The identifier from the first word, so that every program parser sees journal messages.
  entry.identifier = line.substr(0, std::min<std::size_t>(line.find(' '), 32));
  if (!is_valid_utf8(entry.identifier)) entry.identifier = {};
  parse_journal_entry(entry, fields);
  check_fields(fields, message);
  return 0;
}
