#include "service_label.h"

#include "output.h"

namespace sentinel::ctl {

std::string service_label(const boost::json::object& port) {
  const auto* service = port.if_contains("service");
  const std::string name = service != nullptr && service->is_object()
                               ? text_field(service->get_object(), "service")
                               : "";
  const std::string guess = text_field(port, "port_name");
  const std::string guessed = guess.empty() ? std::string() : guess + "?";
  if (name == "ssl") return "ssl/" + (guessed.empty() ? std::string("unknown") : guessed);
  if (name.empty()) return guessed;
  return (text_field(port, "tunnel") == "ssl" ? "ssl/" : "") + name;
}

}  // namespace sentinel::ctl
