// Runs the server's inventory event decoders on arbitrary JSON from an (untrusted) agent: each
// must answer with a value or an invalid-argument error, never crash.

#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "../../src/inventory/inventory_event.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::system::error_code ec;
  const boost::json::value value =
      boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
  if (ec || !value.is_object()) return 0;
  const auto part = sentinel::inventory::parse_snapshot_part(value.as_object());
  if (!part && part.error().code != sentinel::ErrorCode::kInvalidArgument) std::abort();
  const auto delta = sentinel::inventory::parse_section_delta(value.as_object());
  if (!delta && delta.error().code != sentinel::ErrorCode::kInvalidArgument) std::abort();
  return 0;
}
