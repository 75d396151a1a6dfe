#pragma once
// UDP services as a test needs them: a DNS server that answers version.bind CH TXT (and
// refuses other questions, and a STATUS query with NOTIMP), an NTP server, and an SNMP v1/v2c
// agent with community "public" that knows sysDescr.0. Each parses the request as the real
// service does and answers in its protocol (RFC 1035, RFC 5905, RFC 1157/3416 BER); anything it
// does not understand gets no answer.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tests/integration/scan/udp_responders.h"

namespace sentinel::scan::testing {

/// A DNS server whose version.bind says `version` (BIND prints "9.18.28-1~deb12u2-Debian").
inline UdpReply dns_server(std::string version) {
  return [version](std::string_view query) -> std::optional<std::string> {
    if (query.size() < 12 || (static_cast<unsigned char>(query[2]) & 0x80) != 0) return {};
    const int opcode = (static_cast<unsigned char>(query[2]) >> 3) & 0x0f;
    std::string answer(query.substr(0, 12));
    answer[2] = static_cast<char>(0x80 | (query[2] & 0x79));  // QR, the opcode and RD kept
    answer[3] = 0;
    if (opcode != 0) {
      answer[3] = 4;  // NOTIMP, with no sections, as BIND answers a STATUS query
      for (int i = 4; i < 12; ++i) answer[i] = 0;
      return answer;
    }
    if (query[4] != 0 || query[5] != 1) return {};
    // The question: labels up to the root, then type and class.
    std::size_t at = 12;
    std::string name;
    while (at < query.size() && query[at] != 0) {
      const auto length = static_cast<unsigned char>(query[at]);
      if (length > 63 || at + 1 + length > query.size()) return {};
      if (!name.empty()) name += '.';
      name.append(query.substr(at + 1, length));
      at += 1 + length;
    }
    if (at + 5 > query.size()) return {};
    const std::string_view question = query.substr(12, at + 5 - 12);
    const std::string_view type_class = query.substr(at + 1, 4);
    for (int i = 6; i < 12; ++i) answer[i] = 0;  // no answer, authority or additional yet
    answer += question;
    if (name != "version.bind" || type_class != std::string_view("\0\x10\0\x03", 4)) {
      answer[3] = 5;  // REFUSED
      return answer;
    }
    answer[2] = static_cast<char>(answer[2] | 0x04);  // AA
    answer[7] = 1;                                    // one answer
    answer +=
        std::string("\xc0\x0c\0\x10\0\x03\0\0\0\0", 10);  // the question's name, TXT CH, TTL 0
    const auto text = static_cast<std::uint16_t>(version.size() + 1);
    answer += static_cast<char>(text >> 8);
    answer += static_cast<char>(text & 0xff);
    answer += static_cast<char>(version.size());
    answer += version;
    return answer;
  };
}

/// An NTP server of stratum 2: a client request (mode 3, 48 bytes or more) gets a server
/// answer (mode 4) of the request's version, the request's transmit time as its originate time.
inline UdpReply ntp_server() {
  return [](std::string_view request) -> std::optional<std::string> {
    if (request.size() < 48 || (static_cast<unsigned char>(request[0]) & 0x07) != 3) return {};
    const int version = (static_cast<unsigned char>(request[0]) >> 3) & 0x07;
    std::string answer(48, '\0');
    answer[0] = static_cast<char>((version << 3) | 4);
    answer[1] = 2;                                 // stratum
    answer[2] = request[2];                        // poll
    answer[3] = static_cast<char>(0xe9);           // precision 2^-23
    answer.replace(12, 4, "\xc0\x00\x02\x01", 4);  // reference id: its upstream's address
    answer.replace(16, 8, "\xeb\x0e\x4c\x80\x00\x00\x00\x00", 8);  // reference time
    answer.replace(24, 8, request.substr(40, 8));  // originate = the client's transmit
    answer.replace(32, 8, "\xeb\x0e\x4c\x90\x00\x00\x00\x00", 8);  // receive
    answer.replace(40, 8, "\xeb\x0e\x4c\x90\x00\x10\x00\x00", 8);  // transmit
    return answer;
  };
}

namespace detail {

// One BER tag-length-value at `at`: the value's bounds, or nullopt when it does not fit.
struct Tlv {
  unsigned char tag;
  std::string_view value;
  std::size_t end;
};

inline std::optional<Tlv> read_tlv(std::string_view data, std::size_t at) {
  if (at + 2 > data.size()) return {};
  const auto tag = static_cast<unsigned char>(data[at]);
  std::size_t length = static_cast<unsigned char>(data[at + 1]);
  std::size_t start = at + 2;
  if (length & 0x80) {
    const std::size_t bytes = length & 0x7f;
    if (bytes == 0 || bytes > 2 || start + bytes > data.size()) return {};
    length = 0;
    for (std::size_t i = 0; i < bytes; ++i) {
      length = (length << 8) | static_cast<unsigned char>(data[start + i]);
    }
    start += bytes;
  }
  if (start + length > data.size()) return {};
  return Tlv{tag, data.substr(start, length), start + length};
}

inline std::string ber(unsigned char tag, std::string_view value) {
  std::string out(1, static_cast<char>(tag));
  if (value.size() < 0x80) {
    out += static_cast<char>(value.size());
  } else {
    out += static_cast<char>(0x82);
    out += static_cast<char>(value.size() >> 8);
    out += static_cast<char>(value.size() & 0xff);
  }
  out += value;
  return out;
}

}  // namespace detail

/// An SNMP agent (v1 and v2c, community "public") that answers a get-request for sysDescr.0
/// with `description`, and any other OID with noSuchName (v1) or noSuchObject (v2c).
inline UdpReply snmp_agent(std::string description) {
  return [description](std::string_view request) -> std::optional<std::string> {
    using detail::ber;
    using detail::read_tlv;
    const auto message = read_tlv(request, 0);
    if (!message || message->tag != 0x30) return {};
    const std::string_view body = message->value;
    const auto version = read_tlv(body, 0);
    if (!version || version->tag != 0x02 || version->value.size() != 1) return {};
    const auto community = read_tlv(body, version->end);
    if (!community || community->tag != 0x04 || community->value != "public") return {};
    const auto pdu = read_tlv(body, community->end);
    if (!pdu || pdu->tag != 0xa0) return {};  // get-request only
    const auto id = read_tlv(pdu->value, 0);
    if (!id || id->tag != 0x02) return {};
    const auto error_status = read_tlv(pdu->value, id->end);
    if (!error_status) return {};
    const auto error_index = read_tlv(pdu->value, error_status->end);
    if (!error_index) return {};
    const auto bindings = read_tlv(pdu->value, error_index->end);
    if (!bindings || bindings->tag != 0x30) return {};
    const auto binding = read_tlv(bindings->value, 0);
    if (!binding || binding->tag != 0x30) return {};
    const auto oid = read_tlv(binding->value, 0);
    if (!oid || oid->tag != 0x06) return {};
    const bool v1 = version->value[0] == 0;
    const bool sys_descr = oid->value == std::string_view("\x2b\x06\x01\x02\x01\x01\x01\x00", 8);
    std::string value = sys_descr ? ber(0x04, description)
                        : v1      ? ber(0x05, "")
                                  : ber(0x80, "");  // noSuchObject
    std::string status = ber(0x02, std::string(1, (!sys_descr && v1) ? '\x02' : '\0'));
    std::string index = ber(0x02, std::string(1, (!sys_descr && v1) ? '\x01' : '\0'));
    const std::string varbind = ber(0x30, ber(0x06, oid->value) + value);
    const std::string response =
        ber(0xa2, ber(0x02, id->value) + status + index + ber(0x30, varbind));
    return ber(0x30, ber(0x02, version->value) + ber(0x04, "public") + response);
  };
}

}  // namespace sentinel::scan::testing
