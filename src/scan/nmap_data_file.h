#pragma once
// What nmap's line-oriented data files (`nmap-service-probes`, `nmap-services`, `nmap-payloads`)
// have in common: read whole with a size cap, and lines where blanks around the text, blank lines
// and `#` comment lines carry nothing. What a line means is each format's own reader's business.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"

namespace sentinel::scan {

/// The bytes of the file at `path`: kNotFound "cannot read PATH" when it cannot be opened,
/// kInvalidArgument "PATH is larger than MAX bytes" when it is (reading stops one byte past the
/// cap), kInternal "reading PATH failed" on an I/O error.
Result<std::string> read_nmap_data_file(const std::string& path, std::size_t max_bytes);

/// `text` without leading spaces and tabs and without trailing spaces, tabs and carriage returns
/// (a CRLF file's line ends): how a data file's lines and the pieces of a line are trimmed.
std::string_view trim_nmap_blanks(std::string_view text);

/// A port number as the data files write one: decimal digits only, 1 to 65535; nullopt otherwise.
std::optional<std::uint16_t> parse_nmap_port(std::string_view text);

/// A line with something on it: its number in the text (the first line is 1, blank and comment
/// lines count) and its trimmed text, never empty and never starting with `#`.
struct NmapDataLine {
  int number = 0;
  std::string_view text;
};

/// The lines of a data file's text, in order, without blank and `#` comment lines (a comment
/// may be indented). Views into `text`, which must outlive them; one reader per thread.
class NmapDataLines {
 public:
  explicit NmapDataLines(std::string_view text) : rest_(text) {}

  /// The next line with something on it; nullopt after the last.
  std::optional<NmapDataLine> next();

 private:
  std::string_view rest_;
  int number_ = 0;
};

}  // namespace sentinel::scan
