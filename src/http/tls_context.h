// The OpenSSL client context of one HTTP client: trusted CAs, protocol floor, and the socket BIO
// that keeps SIGPIPE away. Created on the first https request only.
#pragma once

#include <openssl/bio.h>
#include <openssl/types.h>

#include <memory>
#include <string>

#include "hubspoke/result.h"

namespace hubspoke {

// What our socket BIO reads and writes through. Owned by the Connection, which outlives its SSL.
struct SocketBioState {
  int fd = -1;
  bool eof = false;    // recv returned 0
  int last_errno = 0;  // errno of the last failed send/recv (for SSL_ERROR_SYSCALL)
};

class TlsContext {
 public:
  // TLS >= 1.2, peer verification on, trust = the system store, or ONLY the PEM file
  // `ca_bundle` when it is set. kInvalidArgument naming the file when it cannot be loaded.
  static Result<std::unique_ptr<TlsContext>> Create(const std::string& ca_bundle);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* ctx() const { return ctx_; }
  // A BIO over `state->fd`: recv/send(MSG_NOSIGNAL) on the non-blocking socket, so a write to a
  // peer that has gone away fails with EPIPE instead of killing the process. Owned by the
  // caller until handed to SSL_set_bio.
  BIO* NewSocketBio(SocketBioState* state) const;

 private:
  TlsContext(SSL_CTX* ctx, BIO_METHOD* method) : ctx_(ctx), bio_method_(method) {}
  SSL_CTX* ctx_;
  BIO_METHOD* bio_method_;
};

// The oldest entry of this thread's OpenSSL error queue as text ("certificate verify failed"),
// or `fallback` when the queue is empty. Clears the queue.
std::string TakeOpenSslError(const std::string& fallback = "unknown TLS error");

}  // namespace hubspoke
