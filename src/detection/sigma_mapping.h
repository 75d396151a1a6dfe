#pragma once
// The one place where Sigma's vocabulary meets ours: which events a `logsource` selects and
// which of our field names a Sigma standard field name stands for. rules/README.md documents
// both tables; keep them in step.

#include <string_view>

#include "compiled_rules.h"
#include "sentinel/common/result.h"

namespace sentinel::detection {

/// The events selected by a `logsource` (empty strings for absent keys), or why none can be.
Result<EventFilter> map_logsource(std::string_view product, std::string_view category,
                                  std::string_view service);

/// Our field name for a Sigma standard field name (`Image` -> `process.executable`); any other
/// name unchanged.
std::string_view map_field_name(std::string_view name);

}  // namespace sentinel::detection
