#include "core/url.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cctype>

namespace hubspoke {
namespace {

Error Invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Bytes that may go verbatim into a request target: printable ASCII except space. ('#' is
// handled before this check.)
bool IsTargetChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f;
}

// A DNS name: dot-separated labels of letters, digits, '-' and '_' (found in internal names),
// at most 63 bytes each, 253 in all. A name whose last label is all digits is refused because
// resolvers would read it as an abbreviated IPv4 address ("127.1").
bool IsDnsName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  size_t label_start = 0;
  bool last_label_numeric = true;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      const size_t len = i - label_start;
      if (len == 0 || len > 63) return false;
      label_start = i + 1;
      if (i != name.size()) last_label_numeric = true;
      continue;
    }
    const char c = name[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
    if (!IsDigit(c)) last_label_numeric = false;
  }
  return !last_label_numeric;
}

}  // namespace

std::string Url::Authority() const {
  std::string out = host_kind == HostKind::kIpv6 ? "[" + host + "]" : host;
  if (!has_default_port()) out += ":" + std::to_string(port);
  return out;
}

std::string Url::HostPort() const {
  std::string out = host_kind == HostKind::kIpv6 ? "[" + host + "]" : host;
  return out + ":" + std::to_string(port);
}

std::string Url::Origin() const { return scheme + "://" + Authority(); }

Result<uint16_t> ParsePort(std::string_view text) {
  if (text.empty() || text.size() > 5) return Invalid("invalid port \"" + std::string(text) + "\"");
  unsigned value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return Invalid("invalid port \"" + std::string(text) + "\"");
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535) {
    return Invalid("port " + std::string(text) + " is out of range 1-65535");
  }
  return static_cast<uint16_t>(value);
}

Result<ParsedHost> ParseHost(std::string_view text) {
  if (text.empty()) return Invalid("missing host");
  if (text.front() == '[') {
    if (text.size() < 3 || text.back() != ']') {
      return Invalid("malformed IPv6 host \"" + std::string(text) + "\"");
    }
    std::string literal(text.substr(1, text.size() - 2));
    in6_addr addr{};
    if (inet_pton(AF_INET6, literal.c_str(), &addr) != 1) {
      // Zone ids ("fe80::1%25eth0") land here too; we have no use for link-local endpoints.
      return Invalid("malformed IPv6 address \"" + literal + "\"");
    }
    char canonical[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, &addr, canonical, sizeof(canonical));
    return ParsedHost{.host = canonical, .kind = HostKind::kIpv6};
  }
  std::string host(text);
  for (char& c : host) c = Lower(c);
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return ParsedHost{.host = std::move(host), .kind = HostKind::kIpv4};
  }
  if (host.back() == '.') host.pop_back();  // "example.com." is "example.com"
  if (!IsDnsName(host)) return Invalid("invalid host name \"" + std::string(text) + "\"");
  return ParsedHost{.host = std::move(host), .kind = HostKind::kName};
}

Result<Url> ParseUrl(std::string_view text) {
  const size_t colon = text.find("://");
  if (colon == std::string_view::npos) {
    return Invalid("URL must start with http:// or https://");
  }
  Url url;
  for (char c : text.substr(0, colon)) url.scheme += Lower(c);
  if (url.scheme != "http" && url.scheme != "https") {
    return Invalid("unsupported URL scheme \"" + url.scheme + "\" (only http and https)");
  }
  std::string_view rest = text.substr(colon + 3);
  if (rest.find('#') != std::string_view::npos) return Invalid("URL must not contain a fragment");
  for (char c : rest) {
    if (!IsTargetChar(c)) {
      return Invalid("URL contains a space, control or non-ASCII character (percent-encode it)");
    }
  }
  const size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  if (authority_end != std::string_view::npos) {
    std::string_view target = rest.substr(authority_end);
    url.target = target.front() == '?' ? "/" + std::string(target) : std::string(target);
  }
  // Security: userinfo in a URL is refused rather than sent or dropped: it would be a credential
  // in a place that ends up in logs, and "https://sts.amazonaws.com@evil.example" is a phishing
  // classic.
  if (authority.find('@') != std::string_view::npos) {
    return Invalid("URL must not contain user information (user@host)");
  }
  // Split host and port; an IPv6 literal carries its own colons inside brackets.
  std::string_view host_text = authority;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Invalid("malformed IPv6 host in URL");
    host_text = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Invalid("malformed host in URL");
      port_text = after.substr(1);
      has_port = true;
    }
  } else if (const size_t c = authority.rfind(':'); c != std::string_view::npos) {
    host_text = authority.substr(0, c);
    port_text = authority.substr(c + 1);
    has_port = true;
  }
  Result<ParsedHost> host = ParseHost(host_text);
  if (!host) return host.error().Wrap("URL");
  url.host = std::move(host->host);
  url.host_kind = host->kind;
  url.port = Url::DefaultPort(url.scheme);
  if (has_port) {
    Result<uint16_t> port = ParsePort(port_text);
    if (!port) return port.error().Wrap("URL");
    url.port = *port;
  }
  return url;
}

}  // namespace hubspoke
