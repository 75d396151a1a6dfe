#include "response_head.h"

#include <array>
#include <charconv>
#include <vector>

#include "sentinel/common/text.h"

namespace sentinel::gateway {
namespace {

constexpr std::size_t kTypicalFields = 16;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool owned_by_gateway(std::string_view name) {
  return iequals(name, "X-Request-Id") || iequals(name, "Connection") ||
         iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding");
}

// A CR, LF or NUL in a field would end it early and let the rest be read as more fields.
bool splits_fields(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool has_no_body(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

// The fields in wire order: a field joins the last one of the same name, else goes last.
class FieldList {
 public:
  FieldList() { fields_.reserve(kTypicalFields); }
  void add(std::string_view name, std::string_view value) {
    for (std::size_t i = fields_.size(); i-- > 0;) {
      if (iequals(fields_[i].first, name)) {
        fields_.insert(fields_.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                       {name, trim_blanks(value)});
        return;
      }
    }
    fields_.emplace_back(name, trim_blanks(value));
  }
  const std::vector<HeaderView>& fields() const { return fields_; }

 private:
  std::vector<HeaderView> fields_;
};

}  // namespace

Result<std::string> serialize_head(const Response& response, std::span<const HeaderView> extra,
                                   const HeadOptions& options) {
  if (has_no_body(response.status) && !response.body.empty() && !options.head_request) {
    return invalid_argument("a 1xx, 204 or 304 response cannot carry a body");
  }
  for (const auto& [name, value] : response.headers) {
    if (splits_fields(name) || splits_fields(value)) {
      return invalid_argument("a response header contains CR, LF or NUL");
    }
  }
  if (splits_fields(response.content_type)) {
    return invalid_argument("the content type contains CR, LF or NUL");
  }
  FieldList list;
  if (!response.content_type.empty()) list.add("Content-Type", response.content_type);
  for (const auto& [name, value] : response.headers) {
    if (!owned_by_gateway(name)) list.add(name, value);
  }
  for (const auto& [name, value] : extra) {
    if (!owned_by_gateway(name)) list.add(name, value);
  }
  list.add("X-Request-Id", options.request_id);
  if (options.version >= 11 && !options.keep_alive) list.add("Connection", "close");
  if (options.version < 11 && options.keep_alive) list.add("Connection", "keep-alive");
  std::array<char, 24> length_text{};
  const auto [length_end, length_ec] = std::to_chars(
      length_text.data(), length_text.data() + length_text.size(), response.body.size());
  list.add("Content-Length",
           std::string_view(length_text.data(),
                            static_cast<std::size_t>(length_end - length_text.data())));

  std::size_t size = 32 + options.reason.size();
  for (const auto& [name, value] : list.fields()) size += name.size() + value.size() + 4;
  std::string head;
  head.reserve(size);
  head += "HTTP/";
  head += static_cast<char>('0' + options.version / 10);
  head += '.';
  head += static_cast<char>('0' + options.version % 10);
  head += ' ';
  std::array<char, 8> status_text{};
  const auto [status_end, status_ec] =
      std::to_chars(status_text.data(), status_text.data() + status_text.size(), response.status);
  head.append(status_text.data(), status_end);
  head += ' ';
  head += options.reason;
  head += "\r\n";
  for (const auto& [name, value] : list.fields()) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  head += "\r\n";
  return head;
}

}  // namespace sentinel::gateway
