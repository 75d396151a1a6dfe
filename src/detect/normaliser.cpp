#include "normaliser.h"

#include <fmt/format.h>

#include <array>
#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <iterator>
#include <utility>
#include <vector>

namespace sentinel::detect {
namespace {

using boost::system::error_code;
using detection::Field;

// Inventory events keep their own shape in storage (issue 3); rules read them under ECS names.
struct Alias {
  std::string_view type_prefix;
  std::string_view from;
  std::string_view to;
};

constexpr std::array kAliases = {
    Alias{"package.", "name", "package.name"},
    Alias{"package.", "version", "package.version"},
    Alias{"package.", "to", "package.version"},
    Alias{"package.", "from", "package.previous.version"},
    Alias{"package.", "arch", "package.architecture"},
    Alias{"package.", "source", "package.type"},
    Alias{"port.", "protocol", "network.transport"},
    Alias{"port.", "address", "server.ip"},
    Alias{"port.", "port", "server.port"},
    Alias{"port.", "pid", "process.pid"},
    Alias{"port.", "process", "process.name"},
    Alias{"port.", "user", "user.name"},
    Alias{"user.", "name", "user.name"},
    Alias{"user.", "uid", "user.id"},
    Alias{"user.", "after.uid", "user.id"},
    Alias{"user.", "gid", "user.group.id"},
    Alias{"user.", "shell", "user.shell"},
    Alias{"user.", "after.shell", "user.shell"},
    Alias{"group.", "name", "group.name"},
    Alias{"group.", "gid", "group.id"},
};

// event.category and the prefix of event.action for the inventory types.
struct Category {
  std::string_view type_prefix;
  std::string_view category;
  std::string_view action_prefix;
};

constexpr std::array kCategories = {
    Category{"package.", "package", ""},
    Category{"port.", "network", "port_"},
    Category{"user.", "iam", "user_"},
    Category{"group.", "iam", "group_"},
};

// Reads a bus event message as the parser walks it, without building a document: the members
// of "event" are kept, "data" is flattened into fields as it goes (objects become dotted names,
// arrays of scalars one comma-separated value, null is left out), everything else is skipped.
class MessageReader {
 public:
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);

  explicit MessageReader(detection::Event& event) : event_(event) {}

  // Why the message is not an event, after a parse that read all of it (`complete`) or not;
  // empty when it is one.
  std::string_view problem(bool complete) const {
    if (!problem_.empty()) return problem_;
    if (!complete || !envelope_is_object_) return "event message: not a JSON object";
    if (!has_event_) return "event message: no event object";
    if (!has_id_ || !has_agent_ || !has_time_ || !has_type_ || !has_data_) {
      return "event message: id, agent_id, time, type or data missing or mistyped";
    }
    return {};
  }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_comment_part(std::string_view, error_code&) { return true; }
  bool on_comment(std::string_view, error_code&) { return true; }
  bool on_number_part(std::string_view, error_code&) { return true; }

  bool on_object_begin(error_code&) {
    if (skipped_ > 0) return skip();
    if (frames_.empty()) {
      envelope_is_object_ = true;
      frames_.push_back({Place::kEnvelope, 0});
      return true;
    }
    switch (frames_.back().place) {
      case Place::kEnvelope:
        if (key_ != "event") return skip();
        has_event_ = true;
        frames_.push_back({Place::kEvent, 0});
        return true;
      case Place::kEvent:
        if (key_ != "data") return skip();
        has_data_ = true;
        frames_.push_back({Place::kData, 0});
        return true;
      case Place::kData:
        frames_.push_back({Place::kData, path_.size()});
        append_name(path_, key_);
        return true;
      case Place::kDataArray:
        return skip();  // objects inside arrays are left out
    }
    return true;
  }

  bool on_object_end(std::size_t, error_code&) {
    if (skipped_ > 0) return unskip();
    if (frames_.back().place == Place::kData) path_.resize(frames_.back().path_length);
    frames_.pop_back();
    return true;
  }

  bool on_array_begin(error_code&) {
    if (skipped_ > 0 || !in(Place::kData)) return skip();
    frames_.push_back({Place::kDataArray, 0});
    array_name_ = path_;
    append_name(array_name_, key_);
    joined_.clear();
    return true;
  }

  bool on_array_end(std::size_t, error_code&) {
    if (skipped_ > 0) return unskip();
    frames_.pop_back();
    add_field(std::move(array_name_), std::move(joined_));
    array_name_ = std::string();
    joined_ = std::string();
    return true;
  }

  bool on_key_part(std::string_view part, std::size_t, error_code&) {
    if (!key_complete_) {
      key_.append(part);
    } else {
      key_.assign(part);
      key_complete_ = false;
    }
    return true;
  }

  bool on_key(std::string_view last, std::size_t, error_code& ec) {
    on_key_part(last, 0, ec);
    key_complete_ = true;
    if (skipped_ > 0 || frames_.empty()) return true;
    // A member read twice would leave it unclear which value counts: refused.
    const auto once = [&](std::string_view member, std::uint32_t bit) {
      if (key_ != member) return true;
      if ((seen_ & bit) != 0) return refuse(ec, fmt::format("event message: {} repeated", member));
      seen_ |= bit;
      return true;
    };
    switch (frames_.back().place) {
      case Place::kEnvelope:
        return once("event", 1u << 0);
      case Place::kEvent:
        return once("id", 1u << 1) && once("agent_id", 1u << 2) && once("time", 1u << 3) &&
               once("type", 1u << 4) && once("data", 1u << 5);
      default:
        return true;
    }
  }

  bool on_string_part(std::string_view part, std::size_t, error_code&) {
    if (skipped_ == 0) text_.append(part);
    return true;
  }

  bool on_string(std::string_view last, std::size_t, error_code&) {
    if (skipped_ > 0) return true;
    if (!text_.empty()) {
      text_.append(last);
      last = text_;
    }
    on_scalar(Scalar::kString, last);
    text_.clear();
    return true;
  }

  bool on_int64(std::int64_t number, std::string_view, error_code&) {
    if (skipped_ > 0) return true;
    if (in(Place::kEvent)) {
      if (key_ == "id") {
        event_.id = number;
        has_id_ = true;
      } else if (key_ == "time") {
        event_.time_ms = number;
        has_time_ = true;
      }
      return true;
    }
    return on_integer(number);
  }

  bool on_uint64(std::uint64_t number, std::string_view, error_code&) {
    return skipped_ > 0 || on_integer(number);
  }

  bool on_double(double number, std::string_view, error_code&) {
    if (skipped_ == 0) on_scalar(Scalar::kOther, fmt::format("{}", number));
    return true;
  }

  bool on_bool(bool value, error_code&) {
    if (skipped_ == 0) on_scalar(Scalar::kOther, value ? "true" : "false");
    return true;
  }

  bool on_null(error_code&) { return true; }  // left out everywhere it is read

 private:
  enum class Place { kEnvelope, kEvent, kData, kDataArray };
  enum class Scalar { kString, kOther };
  struct Frame {
    Place place;
    std::size_t path_length;  // of path_ before this object's name was appended (kData)
  };

  bool in(Place place) const { return !frames_.empty() && frames_.back().place == place; }

  bool skip() {
    ++skipped_;
    return true;
  }

  bool unskip() {
    --skipped_;
    return true;
  }

  bool refuse(error_code& ec, std::string_view problem) {
    problem_ = problem;
    ec = boost::json::error::syntax;
    return false;
  }

  static void append_name(std::string& path, std::string_view name) {
    if (!path.empty()) path += '.';
    path.append(name);
  }

  template <typename Integer>
  bool on_integer(Integer number) {
    char digits[24];
    const auto written = std::to_chars(std::begin(digits), std::end(digits), number);
    on_scalar(Scalar::kOther, std::string_view(digits, written.ptr));
    return true;
  }

  void on_scalar(Scalar kind, std::string_view text) {
    if (frames_.empty()) return;  // a document that is a bare scalar
    switch (frames_.back().place) {
      case Place::kEnvelope:
        return;
      case Place::kEvent:
        if (kind != Scalar::kString) return;
        if (key_ == "agent_id") {
          event_.agent_id.assign(text);
          has_agent_ = true;
        } else if (key_ == "type") {
          event_.type.assign(text);
          has_type_ = true;
        }
        return;
      case Place::kData: {
        std::string name = path_;
        append_name(name, key_);
        add_field(std::move(name), std::string(text));
        return;
      }
      case Place::kDataArray:
        if (!joined_.empty()) joined_ += ',';
        joined_.append(text);
        return;
    }
  }

  // A name the data already gave (flattening {"a.b":1,"a":{"b":2}}) keeps its first value.
  void add_field(std::string name, std::string value) {
    for (const Field& field : event_.fields) {
      if (field.name == name) return;
    }
    event_.fields.push_back({std::move(name), std::move(value)});
  }

  detection::Event& event_;
  std::vector<Frame> frames_;
  std::size_t skipped_ = 0;  // depth inside objects and arrays that are not read
  std::string key_;          // the member whose value comes next
  bool key_complete_ = true;
  std::string path_;        // the dotted name of the data object being read
  std::string text_;        // a string value arriving in parts
  std::string array_name_;  // the dotted name of the data array being read
  std::string joined_;      // its values so far
  std::string problem_;
  std::uint32_t seen_ = 0;  // the members above read so far, one bit each
  bool envelope_is_object_ = false;
  bool has_event_ = false;
  bool has_id_ = false;
  bool has_agent_ = false;
  bool has_time_ = false;
  bool has_type_ = false;
  bool has_data_ = false;
};

void add_if_absent(detection::Event& event, std::string_view name, std::string value) {
  if (event.find(name) == nullptr) event.fields.push_back({std::string(name), std::move(value)});
}

void add_inventory_fields(detection::Event& event) {
  for (const Alias& alias : kAliases) {
    if (!event.type.starts_with(alias.type_prefix)) continue;
    if (const std::string* value = event.find(alias.from)) add_if_absent(event, alias.to, *value);
  }
  for (const Category& category : kCategories) {
    if (!event.type.starts_with(category.type_prefix)) continue;
    add_if_absent(event, "event.category", std::string(category.category));
    std::string action = event.type.substr(category.type_prefix.size());
    if (const std::string* change = event.find("change"); change && event.type == "group.changed") {
      action = *change;
    }
    add_if_absent(event, "event.action", std::string(category.action_prefix) + action);
  }
}

}  // namespace

Result<detection::Event> normalise(
    std::string_view payload, const std::function<std::string(const std::string&)>& host_name) {
  detection::Event event;
  event.fields.reserve(16);
  boost::json::basic_parser<MessageReader> parser(boost::json::parse_options{}, event);
  error_code ec;
  const std::size_t read = parser.write_some(false, payload.data(), payload.size(), ec);
  const std::string_view problem = parser.handler().problem(!ec && read == payload.size());
  if (!problem.empty()) return invalid_argument(std::string(problem));
  add_inventory_fields(event);
  add_if_absent(event, "event.type", event.type);
  add_if_absent(event, "agent.id", event.agent_id);
  if (host_name) {
    if (std::string host = host_name(event.agent_id); !host.empty()) {
      add_if_absent(event, "host.name", std::move(host));
    }
  }
  return event;
}

}  // namespace sentinel::detect
