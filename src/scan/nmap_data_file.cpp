#include "nmap_data_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>

namespace sentinel::scan {
namespace {

constexpr std::size_t kReadChunkBytes = 1 << 20;

}  // namespace

Result<std::string> read_nmap_data_file(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(fmt::format("cannot read {}", path));
  // In chunks, one byte past the cap at most: a hostile file costs no more memory than that.
  std::string text;
  while (in && text.size() <= max_bytes) {
    const std::size_t start = text.size();
    text.resize(std::min(start + kReadChunkBytes, max_bytes + 1));
    in.read(text.data() + start, static_cast<std::streamsize>(text.size() - start));
    text.resize(start + static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return internal_error(fmt::format("reading {} failed", path));
  if (text.size() > max_bytes) {
    return invalid_argument(fmt::format("{} is larger than {} bytes", path, max_bytes));
  }
  return text;
}

std::string_view trim_nmap_blanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<std::uint16_t> parse_nmap_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value < 1 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::optional<NmapDataLine> NmapDataLines::next() {
  while (!rest_.empty()) {
    ++number_;
    const std::size_t newline = rest_.find('\n');
    const std::string_view line = trim_nmap_blanks(rest_.substr(0, newline));
    rest_ = newline == std::string_view::npos ? std::string_view{} : rest_.substr(newline + 1);
    if (!line.empty() && line.front() != '#') return NmapDataLine{number_, line};
  }
  return std::nullopt;
}

}  // namespace sentinel::scan
