#include "policy_check.h"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>

#include "sentinel/common/crypto.h"
#include "sentinel/firewall/policy_parser.h"

namespace sentinel::firewall {
namespace {

// How many errors a refusal message names; the validate route (and a refused feed definition's
// answer) lists them all.
constexpr std::size_t kNamedErrors = 5;

std::string describe(const Problem& problem) {
  std::string where = problem.path.empty() ? std::string("document") : problem.path;
  if (!problem.rule_id.empty()) where += fmt::format(" (rule \"{}\")", problem.rule_id);
  return fmt::format("{}: {}", where, problem.message);
}

}  // namespace

CheckedDocument check_document(std::string_view json, const ValidationContext& context) {
  CheckedDocument checked;
  PolicyParse parse = parse_policy(json);
  checked.problems = std::move(parse.problems);
  ValidationContext partial = context;
  if (has_errors(checked.problems)) partial.endpoints.clear();
  std::vector<Problem> more = validate(parse.document, partial);
  checked.problems.insert(checked.problems.end(), std::make_move_iterator(more.begin()),
                          std::make_move_iterator(more.end()));
  checked.document = std::move(parse.document);
  if (checked.ok()) {
    checked.canonical_json = boost::json::serialize(to_json(checked.document));
    checked.sha256 = crypto::sha256_hex(checked.canonical_json);
  }
  return checked;
}

std::string errors_summary(std::string_view subject, const std::vector<Problem>& problems) {
  std::vector<std::string> named;
  std::size_t errors = 0;
  for (const Problem& problem : problems) {
    if (problem.severity != Severity::kError) continue;
    if (++errors <= kNamedErrors) named.push_back(describe(problem));
  }
  std::string message = fmt::format("{} has {} error{}: {}", subject, errors,
                                    errors == 1 ? "" : "s", fmt::join(named, "; "));
  if (errors > kNamedErrors) message += fmt::format("; and {} more", errors - kNamedErrors);
  return message;
}

Error invalid_policy(const std::vector<Problem>& problems) {
  return Error{ErrorCode::kInvalidArgument, errors_summary("the policy", problems),
               "invalid_policy", "document"};
}

std::vector<Problem> warnings_of(const std::vector<Problem>& problems) {
  std::vector<Problem> out;
  for (const Problem& problem : problems) {
    if (problem.severity == Severity::kWarning) out.push_back(problem);
  }
  return out;
}

}  // namespace sentinel::firewall
