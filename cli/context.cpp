#include "context.h"

#include <cctype>
#include <iostream>

#include "credentials.h"

namespace sentinel::ctl {
namespace {

constexpr std::size_t kMaxBodyInMessage = 200;

}  // namespace

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

Ctl::Ctl(std::filesystem::path credentials_path) : credentials_path_(std::move(credentials_path)) {}

Result<client::ClientOptions> Ctl::client_options(bool authenticated) {
  SENTINEL_ASSIGN(stored, load_credentials(credentials_path_));
  client::ClientOptions result;
  result.base_url = !options_.server.empty() ? options_.server
                    : stored                 ? stored->server
                                             : std::string(kDefaultServer);
  // Stored settings belong to the server they were stored for.
  const bool same_server = stored && stored->server == result.base_url;
  result.ca_file = !options_.ca_file.empty() ? options_.ca_file
                   : same_server             ? stored->ca_file
                                             : std::string();
  result.insecure = options_.insecure;
  if (authenticated) {
    result.bearer_token = !options_.token.empty() ? Secret(options_.token)
                          : same_server           ? stored->token
                                                  : Secret();
  }
  result.user_agent = "sentinelctl/0.1";
  return result;
}

Result<client::ApiClient*> Ctl::client() {
  if (!client_) {
    SENTINEL_ASSIGN(settings, client_options(true));
    sent_token_ = !settings.bearer_token.empty();
    SENTINEL_ASSIGN(created, client::ApiClient::create(std::move(settings)));
    client_.emplace(std::move(created));
  }
  return &*client_;
}

Outcome Ctl::call(std::string_view method, const std::string& path,
                  const std::optional<boost::json::value>& body) {
  auto api = client();
  if (!api) return {fail(api.error()), nullptr};
  auto reply = (*api)->request(method, path, body);
  if (!reply) return {fail(reply.error()), nullptr};
  if (!reply->ok()) return {fail(*reply), nullptr};
  if (reply->body.empty()) return {kExitOk, nullptr};
  auto parsed = reply->json();
  if (!parsed) {
    std::cerr << "error: " << parsed.error().message << "\n";
    return {kExitFailed, nullptr};
  }
  return {kExitOk, std::move(*parsed)};
}

Outcome Ctl::call_all_pages(const std::string& path, std::string_view items_key) {
  // The largest page the server gives: few requests for a big job.
  constexpr std::int64_t kPage = 1000;
  const char separator = path.find('?') == std::string::npos ? '?' : '&';
  Outcome all;
  for (std::int64_t offset = 0;; offset += kPage) {
    Outcome page = call("GET", path + separator + "limit=" + std::to_string(kPage) +
                                   "&offset=" + std::to_string(offset));
    if (!page.ok()) return page;
    auto* object = page.json.if_object();
    auto* items = object != nullptr ? object->if_contains(items_key) : nullptr;
    if (items == nullptr || !items->is_array()) return offset == 0 ? page : all;
    const std::size_t count = items->as_array().size();
    if (offset == 0) {
      all = std::move(page);
    } else {
      auto& into = all.json.as_object()[items_key].as_array();
      for (auto& item : items->as_array()) into.push_back(std::move(item));
    }
    const auto* total = all.json.as_object().if_contains("total");
    const std::int64_t have =
        static_cast<std::int64_t>(all.json.as_object()[items_key].as_array().size());
    if (count < static_cast<std::size_t>(kPage) || total == nullptr || !total->is_int64() ||
        have >= total->as_int64()) {
      return all;
    }
  }
}

int Ctl::fail(const Error& error) const {
  std::cerr << "error: " << error.message << "\n";
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
      return kExitUsage;
    case ErrorCode::kUnavailable:
      return kExitUnreachable;
    case ErrorCode::kUnauthenticated:
      return kExitUnauthenticated;
    case ErrorCode::kPermissionDenied:
      return kExitForbidden;
    default:
      return kExitFailed;
  }
}

int Ctl::fail(const client::HttpReply& reply) const {
  if (const auto api = reply.api_error()) {
    std::cerr << "error: " << api->message << " (" << api->code << ")";
    if (!api->field.empty()) std::cerr << " [field: " << api->field << "]";
    std::cerr << "\n";
  } else {
    std::cerr << "error: the server answered HTTP " << reply.status;
    if (!reply.body.empty()) std::cerr << ": " << reply.body.substr(0, kMaxBodyInMessage);
    std::cerr << "\n";
  }
  switch (reply.status) {
    case 401:
      if (sent_token_ == false) std::cerr << "hint: run `sentinelctl login` or pass --token\n";
      return kExitUnauthenticated;
    case 403:
      return kExitForbidden;
    default:
      return kExitFailed;
  }
}

int Ctl::show_list(const Outcome& outcome, std::span<const Column> columns) const {
  if (!outcome.ok()) return outcome.exit_code;
  if (json_output()) {
    std::cout << pretty_json(outcome.json) << "\n";
    return kExitOk;
  }
  const auto* rows = list_items(outcome.json);
  if (rows == nullptr) return show_object(outcome);
  print_table(std::cout, *rows, columns);
  return kExitOk;
}

int Ctl::show_object(const Outcome& outcome) const {
  if (!outcome.ok()) return outcome.exit_code;
  if (json_output() || !outcome.json.is_object()) {
    std::cout << pretty_json(outcome.json) << "\n";
  } else {
    print_fields(std::cout, outcome.json.as_object());
  }
  return kExitOk;
}

int Ctl::show_done(const Outcome& outcome, std::string_view message) const {
  if (!outcome.ok()) return outcome.exit_code;
  if (!json_output()) {
    std::cout << message << "\n";
  } else if (!outcome.json.is_null()) {
    std::cout << pretty_json(outcome.json) << "\n";
  }
  return kExitOk;
}

int Ctl::show_secret_field(const Outcome& outcome, std::string_view field) const {
  if (!outcome.ok() || json_output()) return show_object(outcome);
  const auto* reply = outcome.json.if_object();
  const auto* value = reply != nullptr ? reply->if_contains(field) : nullptr;
  if (value == nullptr || !value->is_string()) {
    std::cerr << "error: the server's reply lacks \"" << field << "\"\n";
    return kExitFailed;
  }
  std::cout << std::string(value->as_string()) << "\n";
  return kExitOk;
}

}  // namespace sentinel::ctl
