#include "value_pattern.h"

#include <array>

namespace sentinel::detection {
namespace {

using Match = FieldModifiers::Match;
using Transform = FieldModifiers::Transform;

constexpr std::size_t kMaxVariants = 256;

// One piece of a Sigma string: literal bytes or a wildcard.
struct Piece {
  enum class Kind { kLiteral, kAnyRun, kAnyOne };
  Kind kind = Kind::kLiteral;
  std::string text;
};

// A value variant: a Sigma string (wildcards active) or plain bytes (after base64).
struct Variant {
  std::string text;
  bool literal = false;
};

// Splits a Sigma string into literals and wildcards. A backslash escapes `*`, `?` and itself;
// before any other character it is a plain backslash (Sigma specification, "Escaping").
std::vector<Piece> split_wildcards(std::string_view text) {
  std::vector<Piece> pieces;
  const auto literal = [&pieces](char c) {
    if (pieces.empty() || pieces.back().kind != Piece::Kind::kLiteral) pieces.push_back({});
    pieces.back().text.push_back(c);
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size() &&
        (text[i + 1] == '*' || text[i + 1] == '?' || text[i + 1] == '\\')) {
      literal(text[++i]);
    } else if (c == '*') {
      if (pieces.empty() || pieces.back().kind != Piece::Kind::kAnyRun) {
        pieces.push_back({Piece::Kind::kAnyRun, {}});
      }
    } else if (c == '?') {
      pieces.push_back({Piece::Kind::kAnyOne, {}});
    } else {
      literal(c);
    }
  }
  return pieces;
}

bool has_wildcard(std::string_view text) {
  for (const Piece& piece : split_wildcards(text)) {
    if (piece.kind != Piece::Kind::kLiteral) return true;
  }
  return false;
}

std::string unescape(std::string_view text) {
  std::string out;
  for (const Piece& piece : split_wildcards(text)) out += piece.text;
  return out;
}

void append_literal(std::string& expression, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= '0' && byte <= '9') || (byte >= 'a' && byte <= 'z') ||
        (byte >= 'A' && byte <= 'Z')) {
      expression.push_back(c);
    } else {
      expression += "\\x";
      expression.push_back(kHex[byte >> 4]);
      expression.push_back(kHex[byte & 0xf]);
    }
  }
}

bool is_word_byte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte >= '0' && byte <= '9') || (byte >= 'a' && byte <= 'z') ||
         (byte >= 'A' && byte <= 'Z') || c == '_' || byte >= 0x80;
}

// The dash characters Sigma's windash interchanges (UTF-8).
constexpr std::array<std::string_view, 5> kDashes = {"-", "/", "\xe2\x80\x93", "\xe2\x80\x94",
                                                     "\xe2\x80\x95"};

// Every permutation of flag dashes in `text`: a dash at the start of a word ("-x", " /x"), as
// pySigma's windash does.
Result<std::vector<std::string>> windash(std::string_view text) {
  std::vector<std::string> out{std::string()};
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t dash_length = 0;
    for (std::string_view dash : kDashes) {
      if (text.substr(i, dash.size()) == dash) dash_length = dash.size();
    }
    const bool flag = dash_length > 0 && (i == 0 || !is_word_byte(text[i - 1])) &&
                      i + dash_length < text.size() && is_word_byte(text[i + dash_length]);
    if (!flag) {
      const std::size_t length = dash_length > 0 ? dash_length : 1;
      for (std::string& variant : out) variant.append(text.substr(i, length));
      i += length;
      continue;
    }
    if (out.size() * kDashes.size() > kMaxVariants) {
      return invalid_argument("windash: too many dashes (more than " +
                              std::to_string(kMaxVariants) + " variants)");
    }
    std::vector<std::string> expanded;
    expanded.reserve(out.size() * kDashes.size());
    for (const std::string& variant : out) {
      for (std::string_view dash : kDashes) expanded.push_back(variant + std::string(dash));
    }
    out = std::move(expanded);
    i += dash_length;
  }
  return out;
}

// pySigma's base64offset: the value encoded at offsets 0, 1 and 2, keeping only the characters
// that do not depend on the bytes around it.
std::vector<std::string> base64_offsets(std::string_view value) {
  static constexpr std::array<std::size_t, 3> kStart = {0, 2, 3};
  static constexpr std::array<int, 3> kEndTrim = {0, 3, 2};
  std::vector<std::string> out;
  for (std::size_t shift = 0; shift < 3; ++shift) {
    const std::string encoded = base64_encode(std::string(shift, ' ') + std::string(value));
    const std::size_t end = encoded.size() - kEndTrim[(value.size() + shift) % 3];
    const std::size_t start = kStart[shift];
    out.push_back(end > start ? encoded.substr(start, end - start) : std::string());
  }
  return out;
}

Result<std::vector<Variant>> apply_transforms(std::string_view value,
                                              const FieldModifiers& modifiers) {
  std::vector<Variant> variants{{std::string(value), false}};
  for (const Transform transform : modifiers.transforms) {
    std::vector<Variant> next;
    for (const Variant& variant : variants) {
      if (transform == Transform::kWindash) {
        if (variant.literal) {
          next.push_back(variant);
          continue;
        }
        auto expanded = windash(variant.text);
        if (!expanded) return std::move(expanded).error();
        for (std::string& text : *expanded) next.push_back({std::move(text), false});
      } else {
        if (!variant.literal && has_wildcard(variant.text)) {
          return invalid_argument(
              "wildcards cannot be base64-encoded: escape '*' and '?' as "
              "'\\*' and '\\?'");
        }
        const std::string plain = variant.literal ? variant.text : unescape(variant.text);
        if (transform == Transform::kBase64) {
          next.push_back({base64_encode(plain), true});
        } else {
          for (std::string& text : base64_offsets(plain)) next.push_back({std::move(text), true});
        }
      }
      if (next.size() > kMaxVariants) {
        return invalid_argument("the value expands to more than " + std::to_string(kMaxVariants) +
                                " variants");
      }
    }
    variants = std::move(next);
  }
  return variants;
}

}  // namespace

Result<FieldModifiers> parse_modifiers(const std::vector<std::string_view>& names) {
  FieldModifiers out;
  bool type_given = false;  // re, cidr, exists, fieldref or a comparison
  const auto set_type = [&type_given](std::string_view name) -> Status {
    if (type_given) {
      return invalid_argument("modifier '" + std::string(name) +
                              "' cannot be combined with re, cidr, exists, fieldref or a "
                              "comparison");
    }
    type_given = true;
    return ok();
  };
  for (std::string_view name : names) {
    Status status = ok();
    if (name == "contains" || name == "startswith" || name == "endswith") {
      if (out.match_given) {
        return invalid_argument("only one of contains, startswith and endswith may be given");
      }
      out.match_given = true;
      out.match = name == "contains"     ? Match::kContains
                  : name == "startswith" ? Match::kStartsWith
                                         : Match::kEndsWith;
    } else if (name == "all") {
      out.all = true;
    } else if (name == "cased") {
      out.cased = true;
    } else if (name == "neq") {
      out.neq = true;
    } else if (name == "windash") {
      out.transforms.push_back(Transform::kWindash);
    } else if (name == "base64") {
      out.transforms.push_back(Transform::kBase64);
    } else if (name == "base64offset") {
      out.transforms.push_back(Transform::kBase64Offset);
    } else if (name == "re") {
      status = set_type(name);
      out.re = true;
    } else if (name == "i" || name == "m" || name == "s") {
      if (!out.re) {
        return invalid_argument("modifier '" + std::string(name) + "' only follows 're'");
      }
      (name == "i" ? out.re_caseless : name == "m" ? out.re_multiline : out.re_dotall) = true;
    } else if (name == "cidr") {
      status = set_type(name);
      out.cidr = true;
    } else if (name == "exists") {
      status = set_type(name);
      out.exists = true;
    } else if (name == "fieldref") {
      status = set_type(name);
      out.fieldref = true;
    } else if (name == "gt" || name == "gte" || name == "lt" || name == "lte") {
      status = set_type(name);
      out.number = name == "gt"    ? NumberOp::kGt
                   : name == "gte" ? NumberOp::kGte
                   : name == "lt"  ? NumberOp::kLt
                                   : NumberOp::kLte;
    } else if (name == "expand") {
      return invalid_argument(
          "modifier 'expand' is not supported: placeholders have no values "
          "here");
    } else if (name == "wide" || name == "utf16" || name == "utf16le" || name == "utf16be") {
      return invalid_argument("modifier '" + std::string(name) +
                              "' is not supported: UTF-16 text does not occur in these events");
    } else if (name.empty()) {
      return invalid_argument("empty modifier (two '|' in a row)");
    } else {
      return invalid_argument("unknown modifier '" + std::string(name) + "'");
    }
    if (!status) return std::move(status).error();
  }
  const bool string_modifiers = out.match_given || !out.transforms.empty();
  if ((out.re || out.cidr || out.exists || out.number) && string_modifiers) {
    return invalid_argument(
        "contains, startswith, endswith, windash and base64 do not apply to re, cidr, exists or "
        "comparisons");
  }
  if (out.fieldref && !out.transforms.empty()) {
    return invalid_argument("windash and base64 do not apply to fieldref");
  }
  if (out.neq && (out.exists || out.all)) {
    return invalid_argument("neq cannot be combined with exists or all");
  }
  if (out.exists && (out.all || out.cased)) {
    return invalid_argument("exists takes no other modifier");
  }
  for (const Transform transform : out.transforms) {
    if (transform == Transform::kBase64Offset && out.match != Match::kContains) {
      return invalid_argument("base64offset needs contains (base64offset|contains)");
    }
  }
  return out;
}

Result<StringMatcher> compile_string_value(std::string_view value,
                                           const FieldModifiers& modifiers) {
  StringMatcher out;
  if (modifiers.re) {
    out.expression = std::string(value);
    out.flags = HS_FLAG_SINGLEMATCH | (modifiers.re_caseless ? HS_FLAG_CASELESS : 0) |
                (modifiers.re_multiline ? HS_FLAG_MULTILINE : 0) |
                (modifiers.re_dotall ? HS_FLAG_DOTALL : 0);
    auto min_width = check_expression(out.expression, out.flags);
    if (!min_width) return invalid_argument("regex: " + min_width.error().message);
    if (*min_width == 0) out.flags |= HS_FLAG_ALLOWEMPTY;
    return out;
  }
  auto variants = apply_transforms(value, modifiers);
  if (!variants) return std::move(variants).error();

  bool anchor_start = modifiers.match == Match::kExact || modifiers.match == Match::kStartsWith;
  bool anchor_end = modifiers.match == Match::kExact || modifiers.match == Match::kEndsWith;
  std::vector<std::vector<Piece>> alternatives;
  bool literal_only = true;
  for (const Variant& variant : *variants) {
    std::vector<Piece> pieces = variant.literal
                                    ? std::vector<Piece>{{Piece::Kind::kLiteral, variant.text}}
                                    : split_wildcards(variant.text);
    literal_only = literal_only && variant.literal;
    if (!pieces.empty() && pieces.front().kind == Piece::Kind::kLiteral &&
        pieces.front().text.empty()) {
      pieces.erase(pieces.begin());
    }
    alternatives.push_back(std::move(pieces));
  }
  // A leading or trailing `*` only lifts the anchor on that side; do that once for all
  // variants (they share their shape), so that `*x` becomes endswith x.
  const auto all_start_with_run = [&alternatives] {
    for (const auto& pieces : alternatives) {
      if (pieces.empty() || pieces.front().kind != Piece::Kind::kAnyRun) return false;
    }
    return true;
  };
  const auto all_end_with_run = [&alternatives] {
    for (const auto& pieces : alternatives) {
      if (pieces.empty() || pieces.back().kind != Piece::Kind::kAnyRun) return false;
    }
    return true;
  };
  if (all_start_with_run()) {
    for (auto& pieces : alternatives) pieces.erase(pieces.begin());
    anchor_start = false;
  }
  if (all_end_with_run()) {
    for (auto& pieces : alternatives) pieces.pop_back();
    anchor_end = false;
  }
  for (const auto& pieces : alternatives) {
    if (!pieces.empty()) continue;
    // An empty alternative: `''` exactly is an empty value; anything else matches every value.
    out.kind = anchor_start && anchor_end && alternatives.size() == 1 ? ValueKind::kEmpty
                                                                      : ValueKind::kPresent;
    return out;
  }

  std::string& expression = out.expression;
  if (anchor_start) expression += "\\A";
  if (alternatives.size() > 1) expression += "(?:";
  for (std::size_t i = 0; i < alternatives.size(); ++i) {
    if (i > 0) expression += '|';
    for (const Piece& piece : alternatives[i]) {
      if (piece.kind == Piece::Kind::kLiteral) {
        append_literal(expression, piece.text);
      } else {
        expression += piece.kind == Piece::Kind::kAnyRun ? ".*" : ".";
      }
    }
  }
  if (alternatives.size() > 1) expression += ')';
  if (anchor_end) expression += "\\z";
  // base64 text is case-sensitive by nature: matching it caselessly would only add noise.
  const bool caseless = !modifiers.cased && !literal_only;
  out.flags = HS_FLAG_SINGLEMATCH | HS_FLAG_DOTALL | (caseless ? HS_FLAG_CASELESS : 0);
  return out;
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace sentinel::detection
