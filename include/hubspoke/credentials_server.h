// A local credentials endpoint for child processes: the container credentials protocol that
// every AWS SDK and the AWS CLI speak (AWS_CONTAINER_CREDENTIALS_FULL_URI, with the
// AWS_CONTAINER_AUTHORIZATION_TOKEN sent back as the Authorization header), served on loopback
// from a refreshing provider. A child that gets these two variables instead of static keys asks
// for credentials again whenever its own copy nears expiry, so it can run for days across many
// one-hour chained sessions. `assume-spoke-role run --refresh` is this plus RunChild.
//
// Security: the server listens on 127.0.0.1 only, on a port the kernel picks; it serves one
// path to requests carrying the token (32 random bytes from getrandom, compared in constant time)
// and nothing else; responses say no-store; the token and the credentials never reach the log.
// Anyone who can read the child's environment can fetch credentials while the server runs, just
// as they could read static keys from it. Anyone else on the machine can connect but not lock the
// child out: the server holds 64 connections, and those that have not shown the token are cut
// after untrusted_timeout and are evicted, oldest first, to make room for new ones; only
// connections that have shown it keep the normal timeouts and are never evicted. And a
// connection is accepted only once its request has arrived (idle ones after defer_accept), so
// a child slow to send after connecting is never evicted before its request is read.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "hubspoke/credentials_provider.h"
#include "hubspoke/result.h"
#include "hubspoke/secret.h"
#include "hubspoke/system.h"

namespace hubspoke {

struct CredentialsServerOptions {
  // How long a request may take to be read; a client that dribbles is cut off.
  std::chrono::milliseconds request_timeout{5000};
  // Until a connection has sent a request with the token: the longest it may take to send a
  // request, or sit idle, before it is closed. Short, because such connections are either the
  // child's (which sends its request at once) or someone else's holding a slot.
  std::chrono::milliseconds untrusted_timeout{2000};
  // Connections held at once (at least 64): a server shared by N children wants about 2·N.
  std::size_t max_connections = 64;
  // Linux TCP_DEFER_ACCEPT, 0..60 s (0 = off): a connection that has sent nothing reaches the
  // server only after about this long, one whose request has arrived at once. Idle connections
  // then take this long per turn to churn the slots.
  std::chrono::seconds defer_accept{3};
};

class CredentialsServer {
 public:
  // Starts serving `provider` on 127.0.0.1 (a free port). Each GET of url() with the token
  // calls provider->GetCredentials(): give it a caching provider (MakeCachingProvider or a
  // SpokeSessionCache session) so that requests are answered from memory and refreshes happen
  // ahead of expiry. Answers:
  //   200 {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}   credentials
  //   401 {"code": "AccessDenied", …}        the Authorization header is missing or wrong
  //   404 / 405                               any other path or method
  //   503 {"code": "CredentialsUnavailable", "message": …}   the provider failed (its message,
  //                                           which never holds a secret; logged at kWarning)
  // `sys.log` must outlive the server. kNetwork when loopback cannot be bound, kInternal when the
  // random token cannot be made.
  static Result<std::unique_ptr<CredentialsServer>> Start(
      std::shared_ptr<CredentialsProvider> provider, Logger& log,
      CredentialsServerOptions options = {});

  // A server shared by many children, each with a token (and a provider) of its own: starts with
  // none; AddClient() registers one. A request is answered from the provider of the token it
  // shows; a token that was removed, or another child's, gets nothing else. (fanout --refresh.)
  static Result<std::unique_ptr<CredentialsServer>> StartShared(
      Logger& log, CredentialsServerOptions options = {});
  // A new random token for `provider`, valid until RemoveClient(token).
  Result<SecretString> AddClient(std::shared_ptr<CredentialsProvider> provider);
  void RemoveClient(const SecretString& token);
  std::size_t clients() const;

  ~CredentialsServer();  // Stop()
  CredentialsServer(const CredentialsServer&) = delete;
  CredentialsServer& operator=(const CredentialsServer&) = delete;

  // "http://127.0.0.1:<port>/credentials", for AWS_CONTAINER_CREDENTIALS_FULL_URI.
  const std::string& url() const;
  // For AWS_CONTAINER_AUTHORIZATION_TOKEN: the token of Start()'s provider (empty for a server
  // made by StartShared()).
  const SecretString& token() const;
  // Requests answered with credentials so far (for tests and the verbose log).
  std::uint64_t served() const;
  // Closes the port and every connection; nothing listens afterwards. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit CredentialsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hubspoke
