// Proxy settings as curl and the AWS CLI read them from HTTPS_PROXY / HTTP_PROXY / NO_PROXY.
// Pure: the caller reads the environment; this only parses and matches.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/url.h"
#include "hubspoke/result.h"
#include "hubspoke/secret.h"

namespace hubspoke {

struct Proxy {
  Url url;  // always http://host:port/ (we speak plain HTTP to the proxy)
  // "Basic base64(user:pass)" when the proxy URL carried credentials, else empty.
  SecretString authorization;
};

// Parses a proxy URL: "http://[user:pass@]host[:port][/]", or "host[:port]" (http assumed, as
// curl does). The port defaults to 1080 like curl's. Percent-encoded user and password are
// decoded. An empty text means "no proxy" (nullopt). https:// and socks proxies are refused with
// kInvalidArgument. Security: error messages never repeat the credentials.
Result<std::optional<Proxy>> ParseProxyUrl(std::string_view text);

// True when `url` must bypass the proxy according to a NO_PROXY list:
//   - entries are separated by commas and/or blanks; matching is case-insensitive;
//   - "*" matches every host;
//   - a name entry matches the host itself and any subdomain: "example.com" and ".example.com"
//     both match "example.com" and "sts.example.com", never "notexample.com";
//     trailing dots are ignored on both sides;
//   - an IP entry matches only an IP-literal host: exactly ("10.1.2.3", "::1" or "[::1]") or by
//     CIDR prefix ("10.0.0.0/8", "fd00::/8"), as curl >= 7.86 does; names are never resolved;
//   - "host:port" (or "[v6]:port") matches only that port; an entry without a port matches every
//     port. (curl compares the whole entry against the bare host name, so entries with ports
//     never match there; Go's and Python's matchers honour the port, as we do.)
//   - loopback is not special: "localhost" or "127.0.0.1" bypass only when listed, like curl.
bool NoProxyMatches(std::string_view no_proxy, const Url& url);

}  // namespace hubspoke
