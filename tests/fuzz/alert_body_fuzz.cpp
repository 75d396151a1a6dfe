// Runs the alert PATCH and comment body parsers on arbitrary bytes: each must answer with a value
// or an invalid-argument error naming a field of its body, never crash, and what it parsed must
// have come out of the body.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "src/alerts/alert_body.h"

namespace {

void check_update(std::string_view body) {
  const auto update = sentinel::alerts::parse_alert_update(body);
  if (!update) {
    if (update.error().code != sentinel::ErrorCode::kInvalidArgument) std::abort();
    return;
  }
  if (update->status && sentinel::alerts::parse_alert_status(
                            sentinel::alerts::to_string(*update->status)) != update->status) {
    std::abort();
  }
  // An assignee is a non-empty username taken from the body: never longer than the body.
  if (update->assignee && update->assignee->has_value() &&
      ((*update->assignee)->empty() || (*update->assignee)->size() > body.size())) {
    std::abort();
  }
}

void check_comment(std::string_view body) {
  const auto text = sentinel::alerts::parse_alert_comment(body);
  if (!text) {
    if (text.error().code != sentinel::ErrorCode::kInvalidArgument) std::abort();
    return;
  }
  if (text->size() > body.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  check_update(body);
  check_comment(body);
  return 0;
}
