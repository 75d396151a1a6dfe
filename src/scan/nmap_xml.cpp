// nmap XML into a ScanReport with expat: element callbacks fill the report; any problem stops
// the parser and becomes the one error of the import.

#include "sentinel/scan/nmap_xml.h"

#include <expat.h>
#include <fmt/format.h>

#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/scan/mac_address.h"

namespace sentinel::scan {
namespace {

// expat is handed the document in pieces of this size, so that a stop is honoured soon.
constexpr std::size_t kChunkBytes = 64 << 10;

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Unix seconds as milliseconds; 0 (unknown) for anything outside years 1970 to about 5000.
std::int64_t seconds_to_ms(std::string_view text) {
  constexpr std::int64_t kLatestSeconds = 100'000'000'000;
  const auto seconds = parse_integer(text);
  return seconds && *seconds >= 0 && *seconds <= kLatestSeconds ? *seconds * 1000 : 0;
}

class Reader {
 public:
  Reader(XML_Parser parser, const NmapXmlLimits& limits) : parser_(parser), limits_(limits) {}

  ScanReport& report() { return report_; }
  const std::optional<std::string>& problem() const { return problem_; }

  static void on_start(void* self, const XML_Char* name, const XML_Char** attributes) {
    static_cast<Reader*>(self)->start(name, attributes);
  }
  static void on_end(void* self, const XML_Char* name) { static_cast<Reader*>(self)->end(name); }
  static void on_text(void* self, const XML_Char* text, int length) {
    static_cast<Reader*>(self)->text(std::string_view(text, static_cast<std::size_t>(length)));
  }
  static void on_entity(void* self, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
                        const XML_Char*, const XML_Char*, const XML_Char*) {
    static_cast<Reader*>(self)->fail("entity declarations are not allowed");
  }

  /// Stops the parser with `message`, located at the current position.
  void fail(std::string_view message) {
    if (problem_) return;
    problem_ = fmt::format("line {}, column {}: {}", XML_GetCurrentLineNumber(parser_),
                           XML_GetCurrentColumnNumber(parser_), message);
    XML_StopParser(parser_, XML_FALSE);
  }

 private:
  // The value of attribute `name`, or empty; longer than max_text fails the import.
  std::string_view attribute(const XML_Char** attributes, std::string_view name) {
    for (std::size_t i = 0; attributes[i] != nullptr; i += 2) {
      if (name == attributes[i]) {
        std::string_view value = attributes[i + 1];
        if (value.size() > limits_.max_text) {
          fail(fmt::format("attribute {} is longer than {} characters", name, limits_.max_text));
          return {};
        }
        return value;
      }
    }
    return {};
  }

  void start(std::string_view name, const XML_Char** attributes) {
    if (problem_) return;
    if (++depth_ > limits_.max_depth) return fail("elements nested too deep");
    if (!seen_root_) {
      if (name != "nmaprun") return fail("not an nmap XML report (the root is not <nmaprun>)");
      seen_root_ = true;
      const std::string_view scanner = attribute(attributes, "scanner");
      const std::string_view version = attribute(attributes, "version");
      report_.scanner =
          version.empty() ? std::string(scanner) : fmt::format("{} {}", scanner, version);
      report_.start_ms = seconds_to_ms(attribute(attributes, "start"));
      return;
    }
    if (name == "host") {
      if (report_.hosts.size() >= limits_.max_hosts) {
        return fail(fmt::format("more than {} hosts", limits_.max_hosts));
      }
      host_.emplace();
      has_address_ = false;
    } else if (host_ && name == "status") {
      host_->up = attribute(attributes, "state") == "up";
      host_->reason = attribute(attributes, "reason");
    } else if (host_ && name == "address") {
      const std::string_view type = attribute(attributes, "addrtype");
      if (type == "mac") {
        // Not an address we scan by, but how a host on the local segment answered.
        const auto mac = parse_mac(attribute(attributes, "addr"));
        if (!mac)
          return fail(fmt::format("'{}' is not a MAC address", attribute(attributes, "addr")));
        host_->mac = mac_to_string(*mac);
        return;
      }
      if (type != "ipv4" && type != "ipv6") return;
      const std::string_view text = attribute(attributes, "addr");
      const auto address = IpAddress::parse(text);
      if (!address || (address->is_v4() != (type == "ipv4"))) {
        return fail(fmt::format("'{}' is not an {} address", text, type));
      }
      if (!has_address_) host_->address = *address;
      has_address_ = true;
    } else if (host_ && name == "hostname") {
      const std::string_view hostname = attribute(attributes, "name");
      if (!hostname.empty()) host_->hostnames.emplace_back(hostname);
    } else if (host_ && name == "port") {
      start_port(attributes);
    } else if (port_ && name == "state") {
      const std::string_view state = attribute(attributes, "state");
      port_->state = state == "open"            ? PortState::kOpen
                     : state == "closed"        ? PortState::kClosed
                     : state == "open|filtered" ? PortState::kOpenFiltered
                                                : PortState::kFiltered;
      // The reason keeps nmap's finer states that ours do not have ("closed|filtered",
      // "unfiltered").
      port_->reason =
          state == "open" || state == "closed" || state == "filtered" || state == "open|filtered"
              ? std::string(attribute(attributes, "reason"))
              : std::string(state);
    } else if (port_ && name == "service" && attribute(attributes, "name") == "unknown" &&
               attribute(attributes, "method") == "table") {
      // nmap-services lists some ports as "unknown": nmap's table says nothing about them.
    } else if (port_ && name == "service") {
      ServiceInfo& service = port_->service.emplace();
      service.service = attribute(attributes, "name");
      service.product = attribute(attributes, "product");
      service.version = attribute(attributes, "version");
      service.info = attribute(attributes, "extrainfo");
      service.hostname = attribute(attributes, "hostname");
      service.os = attribute(attributes, "ostype");
      service.device = attribute(attributes, "devicetype");
      port_->tunnel = attribute(attributes, "tunnel");
    } else if (port_ && port_->service && name == "cpe") {
      in_cpe_ = true;
      cpe_.clear();
    } else if (host_ && name == "osmatch" && host_->os.empty()) {
      host_->os = attribute(attributes, "name");  // nmap lists the best match first
      const auto accuracy = parse_integer(attribute(attributes, "accuracy"));
      host_->os_accuracy =
          accuracy && *accuracy >= 0 && *accuracy <= 100 ? static_cast<int>(*accuracy) : 0;
    } else if (host_ && name == "script") {
      start_script(attributes);
    } else if (name == "finished") {
      report_.end_ms = seconds_to_ms(attribute(attributes, "time"));
    }
  }

  void start_port(const XML_Char** attributes) {
    const std::string_view protocol = attribute(attributes, "protocol");
    if (protocol != "tcp" && protocol != "udp") return;  // sctp, ip: not in our model
    const std::string_view text = attribute(attributes, "portid");
    const auto number = parse_integer(text);
    if (!number || *number < 1 || *number > 65535) {
      return fail(fmt::format("'{}' is not a port number", text));
    }
    if (++port_count_ > limits_.max_ports) {
      return fail(fmt::format("more than {} ports", limits_.max_ports));
    }
    port_.emplace();
    port_->port = static_cast<std::uint16_t>(*number);
    port_->protocol = protocol == "tcp" ? Protocol::kTcp : Protocol::kUdp;
  }

  // A script's output goes to the port it ran on, else (<hostscript>) to the host; output past
  // max_script_output is cut, so that one verbose script does not refuse a whole report.
  void start_script(const XML_Char** attributes) {
    if (++script_count_ > limits_.max_scripts) {
      return fail(fmt::format("more than {} script outputs", limits_.max_scripts));
    }
    ScriptOutput script{.id = std::string(attribute(attributes, "id"))};
    for (std::size_t i = 0; attributes[i] != nullptr; i += 2) {
      if (std::string_view(attributes[i]) != "output") continue;
      std::string_view output = attributes[i + 1];
      if (output.size() > limits_.max_script_output) {
        script.output = std::string(output.substr(0, limits_.max_script_output)) + " [cut]";
      } else {
        script.output = output;
      }
    }
    if (script.id.empty()) return;
    (port_ ? port_->scripts : host_->scripts).push_back(std::move(script));
  }

  void end(std::string_view name) {
    if (problem_) return;
    --depth_;
    if (name == "cpe" && in_cpe_) {
      in_cpe_ = false;
      if (!cpe_.empty() && port_ && port_->service) port_->service->cpes.push_back(cpe_);
    } else if (name == "port" && port_) {
      if (host_) host_->ports.push_back(std::move(*port_));
      port_.reset();
    } else if (name == "host" && host_) {
      if (has_address_) report_.hosts.push_back(std::move(*host_));
      host_.reset();
    }
  }

  void text(std::string_view text) {
    if (!in_cpe_ || problem_) return;
    if (cpe_.size() + text.size() > limits_.max_text) {
      return fail(fmt::format("a CPE is longer than {} characters", limits_.max_text));
    }
    cpe_ += text;
  }

  XML_Parser parser_;
  const NmapXmlLimits& limits_;
  ScanReport report_;
  std::optional<std::string> problem_;
  bool seen_root_ = false;
  std::size_t depth_ = 0;
  std::size_t port_count_ = 0;
  std::size_t script_count_ = 0;
  std::optional<HostReport> host_;
  bool has_address_ = false;
  std::optional<PortReport> port_;
  bool in_cpe_ = false;
  std::string cpe_;
};

}  // namespace

Result<ScanReport> parse_nmap_xml(std::string_view xml, const NmapXmlLimits& limits) {
  if (xml.size() > limits.max_bytes) {
    return invalid_argument(fmt::format("the report is larger than {} bytes", limits.max_bytes),
                            "file");
  }
  std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(XML_ParserCreate(nullptr),
                                                                      &XML_ParserFree);
  if (!parser) return internal_error("cannot create an XML parser");
  Reader reader(parser.get(), limits);
  XML_SetUserData(parser.get(), &reader);
  XML_SetElementHandler(parser.get(), &Reader::on_start, &Reader::on_end);
  XML_SetCharacterDataHandler(parser.get(), &Reader::on_text);
  XML_SetEntityDeclHandler(parser.get(), &Reader::on_entity);
  XML_SetParamEntityParsing(parser.get(), XML_PARAM_ENTITY_PARSING_NEVER);

  std::size_t offset = 0;
  do {
    const std::size_t length = std::min(kChunkBytes, xml.size() - offset);
    const bool last = offset + length == xml.size();
    if (XML_Parse(parser.get(), xml.data() + offset, static_cast<int>(length), last) !=
        XML_STATUS_OK) {
      if (reader.problem()) return invalid_argument(*reader.problem(), "file");
      return invalid_argument(
          fmt::format("line {}, column {}: {}", XML_GetCurrentLineNumber(parser.get()),
                      XML_GetCurrentColumnNumber(parser.get()),
                      XML_ErrorString(XML_GetErrorCode(parser.get()))),
          "file");
    }
    offset += length;
  } while (offset < xml.size());
  if (reader.problem()) return invalid_argument(*reader.problem(), "file");
  return std::move(reader.report());
}

}  // namespace sentinel::scan
