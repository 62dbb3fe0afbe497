#include "hubspoke/credentials_server.h"

#include <openssl/crypto.h>
#include <strings.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <vector>
#include <nlohmann/json.hpp>

#include "core/hex.h"
#include "core/time.h"
#include "crypto/random.h"
#include "http_server/http_server.h"

namespace hubspoke {
namespace {

constexpr char kPath[] = "/credentials";

// 32 bytes from the kernel's CSPRNG as 64 hex digits.
Result<SecretString> RandomToken() {
  std::array<unsigned char, 32> bytes{};
  if (Status s = crypto::RandomBytes(bytes); !s) return s.error().Wrap("credentials server");
  std::string hex = HexEncode(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return SecretString(std::move(hex));
}

bool SameToken(std::string_view sent, const SecretString& token) {
  const std::string_view want = token.reveal();
  return sent.size() == want.size() && CRYPTO_memcmp(sent.data(), want.data(), want.size()) == 0;
}

// The request's (last) Authorization header, or null.
const std::string* AuthorizationOf(const ServerRequest& request) {
  const std::string* authorization = nullptr;
  for (const auto& h : request.headers) {
    if (strcasecmp(h.name.c_str(), "Authorization") == 0) authorization = &h.value;
  }
  return authorization;
}

ServerResponse JsonResponse(int status, const nlohmann::json& body) {
  ServerResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}};
  r.body = body.dump();
  return r;
}

ServerResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
  return JsonResponse(status, {{"code", code}, {"message", message}});
}

}  // namespace

struct CredentialsServer::Impl {
  struct Client {
    SecretString token;
    std::shared_ptr<CredentialsProvider> provider;
  };
  Logger* log = nullptr;
  SecretString token;  // the first client's
  std::string url;
  std::atomic<std::uint64_t> served{0};
  std::unique_ptr<HttpServer> server;
  mutable std::shared_mutex mu;
  std::vector<Client> clients;

  // The provider of the client whose token the request shows, or null. Every token is
  // compared (in constant time), so the time taken does not tell which one matched.
  std::shared_ptr<CredentialsProvider> ClientOf(const ServerRequest& request) const {
    const std::string* sent = AuthorizationOf(request);
    if (sent == nullptr) return nullptr;
    std::shared_ptr<CredentialsProvider> found;
    std::shared_lock<std::shared_mutex> lock(mu);
    for (const Client& c : clients) {
      if (SameToken(*sent, c.token)) found = c.provider;
    }
    return found;
  }

  ServerResponse Handle(const ServerRequest& request) {
    if (request.path != kPath) return ErrorResponse(404, "NotFound", "no such resource");
    // The token is checked before the method so that nothing is learned without it.
    std::shared_ptr<CredentialsProvider> provider = ClientOf(request);
    if (!provider) {
      log->Log(LogLevel::kWarning, "credentials server: refused a request from " + request.peer +
                                       " without the authorization token");
      return ErrorResponse(401, "AccessDenied", "missing or wrong authorization token");
    }
    if (request.method != "GET") {
      ServerResponse r = ErrorResponse(405, "MethodNotAllowed", "only GET is served");
      r.headers.push_back({"Allow", "GET"});
      return r;
    }
    auto credentials = provider->GetCredentials();
    if (!credentials) {
      log->Log(LogLevel::kWarning,
               "credentials server: no credentials for the child: " + credentials.error().message());
      return ErrorResponse(503, "CredentialsUnavailable", credentials.error().message());
    }
    nlohmann::json body = {{"AccessKeyId", credentials->access_key_id},
                           {"SecretAccessKey", std::string(credentials->secret_access_key.reveal())}};
    if (!credentials->session_token.empty()) body["Token"] = credentials->session_token.reveal();
    if (credentials->expiration) body["Expiration"] = FormatRfc3339(*credentials->expiration);
    served.fetch_add(1, std::memory_order_relaxed);
    log->Log(LogLevel::kDebug,
             "credentials server: served " + MaskAccessKeyId(credentials->access_key_id));
    return JsonResponse(200, body);
  }
};

CredentialsServer::CredentialsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CredentialsServer::~CredentialsServer() { Stop(); }

Result<std::unique_ptr<CredentialsServer>> CredentialsServer::Start(
    std::shared_ptr<CredentialsProvider> provider, Logger& log, CredentialsServerOptions options) {
  auto server = StartShared(log, options);
  if (!server) return server;
  auto token = (*server)->AddClient(std::move(provider));
  if (!token) return token.error();
  (*server)->impl_->token = std::move(*token);
  return server;
}

Result<SecretString> CredentialsServer::AddClient(std::shared_ptr<CredentialsProvider> provider) {
  auto token = RandomToken();
  if (!token) return token.error();
  std::unique_lock<std::shared_mutex> lock(impl_->mu);
  impl_->clients.push_back(Impl::Client{*token, std::move(provider)});
  return std::move(*token);
}

void CredentialsServer::RemoveClient(const SecretString& token) {
  std::unique_lock<std::shared_mutex> lock(impl_->mu);
  auto& clients = impl_->clients;
  clients.erase(std::remove_if(clients.begin(), clients.end(),
                               [&](const Impl::Client& c) {
                                 return SameToken(token.reveal(), c.token);
                               }),
                clients.end());
}

std::size_t CredentialsServer::clients() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  return impl_->clients.size();
}

Result<std::unique_ptr<CredentialsServer>> CredentialsServer::StartShared(
    Logger& log, CredentialsServerOptions options) {
  if (options.defer_accept < std::chrono::seconds(0) ||
      options.defer_accept > std::chrono::seconds(60)) {
    return Error(ErrorCode::kInvalidArgument,
                 "credentials server: defer_accept must be 0..60 s, not " +
                     std::to_string(options.defer_accept.count()));
  }
  auto impl = std::make_unique<Impl>();
  impl->log = &log;

  ServerOptions server_options;
  server_options.host = "127.0.0.1";
  server_options.port = 0;
  server_options.threads = 1;
  server_options.max_connections = std::max<std::size_t>(64, options.max_connections);
  server_options.max_header_bytes = 8 * 1024;
  server_options.max_body_bytes = 4 * 1024;
  server_options.header_timeout = options.request_timeout;
  server_options.body_timeout = options.request_timeout;
  Impl* raw = impl.get();
  // Security: connections that have not shown the token get short deadlines and are the ones
  // evicted when all 64 are taken, so idle connections of another local user cannot lock the
  // child out (issue 11).
  server_options.trusts = [raw](const ServerRequest& request) {
    return raw->ClientOf(request) != nullptr;
  };
  server_options.untrusted_timeout = options.untrusted_timeout;
  // Security: a child's request is in the socket when we accept it, so however long the loaded
  // machine made it wait between connect and send, it is read before it could be evicted; idle
  // connections reach us only after defer_accept each, which bounds how fast they churn slots.
  server_options.defer_accept = options.defer_accept;
  auto server = HttpServer::Start(std::move(server_options),
                                  [raw](const ServerRequest& request) { return raw->Handle(request); });
  if (!server) {
    return Error(server.error().code(),
                 "credentials server: cannot listen on 127.0.0.1: " + server.error().message());
  }
  impl->server = std::move(*server);
  impl->url = impl->server->url() + kPath;
  return std::unique_ptr<CredentialsServer>(new CredentialsServer(std::move(impl)));
}

const std::string& CredentialsServer::url() const { return impl_->url; }
const SecretString& CredentialsServer::token() const { return impl_->token; }
std::uint64_t CredentialsServer::served() const {
  return impl_->served.load(std::memory_order_relaxed);
}

void CredentialsServer::Stop() {
  if (impl_ && impl_->server) impl_->server->Stop();
}

}  // namespace hubspoke
