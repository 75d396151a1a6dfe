#include "reply_filter.h"

#include <cstddef>

namespace sentinel::scan {
namespace {

enum Label : int { kNone = -1, kAccept = 0, kDrop, kTcp, kIcmp, kCount };

/// A tiny assembler: instructions may jump to labels, which are resolved to the relative
/// offsets cBPF wants once every label is placed.
class Program {
 public:
  void add(std::uint16_t code, std::uint32_t k) {
    lines_.push_back({{code, 0, 0, k}, kNone, kNone});
  }
  /// A conditional jump to `when_true` or `when_false`; kNone is the next instruction.
  void jump(std::uint16_t code, std::uint32_t k, Label when_true, Label when_false) {
    lines_.push_back({{code, 0, 0, k}, when_true, when_false});
  }
  void place(Label label) { labels_[label] = lines_.size(); }

  /// Jumps to `when_true` if the loaded value is one of `ports`, else falls through to `rest`.
  void match_ports(const std::vector<std::uint16_t>& ports, Label rest) {
    for (const std::uint16_t port : ports) jump(BPF_JMP | BPF_JEQ | BPF_K, port, kAccept, kNone);
    jump(BPF_JMP | BPF_JA, 0, rest, rest);
  }

  std::vector<sock_filter> finish() {
    place(kAccept);
    add(BPF_RET | BPF_K, kReplySnapLength);
    place(kDrop);
    add(BPF_RET | BPF_K, 0);
    std::vector<sock_filter> code;
    code.reserve(lines_.size());
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      sock_filter instruction = lines_[i].instruction;
      const auto offset = [&](Label label) {
        return label == kNone ? std::uint8_t{0}
                              : static_cast<std::uint8_t>(labels_[label] - (i + 1));
      };
      if (BPF_CLASS(instruction.code) == BPF_JMP) {
        if (BPF_OP(instruction.code) == BPF_JA) {
          instruction.k = offset(lines_[i].when_true);
        } else {
          instruction.jt = offset(lines_[i].when_true);
          instruction.jf = offset(lines_[i].when_false);
        }
      }
      code.push_back(instruction);
    }
    return code;
  }

 private:
  struct Line {
    sock_filter instruction;
    Label when_true;
    Label when_false;
  };
  std::vector<Line> lines_;
  std::size_t labels_[kCount] = {};
};

std::vector<sock_filter> ipv4_filter(const ReplyFilterSpec& spec) {
  Program p;
  p.add(BPF_LD | BPF_B | BPF_ABS, 9);  // protocol
  p.jump(BPF_JMP | BPF_JEQ | BPF_K, 6, kTcp, kNone);
  p.jump(BPF_JMP | BPF_JEQ | BPF_K, 1, kIcmp, kDrop);

  p.place(kTcp);
  p.add(BPF_LD | BPF_H | BPF_ABS, 6);  // flags and fragment offset
  p.jump(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, kDrop, kNone);
  p.add(BPF_LDX | BPF_B | BPF_MSH, 0);  // X = IP header length
  p.add(BPF_LD | BPF_H | BPF_IND, 2);   // TCP destination port
  p.match_ports(spec.ports, kDrop);

  p.place(kIcmp);
  p.add(BPF_LD | BPF_H | BPF_ABS, 6);
  p.jump(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, kDrop, kNone);
  p.add(BPF_LDX | BPF_B | BPF_MSH, 0);
  p.add(BPF_LD | BPF_B | BPF_IND, 0);                                   // ICMP type
  if (spec.echo) p.jump(BPF_JMP | BPF_JEQ | BPF_K, 0, kAccept, kNone);  // echo reply
  p.jump(BPF_JMP | BPF_JEQ | BPF_K, 3, kNone, kDrop);                   // unreachable
  p.add(BPF_LD | BPF_B | BPF_IND, 8 + 9);                               // quoted protocol
  if (spec.echo) p.jump(BPF_JMP | BPF_JEQ | BPF_K, 1, kAccept, kNone);
  p.jump(BPF_JMP | BPF_JEQ | BPF_K, 6, kNone, kDrop);
  // X += quoted header length: the quoted TCP header starts at X + 8.
  p.add(BPF_LD | BPF_B | BPF_IND, 8);
  p.add(BPF_ALU | BPF_AND | BPF_K, 0x0f);
  p.add(BPF_ALU | BPF_LSH | BPF_K, 2);
  p.add(BPF_ALU | BPF_ADD | BPF_X, 0);
  p.add(BPF_MISC | BPF_TAX, 0);
  p.add(BPF_LD | BPF_H | BPF_IND, 8);  // quoted TCP source port
  p.match_ports(spec.ports, kDrop);
  return p.finish();
}

std::vector<sock_filter> ipv6_filter(const ReplyFilterSpec& spec) {
  Program p;
  p.add(BPF_LD | BPF_B | BPF_ABS, 6);  // next header
  p.jump(BPF_JMP | BPF_JEQ | BPF_K, 6, kTcp, kNone);
  p.jump(BPF_JMP | BPF_JEQ | BPF_K, 58, kIcmp, kDrop);

  p.place(kTcp);
  p.add(BPF_LD | BPF_H | BPF_ABS, 40 + 2);  // TCP destination port
  p.match_ports(spec.ports, kDrop);

  p.place(kIcmp);
  p.add(BPF_LD | BPF_B | BPF_ABS, 40);  // ICMPv6 type
  if (spec.echo) p.jump(BPF_JMP | BPF_JEQ | BPF_K, 129, kAccept, kNone);
  p.jump(BPF_JMP | BPF_JEQ | BPF_K, 1, kNone, kDrop);
  p.add(BPF_LD | BPF_B | BPF_ABS, 48 + 6);  // quoted next header
  if (spec.echo) p.jump(BPF_JMP | BPF_JEQ | BPF_K, 58, kAccept, kNone);
  p.jump(BPF_JMP | BPF_JEQ | BPF_K, 6, kNone, kDrop);
  p.add(BPF_LD | BPF_H | BPF_ABS, 48 + 40);  // quoted TCP source port
  p.match_ports(spec.ports, kDrop);
  return p.finish();
}

}  // namespace

std::vector<sock_filter> reply_filter(AddressFamily family, const ReplyFilterSpec& spec) {
  return family == AddressFamily::kIpv4 ? ipv4_filter(spec) : ipv6_filter(spec);
}

}  // namespace sentinel::scan
