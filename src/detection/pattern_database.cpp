#include "pattern_database.h"

#include <cstdlib>

namespace sentinel::detection {

PatternDatabase PatternDatabase::compile(const std::vector<PatternSpec>& patterns,
                                         PatternError& error) {
  std::vector<const char*> expressions;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  expressions.reserve(patterns.size());
  flags.reserve(patterns.size());
  ids.reserve(patterns.size());
  for (const PatternSpec& pattern : patterns) {
    expressions.push_back(pattern.expression.c_str());
    flags.push_back(pattern.flags);
    ids.push_back(pattern.id);
  }
  PatternDatabase out;
  hs_database_t* database = nullptr;
  hs_compile_error_t* compile_error = nullptr;
  if (hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                       static_cast<unsigned>(patterns.size()), HS_MODE_BLOCK, nullptr, &database,
                       &compile_error) != HS_SUCCESS) {
    error.pattern = compile_error != nullptr ? compile_error->expression : -1;
    error.message = compile_error != nullptr ? compile_error->message : "vectorscan failed";
    hs_free_compile_error(compile_error);
    return out;
  }
  out.database_.reset(database);
  return out;
}

Result<unsigned> check_expression(const std::string& expression, unsigned flags) {
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* compile_error = nullptr;
  if (hs_expression_info(expression.c_str(), flags, &info, &compile_error) != HS_SUCCESS) {
    std::string message = compile_error != nullptr ? compile_error->message : "invalid";
    hs_free_compile_error(compile_error);
    return invalid_argument(std::move(message));
  }
  const unsigned min_width = info->min_width;
  std::free(info);  // allocated by vectorscan's default allocator (malloc)
  return min_width;
}

bool ScanScratch::prepare(const PatternDatabase& database) {
  if (!database) return true;
  hs_scratch_t* scratch = scratch_.release();
  const bool ok = hs_alloc_scratch(database.get(), &scratch) == HS_SUCCESS;
  scratch_.reset(scratch);
  return ok;
}

}  // namespace sentinel::detection
