#include "agent/firewall/nft_listing.h"

#include <string>

#include "sentinel/common/crypto.h"

namespace sentinel::agent::firewall {
namespace {

std::string_view trim_left(std::string_view line) {
  while (!line.empty() && (line.front() == '\t' || line.front() == ' ')) line.remove_prefix(1);
  return line;
}

// "set NAME {" or "map NAME {": the name, else empty.
std::string_view set_name(std::string_view line) {
  line = trim_left(line);
  for (std::string_view keyword : {"set ", "map "}) {
    if (line.substr(0, keyword.size()) == keyword && line.ends_with(" {")) {
      return line.substr(keyword.size(), line.size() - keyword.size() - 2);
    }
  }
  return {};
}

}  // namespace

TableListing listing_from_text(std::string_view text) {
  TableListing listing;
  std::string hashed;
  std::string current_set;
  bool dynamic_set = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    const std::string_view body = trim_left(line);
    if (const auto name = set_name(line); !name.empty()) {
      current_set = std::string(name);
      dynamic_set = false;
      listing.set_elements[current_set] = 0;
    } else if (body.starts_with("flags ") && (body.find("timeout") != std::string_view::npos ||
                                              body.find("dynamic") != std::string_view::npos)) {
      dynamic_set = true;
    } else if (body.starts_with("elements = {") && !current_set.empty()) {
      // Up to the matching brace, across lines; quoted text (element comments) is skipped.
      std::size_t count = 1;
      int depth = 0;
      std::size_t i = pos + (line.size() - body.size()) + std::string_view("elements = ").size();
      for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
          const std::size_t close = text.find('"', i + 1);
          if (close == std::string_view::npos) break;
          i = close;
        } else if (c == '{') {
          ++depth;
        } else if (c == '}') {
          if (--depth == 0) break;
        } else if (c == ',' && depth == 1) {
          ++count;
        }
      }
      if (dynamic_set) {
        listing.set_elements.erase(current_set);
      } else {
        listing.set_elements[current_set] = count;
      }
      end = text.find('\n', i);
      if (end == std::string_view::npos) end = text.size();
      pos = end + 1;
      continue;
    } else if (body == "}") {
      if (dynamic_set) listing.set_elements.erase(current_set);
      current_set.clear();
      dynamic_set = false;
    }
    hashed.append(line);
    hashed += '\n';
    pos = end + 1;
  }
  listing.hash = crypto::sha256_hex(hashed);
  return listing;
}

}  // namespace sentinel::agent::firewall
