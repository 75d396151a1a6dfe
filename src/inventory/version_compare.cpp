// Ports of dpkg's verrevcmp (lib/dpkg/version.c) and rpm's rpmvercmp (rpmio/rpmvercmp.c) over
// string_view, so that "is X below Y" answers what the host's package manager would.

#include "sentinel/inventory/version_compare.h"

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace sentinel::inventory {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }

// The character at `i`, or '\0' past the end, as the C originals read their strings.
char at(std::string_view text, std::size_t i) { return i < text.size() ? text[i] : '\0'; }

// ---- Debian --------------------------------------------------------------------------------

// dpkg's weight of a non-digit: '~' below the end of the string, letters below other symbols.
int order(char c) {
  if (is_digit(c)) return 0;
  if (is_alpha(c)) return static_cast<unsigned char>(c);
  if (c == '~') return -1;
  if (c != '\0') return static_cast<unsigned char>(c) + 256;
  return 0;
}

int verrevcmp(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    int first_diff = 0;
    while ((i < a.size() && !is_digit(a[i])) || (j < b.size() && !is_digit(b[j]))) {
      const int ac = order(at(a, i));
      const int bc = order(at(b, j));
      if (ac != bc) return ac - bc;
      ++i;
      ++j;
    }
    while (at(a, i) == '0') ++i;
    while (at(b, j) == '0') ++j;
    while (is_digit(at(a, i)) && is_digit(at(b, j))) {
      if (first_diff == 0) first_diff = a[i] - b[j];
      ++i;
      ++j;
    }
    if (is_digit(at(a, i))) return 1;
    if (is_digit(at(b, j))) return -1;
    if (first_diff != 0) return first_diff;
  }
  return 0;
}

struct DebianVersion {
  std::uint64_t epoch = 0;
  std::string_view upstream;
  std::string_view revision;
};

std::string_view trim_spaces(std::string_view text) {
  const std::size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return {};
  return text.substr(start, text.find_last_not_of(" \t\r\n") - start + 1);
}

// The leading decimal digits of `text` as a number, saturating (an epoch is an int in dpkg).
std::uint64_t leading_number(std::string_view text) {
  std::uint64_t value = 0;
  for (char c : text) {
    if (!is_digit(c)) break;
    value = std::min<std::uint64_t>(value * 10 + static_cast<std::uint64_t>(c - '0'), 1u << 31);
  }
  return value;
}

DebianVersion split_debian(std::string_view version) {
  version = trim_spaces(version);
  DebianVersion parts;
  if (const std::size_t colon = version.find(':'); colon != std::string_view::npos) {
    parts.epoch = leading_number(version.substr(0, colon));
    version.remove_prefix(colon + 1);
  }
  if (const std::size_t hyphen = version.rfind('-'); hyphen != std::string_view::npos) {
    parts.revision = version.substr(hyphen + 1);
    version = version.substr(0, hyphen);
  }
  parts.upstream = version;
  return parts;
}

// ---- RPM -----------------------------------------------------------------------------------

struct RpmVersion {
  std::uint64_t epoch = 0;
  std::string_view version;
  std::string_view release;
  bool has_release = false;
};

// rpm's parseEVR: an epoch is leading digits followed by ':'; the release follows the last '-'.
RpmVersion split_rpm(std::string_view evr) {
  RpmVersion parts;
  std::size_t digits = 0;
  while (digits < evr.size() && is_digit(evr[digits])) ++digits;
  if (digits < evr.size() && evr[digits] == ':') {
    parts.epoch = leading_number(evr.substr(0, digits));
    evr.remove_prefix(digits + 1);
  }
  if (const std::size_t hyphen = evr.rfind('-'); hyphen != std::string_view::npos) {
    parts.release = evr.substr(hyphen + 1);
    parts.has_release = true;
    evr = evr.substr(0, hyphen);
  }
  parts.version = evr;
  return parts;
}

int sign(int value) { return (value > 0) - (value < 0); }

}  // namespace

int compare_debian_versions(std::string_view a, std::string_view b) {
  const DebianVersion left = split_debian(a);
  const DebianVersion right = split_debian(b);
  if (left.epoch != right.epoch) return left.epoch < right.epoch ? -1 : 1;
  if (const int upstream = verrevcmp(left.upstream, right.upstream); upstream != 0) {
    return sign(upstream);
  }
  return sign(verrevcmp(left.revision, right.revision));
}

bool is_valid_debian_version(std::string_view version) {
  if (version.empty() || version.size() > 256) return false;
  if (version.find_first_of(" \t\r\n") != std::string_view::npos) return false;
  std::string_view rest = version;
  if (const std::size_t colon = rest.find(':'); colon != std::string_view::npos) {
    const std::string_view epoch = rest.substr(0, colon);
    if (epoch.empty() || epoch.size() > 9 || !std::all_of(epoch.begin(), epoch.end(), is_digit)) {
      return false;
    }
    rest.remove_prefix(colon + 1);
  }
  std::string_view revision;
  if (const std::size_t hyphen = rest.rfind('-'); hyphen != std::string_view::npos) {
    revision = rest.substr(hyphen + 1);
    if (revision.empty()) return false;
    rest = rest.substr(0, hyphen);
  }
  if (rest.empty() || !is_digit(rest.front())) return false;
  const auto upstream_char = [](char c) {
    return is_alnum(c) || c == '.' || c == '-' || c == '+' || c == '~' || c == ':';
  };
  const auto revision_char = [](char c) { return is_alnum(c) || c == '.' || c == '+' || c == '~'; };
  return std::all_of(rest.begin(), rest.end(), upstream_char) &&
         std::all_of(revision.begin(), revision.end(), revision_char);
}

int rpmvercmp(std::string_view a, std::string_view b) {
  if (a == b) return 0;
  std::size_t one = 0;
  std::size_t two = 0;
  const auto separator = [](char c) { return c != '\0' && !is_alnum(c) && c != '~' && c != '^'; };
  while (one < a.size() || two < b.size()) {
    while (separator(at(a, one))) ++one;
    while (separator(at(b, two))) ++two;

    // '~' sorts before everything else.
    if (at(a, one) == '~' || at(b, two) == '~') {
      if (at(a, one) != '~') return 1;
      if (at(b, two) != '~') return -1;
      ++one;
      ++two;
      continue;
    }
    // '^' sorts after the end of the other string, before anything else.
    if (at(a, one) == '^' || at(b, two) == '^') {
      if (one >= a.size()) return -1;
      if (two >= b.size()) return 1;
      if (at(a, one) != '^') return 1;
      if (at(b, two) != '^') return -1;
      ++one;
      ++two;
      continue;
    }
    if (one >= a.size() || two >= b.size()) break;

    // The next run of digits or of letters on both sides.
    const bool numeric = is_digit(a[one]);
    const auto in_segment = [numeric](char c) { return numeric ? is_digit(c) : is_alpha(c); };
    std::size_t end_one = one;
    std::size_t end_two = two;
    while (end_one < a.size() && in_segment(a[end_one])) ++end_one;
    while (end_two < b.size() && in_segment(b[end_two])) ++end_two;
    // A number against letters: the number is newer.
    if (end_two == two) return numeric ? 1 : -1;

    std::string_view segment_one = a.substr(one, end_one - one);
    std::string_view segment_two = b.substr(two, end_two - two);
    if (numeric) {
      while (!segment_one.empty() && segment_one.front() == '0') segment_one.remove_prefix(1);
      while (!segment_two.empty() && segment_two.front() == '0') segment_two.remove_prefix(1);
      if (segment_one.size() != segment_two.size()) {
        return segment_one.size() > segment_two.size() ? 1 : -1;
      }
    }
    if (const int rc = segment_one.compare(segment_two); rc != 0) return rc < 0 ? -1 : 1;
    one = end_one;
    two = end_two;
  }
  if (one >= a.size() && two >= b.size()) return 0;
  return one >= a.size() ? -1 : 1;
}

int compare_rpm_versions(std::string_view a, std::string_view b) {
  const RpmVersion left = split_rpm(a);
  const RpmVersion right = split_rpm(b);
  if (left.epoch != right.epoch) return left.epoch < right.epoch ? -1 : 1;
  if (const int version = rpmvercmp(left.version, right.version); version != 0) return version;
  if (!left.has_release || !right.has_release) return 0;
  return rpmvercmp(left.release, right.release);
}

VersionComparator comparator_for_source(std::string_view source) {
  if (source == "dpkg") return compare_debian_versions;
  if (source == "rpm") return compare_rpm_versions;
  return nullptr;
}

}  // namespace sentinel::inventory
