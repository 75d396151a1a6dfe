#include "condition_parser.h"

#include <charconv>

#include "text.h"

namespace sentinel::detection {
namespace {

constexpr int kMaxDepth = 64;

struct Token {
  enum class Kind { kWord, kOpen, kClose, kPipe, kComma, kCompare, kEnd };
  Kind kind = Kind::kEnd;
  std::string_view text;
  std::size_t offset = 0;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_special(char c) {
  return c == '(' || c == ')' || c == '|' || c == ',' || c == '<' || c == '>' || c == '=' ||
         c == '!';
}

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (is_space(c)) {
      ++i;
      continue;
    }
    Token token;
    token.offset = i;
    if (c == '(' || c == ')' || c == '|' || c == ',') {
      token.kind = c == '('   ? Token::Kind::kOpen
                   : c == ')' ? Token::Kind::kClose
                   : c == '|' ? Token::Kind::kPipe
                              : Token::Kind::kComma;
      token.text = text.substr(i, 1);
      ++i;
    } else if (c == '<' || c == '>' || c == '=' || c == '!') {
      std::size_t length = (i + 1 < text.size() && text[i + 1] == '=') ? 2 : 1;
      token.kind = Token::Kind::kCompare;
      token.text = text.substr(i, length);
      i += length;
    } else {
      std::size_t end = i;
      while (end < text.size() && !is_space(text[end]) && !is_special(text[end])) ++end;
      token.kind = Token::Kind::kWord;
      token.text = text.substr(i, end - i);
      i = end;
    }
    tokens.push_back(token);
  }
  tokens.push_back({Token::Kind::kEnd, {}, text.size()});
  return tokens;
}

bool is_keyword(std::string_view word) {
  for (std::string_view keyword : {"and", "or", "not", "of", "them", "all"}) {
    if (equals_ignoring_case(word, keyword)) return true;
  }
  return false;
}

class Parser {
 public:
  Parser(std::string_view text, const std::vector<std::string>& selections,
         std::vector<ConditionNode>& nodes, ConditionError& error)
      : tokens_(tokenize(text)), selections_(selections), nodes_(nodes), error_(error) {}

  bool parse(bool allow_pipe, ParsedCondition& out) {
    auto root = parse_or(0);
    if (!root) return false;
    out.root = *root;
    if (peek().kind == Token::Kind::kPipe) {
      if (!allow_pipe) return fail(peek(), "an aggregation is not allowed in a condition list");
      next();
      Aggregation aggregation;
      if (!parse_aggregation(aggregation)) return false;
      out.aggregation = std::move(aggregation);
    }
    if (peek().kind != Token::Kind::kEnd) {
      return fail(peek(), "unexpected '" + std::string(peek().text) + "'");
    }
    return true;
  }

 private:
  const Token& peek() const { return tokens_[position_]; }
  const Token& next() { return tokens_[position_ < tokens_.size() - 1 ? position_++ : position_]; }
  bool peek_word(std::string_view word) const {
    return peek().kind == Token::Kind::kWord && equals_ignoring_case(peek().text, word);
  }

  bool fail(const Token& at, std::string message) {
    error_.offset = at.offset;
    error_.message = std::move(message);
    return false;
  }

  std::nullopt_t fail_node(const Token& at, std::string message) {
    fail(at, std::move(message));
    return std::nullopt;
  }

  std::uint32_t add(ConditionNode node) {
    nodes_.push_back(std::move(node));
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  std::uint32_t add_selection(std::size_t selection) {
    return add({ConditionNode::Op::kSelection, static_cast<std::uint32_t>(selection), {}});
  }

  // Joins `children` under `op`, or returns the only child.
  std::uint32_t join(ConditionNode::Op op, std::vector<std::uint32_t> children) {
    if (children.size() == 1) return children.front();
    return add({op, 0, std::move(children)});
  }

  std::optional<std::uint32_t> parse_or(int depth) {
    return parse_chain(depth, "or", ConditionNode::Op::kOr, &Parser::parse_and);
  }
  std::optional<std::uint32_t> parse_and(int depth) {
    return parse_chain(depth, "and", ConditionNode::Op::kAnd, &Parser::parse_not);
  }

  std::optional<std::uint32_t> parse_chain(int depth, std::string_view word, ConditionNode::Op op,
                                           std::optional<std::uint32_t> (Parser::*operand)(int)) {
    std::vector<std::uint32_t> children;
    auto first = (this->*operand)(depth);
    if (!first) return std::nullopt;
    children.push_back(*first);
    while (peek_word(word)) {
      next();
      auto more = (this->*operand)(depth);
      if (!more) return std::nullopt;
      children.push_back(*more);
    }
    return join(op, std::move(children));
  }

  std::optional<std::uint32_t> parse_not(int depth) {
    if (!peek_word("not")) return parse_primary(depth);
    const Token& at = next();
    if (depth >= kMaxDepth) return fail_node(at, "the condition is nested too deeply");
    auto child = parse_not(depth + 1);
    if (!child) return std::nullopt;
    return add({ConditionNode::Op::kNot, 0, {*child}});
  }

  std::optional<std::uint32_t> parse_primary(int depth) {
    const Token& token = peek();
    if (token.kind == Token::Kind::kOpen) {
      next();
      if (depth >= kMaxDepth) return fail_node(token, "the condition is nested too deeply");
      auto inner = parse_or(depth + 1);
      if (!inner) return std::nullopt;
      if (peek().kind != Token::Kind::kClose) {
        return fail_node(peek(), "expected ')' to close the '(' at character " +
                                     std::to_string(token.offset + 1));
      }
      next();
      return inner;
    }
    if (token.kind != Token::Kind::kWord) {
      return fail_node(token,
                       token.kind == Token::Kind::kEnd
                           ? "the condition ends where a selection name was expected"
                           : "expected a selection name, found '" + std::string(token.text) + "'");
    }
    const Token& after = tokens_[position_ + 1];
    if (after.kind == Token::Kind::kWord && equals_ignoring_case(after.text, "of")) {
      return parse_quantifier();
    }
    if (is_keyword(token.text)) {
      return fail_node(token, "expected a selection name, found '" + std::string(token.text) + "'");
    }
    next();
    for (std::size_t i = 0; i < selections_.size(); ++i) {
      if (selections_[i] == token.text) return add_selection(i);
    }
    return fail_node(token, "unknown selection '" + std::string(token.text) + "'");
  }

  // `1 of X*`, `all of X*`, `1 of them`, `all of them`.
  std::optional<std::uint32_t> parse_quantifier() {
    const Token& quantity = next();
    ConditionNode::Op op;
    if (quantity.text == "1") {
      op = ConditionNode::Op::kOr;
    } else if (equals_ignoring_case(quantity.text, "all")) {
      op = ConditionNode::Op::kAnd;
    } else {
      return fail_node(quantity, "only '1 of' and 'all of' are supported, not '" +
                                     std::string(quantity.text) + " of'");
    }
    next();  // "of"
    const Token& target = next();
    if (target.kind != Token::Kind::kWord) {
      return fail_node(target, "expected 'them' or a selection pattern after 'of'");
    }
    const bool them = equals_ignoring_case(target.text, "them");
    std::vector<std::uint32_t> children;
    for (std::size_t i = 0; i < selections_.size(); ++i) {
      // Sigma: `them` leaves out identifiers starting with '_'.
      const bool matches =
          them ? selections_[i].rfind('_', 0) != 0 : glob_match(target.text, selections_[i]);
      if (matches) children.push_back(add_selection(i));
    }
    if (children.empty()) {
      return fail_node(target, them ? std::string("'of them' but the rule has no selection")
                                    : "no selection matches '" + std::string(target.text) + "'");
    }
    return join(op, std::move(children));
  }

  bool parse_aggregation(Aggregation& out) {
    const Token& function = next();
    if (function.kind != Token::Kind::kWord) {
      return fail(function, "expected count() after '|'");
    }
    if (equals_ignoring_case(function.text, "near")) {
      return fail(function, "'near' is not supported: write a temporal correlation rule");
    }
    if (!equals_ignoring_case(function.text, "count")) {
      return fail(function, "aggregation '" + std::string(function.text) +
                                "' is not supported: only count() and count(field)");
    }
    if (next().kind != Token::Kind::kOpen) return fail(function, "expected '(' after count");
    if (peek().kind == Token::Kind::kWord) out.count_field = std::string(next().text);
    if (peek().kind != Token::Kind::kClose) return fail(peek(), "expected ')' after count(");
    next();
    if (peek_word("by")) {
      next();
      do {
        const Token& field = next();
        if (field.kind != Token::Kind::kWord) return fail(field, "expected a field after 'by'");
        out.group_by.emplace_back(field.text);
      } while (peek().kind == Token::Kind::kComma && next().kind == Token::Kind::kComma);
    }
    const Token& compare = next();
    if (compare.kind != Token::Kind::kCompare) {
      return fail(compare, "expected a comparison (>, >=, =) after the aggregation");
    }
    const Token& number = next();
    long long value = -1;
    const auto [end, parse_error] =
        std::from_chars(number.text.data(), number.text.data() + number.text.size(), value);
    if (number.kind != Token::Kind::kWord || parse_error != std::errc() ||
        end != number.text.data() + number.text.size() || value < 0) {
      return fail(number, "expected a whole number after '" + std::string(compare.text) + "'");
    }
    std::size_t threshold = 0;
    if (compare.text == ">") {
      threshold = static_cast<std::size_t>(value) + 1;
    } else if (compare.text == ">=" || compare.text == "=" || compare.text == "==") {
      threshold = static_cast<std::size_t>(value);
    } else {
      return fail(compare, "'" + std::string(compare.text) +
                               "' would need the end of a window, which a streaming engine does "
                               "not have: use >, >= or =");
    }
    if (threshold > kMaxThreshold) {
      return fail(number, "a count over " + std::to_string(kMaxThreshold) + " is not supported");
    }
    out.threshold = threshold == 0 ? 1 : threshold;
    return true;
  }

  std::vector<Token> tokens_;
  std::size_t position_ = 0;
  const std::vector<std::string>& selections_;
  std::vector<ConditionNode>& nodes_;
  ConditionError& error_;
};

}  // namespace

bool parse_condition(std::string_view text, const std::vector<std::string>& selections,
                     bool allow_pipe, std::vector<ConditionNode>& nodes, ParsedCondition& out,
                     ConditionError& error) {
  Parser parser(text, selections, nodes, error);
  return parser.parse(allow_pipe, out);
}

bool glob_match(std::string_view pattern, std::string_view name) {
  // Iterative wildcard match with backtracking to the last '*'.
  std::size_t p = 0, n = 0, star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace sentinel::detection
