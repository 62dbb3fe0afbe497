#include "http/proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "core/base64.h"
#include "core/strings.h"

namespace hubspoke {
namespace {

constexpr uint16_t kDefaultProxyPort = 1080;  // curl's default

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Security: errors say "malformed", never echo the (secret) input.
Result<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) {
      return Error(ErrorCode::kInvalidArgument, "malformed percent-encoding in proxy credentials");
    }
    const int hi = HexValue(s[i + 1]);
    const int lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) {
      return Error(ErrorCode::kInvalidArgument, "malformed percent-encoding in proxy credentials");
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::vector<std::string_view> SplitEntries(std::string_view list) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && (list[i] == ',' || IsBlank(list[i]))) ++i;
    const size_t start = i;
    while (i < list.size() && list[i] != ',' && !IsBlank(list[i])) ++i;
    if (i > start) out.push_back(list.substr(start, i - start));
  }
  return out;
}

// An IP address as bytes (4 or 16), for exact and CIDR comparison.
struct IpBytes {
  std::array<unsigned char, 16> bytes{};
  size_t size = 0;
};

std::optional<IpBytes> ParseIp(const std::string& text) {
  IpBytes ip;
  if (inet_pton(AF_INET, text.c_str(), ip.bytes.data()) == 1) {
    ip.size = 4;
    return ip;
  }
  if (inet_pton(AF_INET6, text.c_str(), ip.bytes.data()) == 1) {
    ip.size = 16;
    return ip;
  }
  return std::nullopt;
}

bool PrefixMatches(const IpBytes& a, const IpBytes& b, size_t bits) {
  if (a.size != b.size || bits > a.size * 8) return false;
  const size_t whole = bits / 8;
  if (std::memcmp(a.bytes.data(), b.bytes.data(), whole) != 0) return false;
  if (const size_t rest = bits % 8; rest != 0) {
    const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
    if ((a.bytes[whole] & mask) != (b.bytes[whole] & mask)) return false;
  }
  return true;
}

struct Entry {
  std::string host;  // lower case, no brackets, no trailing dot, maybe "/bits"
  std::optional<uint16_t> port;
};

// Splits "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 ("::1", "fd00::/8").
std::optional<Entry> ParseEntry(std::string_view text) {
  Entry entry;
  std::string_view port_text;
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    entry.host = ToLower(text.substr(1, close - 1));
    std::string_view after = text.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
    }
  } else if (text.find(':') != text.rfind(':')) {
    entry.host = ToLower(text);  // several colons: a bare IPv6 literal, no port
  } else if (const size_t colon = text.find(':'); colon != std::string_view::npos) {
    entry.host = ToLower(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  } else {
    entry.host = ToLower(text);
  }
  if (!port_text.empty()) {
    Result<uint16_t> port = ParsePort(port_text);
    if (!port) return std::nullopt;
    entry.port = *port;
  }
  return entry;
}

bool IpEntryMatches(const std::string& pattern, const std::string& host) {
  const std::optional<IpBytes> host_ip = ParseIp(host);
  if (!host_ip) return false;
  std::string address = pattern;
  size_t bits = host_ip->size * 8;
  if (const size_t slash = pattern.find('/'); slash != std::string::npos) {
    address = pattern.substr(0, slash);
    const std::string bits_text = pattern.substr(slash + 1);
    if (bits_text.empty() || bits_text.size() > 3) return false;
    bits = 0;
    for (char c : bits_text) {
      if (c < '0' || c > '9') return false;
      bits = bits * 10 + static_cast<size_t>(c - '0');
    }
  }
  const std::optional<IpBytes> entry_ip = ParseIp(address);
  return entry_ip && PrefixMatches(*entry_ip, *host_ip, bits);
}

bool NameEntryMatches(std::string_view pattern, std::string_view host) {
  if (!pattern.empty() && pattern.front() == '.') pattern.remove_prefix(1);
  if (!pattern.empty() && pattern.back() == '.') pattern.remove_suffix(1);
  if (pattern.empty()) return false;
  if (pattern == host) return true;
  return host.size() > pattern.size() && host.ends_with(pattern) &&
         host[host.size() - pattern.size() - 1] == '.';
}

}  // namespace

Result<std::optional<Proxy>> ParseProxyUrl(std::string_view text) {
  if (text.empty()) return std::optional<Proxy>();
  std::string_view rest = text;
  if (const size_t sep = text.find("://"); sep != std::string_view::npos) {
    const std::string scheme = ToLower(text.substr(0, sep));
    if (scheme != "http") {
      return Error(ErrorCode::kInvalidArgument,
                   "unsupported proxy scheme \"" + scheme + "\" (only http:// proxies)");
    }
    rest = text.substr(sep + 3);
  }
  Proxy proxy;
  // The credentials end at the last '@', so an unencoded '@' or '/' in a password still works.
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const size_t colon = userinfo.find(':');
    Result<std::string> user = PercentDecode(userinfo.substr(0, colon));
    if (!user) return user.error();
    std::string password;
    if (colon != std::string_view::npos) {
      Result<std::string> decoded = PercentDecode(userinfo.substr(colon + 1));
      if (!decoded) return decoded.error();
      password = std::move(*decoded);
    }
    SecretString credentials(*user + ":" + password);
    // Security: wipe the plain copy; only the SecretString keeps the credentials.
    std::fill(password.begin(), password.end(), '\0');
    proxy.authorization = SecretString("Basic " + Base64Encode(credentials.reveal()));
  }
  const size_t path = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path);
  Result<Url> url = ParseUrl("http://" + std::string(authority));
  if (!url) return url.error().Wrap("proxy URL");
  // Without an explicit port, use curl's proxy default instead of http's 80.
  const bool explicit_port = !authority.empty() && authority.front() == '['
                                 ? authority.find("]:") != std::string_view::npos
                                 : authority.find(':') != std::string_view::npos;
  if (!explicit_port) url->port = kDefaultProxyPort;
  url->target = "/";
  proxy.url = std::move(*url);
  return std::optional<Proxy>(std::move(proxy));
}

bool NoProxyMatches(std::string_view no_proxy, const Url& url) {
  for (std::string_view text : SplitEntries(no_proxy)) {
    if (text == "*") return true;
    const std::optional<Entry> entry = ParseEntry(text);
    if (!entry || entry->host.empty()) continue;
    if (entry->port && *entry->port != url.port) continue;
    const bool matches = url.host_kind == HostKind::kName ? NameEntryMatches(entry->host, url.host)
                                                          : IpEntryMatches(entry->host, url.host);
    if (matches) return true;
  }
  return false;
}

}  // namespace hubspoke
