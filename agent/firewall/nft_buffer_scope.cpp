#include "agent/firewall/nft_buffer_scope.h"

#include <array>
#include <string>
#include <vector>

namespace sentinel::agent::firewall {
namespace {

constexpr std::array<std::string_view, 8> kVerbs = {"add",    "create",  "insert", "replace",
                                                    "delete", "destroy", "flush",  "reset"};
constexpr std::array<std::string_view, 12> kObjects = {
    "table", "chain",   "set",   "map",       "element", "rule",
    "limit", "counter", "quota", "flowtable", "secmark", "synproxy"};
// Words that make nft read other text or substitute it: never in a buffer of ours, at any depth.
constexpr std::array<std::string_view, 4> kForbiddenWords = {"include", "define", "redefine",
                                                             "undefine"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& words, std::string_view word) {
  for (std::string_view w : words) {
    if (w == word) return true;
  }
  return false;
}

// A top-level command: its words outside braces, and the line it starts on.
struct Command {
  std::vector<std::string> words;
  int line = 0;
};

Status check_command(const Command& command) {
  const auto& words = command.words;
  std::size_t i = 0;
  if (i < words.size() && one_of(kVerbs, words[i])) ++i;
  std::string text;
  for (const auto& w : words) text += (text.empty() ? "" : " ") + w;
  const std::string where =
      "line " + std::to_string(command.line) + ": '" + text.substr(0, 80) + "'";
  if (i >= words.size() || !one_of(kObjects, words[i])) {
    return invalid_argument(where + " is not a command on a table object", "nft_text");
  }
  if (i + 2 >= words.size() || words[i + 1] != "inet" || words[i + 2] != "sentinel") {
    return invalid_argument(where + " does not name table inet sentinel", "nft_text");
  }
  if (words[i] == "table" && words.size() != i + 3) {
    return invalid_argument(where + " has words after the table name", "nft_text");
  }
  return ok();
}

}  // namespace

Status check_buffer_scope(std::string_view text) {
  std::vector<Command> commands;
  Command current;
  std::string word;
  int depth = 0;
  int line = 1;
  bool any_command = false;

  auto end_word = [&] {
    if (word.empty()) return;
    if (depth == 0) {
      if (current.words.empty()) current.line = line;
      current.words.push_back(word);
    }
    word.clear();
  };
  auto end_command = [&] {
    end_word();
    if (!current.words.empty()) commands.push_back(std::move(current));
    current = Command{};
  };

  for (std::size_t pos = 0; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c == '"') {
      // nft strings have no escapes: the next quote on the line ends it.
      const std::size_t close = text.find_first_of("\"\n", pos + 1);
      if (close == std::string_view::npos || text[close] != '"') {
        return invalid_argument("line " + std::to_string(line) + ": unterminated string",
                                "nft_text");
      }
      if (depth == 0) word += std::string(text.substr(pos, close - pos + 1));
      pos = close;
      continue;
    }
    if (c == '#') {
      end_word();
      const std::size_t eol = text.find('\n', pos);
      if (eol == std::string_view::npos) break;
      pos = eol - 1;  // the newline itself ends the command below
      continue;
    }
    if (c == '$' || c == '\\') {
      return invalid_argument(
          "line " + std::to_string(line) + ": '" + std::string(1, c) + "' is not allowed",
          "nft_text");
    }
    const bool space = c == ' ' || c == '\t' || c == '\r';
    if (space || c == '\n' || c == ';' || c == '{' || c == '}') {
      if (!word.empty() && one_of(kForbiddenWords, word)) {
        return invalid_argument("line " + std::to_string(line) + ": '" + word + "' is not allowed",
                                "nft_text");
      }
      if (depth == 0) {
        end_word();
      } else {
        word.clear();
      }
      if (c == '{') {
        ++depth;
      } else if (c == '}') {
        if (depth == 0) {
          return invalid_argument("line " + std::to_string(line) + ": unbalanced '}'", "nft_text");
        }
        --depth;
      } else if ((c == '\n' || c == ';') && depth == 0) {
        end_command();
      }
      if (c == '\n') ++line;
      continue;
    }
    word += c;
  }
  if (!word.empty() && one_of(kForbiddenWords, word)) {
    return invalid_argument("line " + std::to_string(line) + ": '" + word + "' is not allowed",
                            "nft_text");
  }
  if (depth != 0) return invalid_argument("unbalanced '{' at the end", "nft_text");
  end_command();
  for (const Command& command : commands) {
    SENTINEL_TRY(check_command(command));
    any_command = true;
  }
  if (!any_command) return invalid_argument("no nft command", "nft_text");
  return ok();
}

}  // namespace sentinel::agent::firewall
