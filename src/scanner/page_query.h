#pragma once
// The page a list route of the scanner answers: `limit` and `offset`, read as every list of the
// API reads them.

#include "sentinel/common/result.h"
#include "sentinel/gateway/http.h"
#include "sentinel/scanner/scan_job.h"

namespace sentinel::scanner {

/// limit (1..kMaxPageLimit, default PageRequest's) and offset (0 or more) of the query; the
/// error names the parameter.
Result<PageRequest> page_query(const gateway::Request& request);

}  // namespace sentinel::scanner
