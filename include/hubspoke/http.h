// The HTTP seam: a small interface the STS client talks to, with one real implementation
// (a keep-alive HTTP/1.1 client over POSIX sockets and OpenSSL, see src/http/) and loopback test
// servers in tests.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/result.h"

namespace hubspoke {

struct HttpHeader {
  std::string name;
  std::string value;
};

// Case-insensitive lookup; nullptr when absent.
const std::string* FindHeader(const std::vector<HttpHeader>& headers, std::string_view name);

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute: http(s)://host[:port]/path[?query]
  std::vector<HttpHeader> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};  // whole exchange, connect included
};

struct HttpResponse {
  int status = 0;
  std::vector<HttpHeader> headers;
  std::string body;
};

// Sends requests; implementations reuse connections per origin (keep-alive). Failures to
// exchange bytes are kNetwork or kTimeout errors; any HTTP status is a successful exchange.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

struct HttpClientOptions {
  std::string ca_bundle;    // PEM file of trusted CAs (AWS_CA_BUNDLE); empty = system store
  std::string https_proxy;  // proxy URL for https:// requests (HTTPS_PROXY), empty = none
  std::string http_proxy;   // proxy URL for http:// requests (HTTP_PROXY), empty = none
  std::string no_proxy;     // NO_PROXY list: hosts, .domains, *, IPs
  std::chrono::milliseconds connect_timeout{3000};
};

// The production transport: HTTP/1.1 with keep-alive, TLS with certificate and host name
// verification, HTTP CONNECT proxies. Not thread-safe: one per thread.
std::unique_ptr<HttpTransport> MakeHttpClient(HttpClientOptions options);

}  // namespace hubspoke
