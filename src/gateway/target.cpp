#include "target.h"

#include <algorithm>
#include <boost/url/parse.hpp>

#include "utf8.h"

namespace sentinel::gateway {
namespace {

bool contains_ci(std::string_view text, std::string_view needle) {
  return std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         }) != text.end();
}

}  // namespace

Status parse_target(std::string_view target, Request& request) {
  if (target.size() > kMaxTargetLength) return invalid_argument("request target is too long");
  const auto url = boost::urls::parse_origin_form(target);
  if (!url) return invalid_argument("malformed request target");
  const std::string_view encoded_path = url->encoded_path();
  // An encoded '/' would change the segments after decoding; nobody needs one in our paths.
  if (contains_ci(encoded_path, "%2f") || contains_ci(encoded_path, "%00")) {
    return invalid_argument("request path contains an encoded '/' or NUL");
  }
  std::string path = url->path();
  if (first_invalid_utf8(path)) return invalid_argument("request path is not valid UTF-8");
  request.path = std::move(path);
  request.query.clear();
  for (const auto& param : url->params()) {
    if (first_invalid_utf8(param.key) || first_invalid_utf8(param.value)) {
      return invalid_argument("query string is not valid UTF-8");
    }
    request.query.emplace(param.key, param.value);
  }
  return ok();
}

}  // namespace sentinel::gateway
