// The production HttpTransport: HTTP/1.1 over POSIX sockets and OpenSSL (libssl).
//
// Why not libcurl (STYLE.md rule 12 prefers it): we measured that merely linking libcurl and its
// ~30 shared dependencies costs 7.8 MiB of RSS before the first request, and the whole tool must
// stay under 8 MiB peak RSS for a run; OpenSSL alone costs ~2 MiB, and we need it anyway. What
// we need of HTTP is small (one origin, two requests, keep-alive, CONNECT proxies), so this
// client does exactly that and no more.
//
// Shape: http_client.cc routes and retries, connection.cc moves bytes under deadlines (plain or
// TLS), http_parser.cc frames responses, url.cc and proxy.cc are pure parsing and matching,
// tls_context.cc holds the OpenSSL context, created on the first https request only (plain-http
// runs never load a CA store).
#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/strings.h"
#include "http/connection.h"
#include "http/http_parser.h"
#include "http/proxy.h"
#include "http/tls_context.h"
#include "core/url.h"
#include "hubspoke/http.h"

namespace hubspoke {
namespace {

constexpr size_t kReadChunk = 16 * 1024;

struct Route {
  const Proxy* proxy = nullptr;  // nullptr: straight to the origin
  bool tunnel = false;           // https through the proxy with CONNECT
  std::string key;               // keep-alive pool key: scheme + host + port + proxy
};

bool IsTokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsTokenChar);
}

bool HasCloseToken(const std::vector<HttpHeader>& headers) {
  for (const HttpHeader& h : headers) {
    if (!EqualsIgnoreCase(h.name, "connection")) continue;
    for (const std::string& item : Split(h.value, ',')) {
      if (EqualsIgnoreCase(TrimView(item), "close")) return true;
    }
  }
  return false;
}

// Security: messages name the offending header, never its value (Authorization, tokens).
Status ValidateRequest(const HttpRequest& request) {
  if (!IsToken(request.method)) {
    return Error(ErrorCode::kInvalidArgument,
                 "invalid HTTP method \"" + Printable(request.method, 20) + "\"");
  }
  for (const HttpHeader& h : request.headers) {
    if (!IsToken(h.name)) {
      return Error(ErrorCode::kInvalidArgument,
                   "invalid HTTP header name \"" + Printable(h.name, 60) + "\"");
    }
    if (h.value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return Error(ErrorCode::kInvalidArgument,
                   "HTTP header " + h.name + " contains a line break or NUL byte");
    }
    if (EqualsIgnoreCase(h.name, "transfer-encoding")) {
      return Error(ErrorCode::kInvalidArgument,
                   "Transfer-Encoding is not supported in requests (bodies are sent whole)");
    }
    if (EqualsIgnoreCase(h.name, "content-length") &&
        TrimView(h.value) != std::to_string(request.body.size())) {
      return Error(ErrorCode::kInvalidArgument, "Content-Length header does not match the body");
    }
  }
  return Ok();
}

std::string SerializeRequest(const HttpRequest& request, const Url& url, const Route& route) {
  const bool absolute_form = route.proxy != nullptr && !route.tunnel;
  std::string out;
  out.reserve(256 + request.body.size());
  out += request.method;
  out += ' ';
  out += absolute_form ? url.Origin() + url.target : url.target;
  out += " HTTP/1.1\r\n";
  if (FindHeader(request.headers, "host") == nullptr) out += "Host: " + url.Authority() + "\r\n";
  for (const HttpHeader& h : request.headers) out += h.name + ": " + h.value + "\r\n";
  const bool method_has_body =
      request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  if (FindHeader(request.headers, "content-length") == nullptr &&
      (method_has_body || !request.body.empty())) {
    out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  // Security: proxy credentials go to an http proxy in the clear by design (that is HTTP proxy
  // Basic auth); they are never sent to an origin, nor inside a CONNECT tunnel.
  if (absolute_form && !route.proxy->authorization.empty()) {
    out += "Proxy-Authorization: ";
    out += route.proxy->authorization.reveal();
    out += "\r\n";
  }
  // No "Connection: keep-alive": persistence is the HTTP/1.1 default.
  out += "\r\n";
  out += request.body;
  return out;
}

// Security: the serialized request carries signatures, session tokens and maybe proxy
// credentials; wipe it rather than leave it in freed heap memory.
class WipedString {
 public:
  explicit WipedString(std::string s) : s_(std::move(s)) {}
  ~WipedString() { OPENSSL_cleanse(s_.data(), s_.size()); }
  WipedString(const WipedString&) = delete;
  WipedString& operator=(const WipedString&) = delete;
  const std::string& get() const { return s_; }

 private:
  std::string s_;
};

// Not thread-safe: one client per thread (the pool and the lazily created TLS context are
// unguarded). No global state besides OpenSSL's own initialisation.
class HttpClient final : public HttpTransport {
 public:
  explicit HttpClient(HttpClientOptions options)
      : options_(std::move(options)),
        https_proxy_(ParseProxyUrl(options_.https_proxy)),
        http_proxy_(ParseProxyUrl(options_.http_proxy)) {}

  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  Result<Route> ChooseRoute(const Url& url) const;
  Result<const TlsContext*> Tls();
  Result<std::unique_ptr<Connection>> Connect(const Url& url, const Route& route,
                                              const Deadline& request_deadline);
  Status OpenTunnel(Connection& conn, const Url& url, const Proxy& proxy, const Deadline& deadline);
  // Writes the request and reads one response. *got_bytes: any response byte arrived.
  Result<HttpResponse> Exchange(Connection& conn, const Url& url, const std::string& wire,
                                const std::string& method, const Deadline& deadline,
                                bool* got_bytes, bool* keep_alive);

  HttpClientOptions options_;
  Result<std::optional<Proxy>> https_proxy_;
  Result<std::optional<Proxy>> http_proxy_;
  std::unique_ptr<TlsContext> tls_;  // lazily, on the first https request
  // One idle connection per route key. Declared after tls_ so connections (and their BIOs) go
  // first: the destructor closes each one (TLS close_notify best-effort).
  std::map<std::string, std::unique_ptr<Connection>> idle_;
};

Result<Route> HttpClient::ChooseRoute(const Url& url) const {
  const Result<std::optional<Proxy>>& setting = url.is_https() ? https_proxy_ : http_proxy_;
  if (!setting) return setting.error().Wrap(url.is_https() ? "https proxy" : "http proxy");
  Route route;
  route.key = url.scheme + "://" + url.HostPort();
  if (setting->has_value() && !NoProxyMatches(options_.no_proxy, url)) {
    route.proxy = &**setting;
    route.tunnel = url.is_https();
    route.key += " via " + route.proxy->url.HostPort();
  }
  return route;
}

Result<const TlsContext*> HttpClient::Tls() {
  if (!tls_) {
    Result<std::unique_ptr<TlsContext>> created = TlsContext::Create(options_.ca_bundle);
    if (!created) return created.error();
    tls_ = std::move(*created);
  }
  return static_cast<const TlsContext*>(tls_.get());
}

Result<std::unique_ptr<Connection>> HttpClient::Connect(const Url& url, const Route& route,
                                                        const Deadline& request_deadline) {
  // connect_timeout covers the whole setup, as curl's CURLOPT_CONNECTTIMEOUT does: TCP connect,
  // proxy CONNECT and TLS handshake; the request timeout caps it.
  const Deadline deadline =
      Deadline::Earlier(Deadline::After(options_.connect_timeout, "connect"), request_deadline);
  const TlsContext* tls = nullptr;
  if (url.is_https()) {  // before connecting: a bad CA bundle fails without network traffic
    Result<const TlsContext*> context = Tls();
    if (!context) return context.error();
    tls = *context;
  }
  const Url& first_hop = route.proxy != nullptr ? route.proxy->url : url;
  Result<std::unique_ptr<Connection>> conn =
      Connection::Open(first_hop.host, first_hop.host_kind, first_hop.port, deadline);
  if (!conn) return route.proxy != nullptr ? conn.error().Wrap("proxy") : conn.error();
  if (route.tunnel) {
    if (Status s = OpenTunnel(**conn, url, *route.proxy, deadline); !s) return s.error();
  }
  if (tls != nullptr) {
    if (Status s = (*conn)->StartTls(*tls, url, deadline); !s) return s.error();
  }
  return conn;
}

Status HttpClient::OpenTunnel(Connection& conn, const Url& url, const Proxy& proxy,
                              const Deadline& deadline) {
  const std::string proxy_name = "proxy " + proxy.url.HostPort();
  std::string head = "CONNECT " + url.HostPort() + " HTTP/1.1\r\nHost: " + url.HostPort() + "\r\n";
  if (!proxy.authorization.empty()) {
    head += "Proxy-Authorization: ";
    head += proxy.authorization.reveal();
    head += "\r\n";
  }
  head += "\r\n";
  const WipedString wire(std::move(head));
  if (Status s = conn.WriteAll(wire.get(), deadline); !s) return s.error().Wrap(proxy_name);
  ResponseParser parser("CONNECT");
  char buffer[4096];
  // Read only until the end of the proxy's headers: after a 2xx the bytes are the tunnel's.
  while (!parser.headers_done()) {
    Result<size_t> n = conn.Read(buffer, sizeof(buffer), deadline);
    if (!n) return n.error().Wrap(proxy_name);
    if (*n == 0) {
      return Error(ErrorCode::kNetwork,
                   proxy_name + ": connection closed before answering CONNECT " + url.HostPort());
    }
    if (Status s = parser.Feed(std::string_view(buffer, *n)); !s) {
      return s.error().Wrap(proxy_name + " (CONNECT)");
    }
  }
  const int status = parser.response().status;
  if (status < 200 || status >= 300) {
    Error e(ErrorCode::kNetwork,
            proxy_name + " refused CONNECT " + url.HostPort() + ": HTTP " + std::to_string(status));
    if (status == 407) {
      return std::move(e).WithHint("give the proxy credentials as http://user:password@host:port");
    }
    return e;
  }
  if (parser.has_excess()) {
    return Error(ErrorCode::kParse, proxy_name + " sent data after its CONNECT response");
  }
  return Ok();
}

Result<HttpResponse> HttpClient::Exchange(Connection& conn, const Url& url, const std::string& wire,
                                          const std::string& method, const Deadline& deadline,
                                          bool* got_bytes, bool* keep_alive) {
  if (Status s = conn.WriteAll(wire, deadline); !s) return s.error();
  ResponseParser parser(method);
  auto buffer = std::make_unique<char[]>(kReadChunk);
  while (!parser.done()) {
    Result<size_t> n = conn.Read(buffer.get(), kReadChunk, deadline);
    if (!n) return n.error();
    if (*n == 0) {
      if (Status s = parser.FinishAtEof(); !s) return s.error().Wrap(url.HostPort());
      break;
    }
    *got_bytes = true;
    if (Status s = parser.Feed(std::string_view(buffer.get(), *n)); !s) {
      return s.error().Wrap(url.HostPort());
    }
  }
  *keep_alive = parser.keep_alive() && !conn.peer_closed();
  return std::move(parser.response());
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  Result<Url> url = ParseUrl(request.url);
  if (!url) return url.error();
  if (Status s = ValidateRequest(request); !s) return s.error();
  Result<Route> route = ChooseRoute(*url);
  if (!route) return route.error();
  const Deadline deadline = Deadline::After(request.timeout, "request");
  const WipedString wire(SerializeRequest(request, *url, *route));
  const bool caller_closes = HasCloseToken(request.headers);

  std::unique_ptr<Connection> conn;
  if (auto it = idle_.find(route->key); it != idle_.end()) {
    conn = std::move(it->second);
    idle_.erase(it);
    if (!conn->IsIdleAlive()) conn.reset();  // closed by the server while idle
  }
  bool reused = conn != nullptr;
  for (int attempt = 0;; ++attempt) {
    if (!conn) {
      Result<std::unique_ptr<Connection>> fresh = Connect(*url, *route, deadline);
      if (!fresh) return fresh.error();
      conn = std::move(*fresh);
      reused = false;
    }
    bool got_bytes = false;
    bool keep_alive = false;
    Result<HttpResponse> response =
        Exchange(*conn, *url, wire.get(), request.method, deadline, &got_bytes, &keep_alive);
    if (!response) {
      // A kept-alive connection the server closed just as we reused it (its idle timeout raced
      // our request): the peer closed before sending a single response byte, so it did not
      // answer this request. Retry once on a fresh connection, as curl and browsers do.
      if (reused && attempt == 0 && !got_bytes && conn->peer_closed() &&
          response.error().code() == ErrorCode::kNetwork) {
        conn.reset();
        continue;
      }
      return response.error();
    }
    if (keep_alive && !caller_closes) idle_[route->key] = std::move(conn);
    return response;
  }
}

}  // namespace

std::unique_ptr<HttpTransport> MakeHttpClient(HttpClientOptions options) {
  return std::make_unique<HttpClient>(std::move(options));
}

}  // namespace hubspoke
