#pragma once
// One `match` or `softmatch` line of a probe file: a PCRE2 pattern and the version template
// filled from its captures. Compiled once, matched from many threads (PCRE2 code is read-only;
// each match brings its own match data).

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/service_probes.h"

namespace sentinel::scan {

/// The version fields of a pattern line before substitution (`p/.../ v/.../ cpe:/.../`).
struct VersionTemplate {
  std::string product;
  std::string version;
  std::string info;
  std::string hostname;
  std::string os;
  std::string device;
  std::vector<std::string> cpes;  // without the "cpe:/" prefix
};

/// A compiled `match`/`softmatch` line.
class ServicePattern {
 public:
  /// Parses the text after `match ` or `softmatch ` ("ssh m|^SSH-...|s p/OpenSSH/ ...").
  static Result<ServicePattern> parse(std::string_view text, bool soft);

  /// The filled ServiceInfo when `response` matches, or nullopt (also when PCRE2 gives up at its
  /// match limit: a hostile banner costs bounded time and names nothing).
  std::optional<ServiceInfo> match(std::string_view response, pcre2_match_data* data,
                                   pcre2_match_context* context) const;

  const std::string& service() const { return service_; }
  bool soft() const { return soft_; }
  /// The highest capture number of any pattern is needed to size shared match data.
  std::uint32_t capture_count() const { return capture_count_; }

 private:
  struct CodeDeleter {
    void operator()(pcre2_code* code) const { pcre2_code_free(code); }
  };

  std::string service_;
  bool soft_ = false;
  std::shared_ptr<pcre2_code> code_;
  std::uint32_t capture_count_ = 0;
  VersionTemplate template_;
};

}  // namespace sentinel::scan
