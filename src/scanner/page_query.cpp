#include "page_query.h"

#include <cstdint>

namespace sentinel::scanner {

Result<PageRequest> page_query(const gateway::Request& request) {
  PageRequest page;
  SENTINEL_ASSIGN(limit, gateway::integer_query(request, "limit", 1, kMaxPageLimit));
  SENTINEL_ASSIGN(offset, gateway::integer_query(request, "offset", 0, INT64_MAX));
  page.limit = limit.value_or(page.limit);
  page.offset = offset.value_or(page.offset);
  return page;
}

}  // namespace sentinel::scanner
