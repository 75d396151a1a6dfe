#include "service_label.h"

#include <string_view>

namespace sentinel::ctl {
namespace {

std::string_view text_at(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string_view(value->get_string())
                                                : std::string_view();
}

}  // namespace

std::string service_label(const boost::json::object& port) {
  const auto* service = port.if_contains("service");
  const std::string_view name =
      service != nullptr && service->is_object() ? text_at(service->get_object(), "service") : "";
  const std::string_view guess = text_at(port, "port_name");
  const std::string guessed = guess.empty() ? std::string() : std::string(guess) + "?";
  if (name == "ssl") return "ssl/" + (guessed.empty() ? std::string("unknown") : guessed);
  if (name.empty()) return guessed;
  return (text_at(port, "tunnel") == "ssl" ? "ssl/" : "") + std::string(name);
}

}  // namespace sentinel::ctl
