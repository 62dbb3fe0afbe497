// Absolute http(s) URLs as the HTTP client and --endpoint-url accept them. Pure: no DNS, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hubspoke/result.h"

namespace hubspoke {

enum class HostKind { kName, kIpv4, kIpv6 };

struct Url {
  std::string scheme;  // "http" or "https", lower case
  // A DNS name (lower case, no trailing dot), a dotted IPv4 literal, or an IPv6 literal
  // without its brackets ("::1").
  std::string host;
  HostKind host_kind = HostKind::kName;
  uint16_t port = 0;         // the explicit port, else 80 or 443
  std::string target = "/";  // path and query, always starting with '/'

  bool is_https() const { return scheme == "https"; }
  bool has_default_port() const { return port == DefaultPort(scheme); }
  // host[:port] as the Host header writes it: brackets around IPv6, port only when not default.
  std::string Authority() const;
  // host:port, always with the port (brackets around IPv6): CONNECT targets, error messages.
  std::string HostPort() const;
  // scheme://authority (no path): the absolute-form prefix for proxied http requests.
  std::string Origin() const;

  static uint16_t DefaultPort(std::string_view scheme) { return scheme == "https" ? 443 : 80; }
};

// Parses "http(s)://host[:port][/path][?query]". The scheme and a DNS host are case-insensitive
// and normalised to lower case. Rejected with kInvalidArgument: other schemes, a missing or
// malformed host, a port outside 1..65535, userinfo ("user:pass@host"), a fragment ("#…"),
// and any space, control or non-ASCII byte (the target goes verbatim on the request line, so it
// must already be percent-encoded).
Result<Url> ParseUrl(std::string_view text);

// Host-component helpers shared with the proxy code.
// Classifies and normalises a host as it appears in a URL (IPv6 in brackets); kInvalidArgument
// when it is none of a DNS name, an IPv4 literal or a bracketed IPv6 literal.
struct ParsedHost {
  std::string host;
  HostKind kind = HostKind::kName;
};
Result<ParsedHost> ParseHost(std::string_view text);
// "1".."65535" only; kInvalidArgument otherwise.
Result<uint16_t> ParsePort(std::string_view text);

}  // namespace hubspoke
