#include "http/tls_context.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace hubspoke {
namespace {

SocketBioState* StateOf(BIO* bio) { return static_cast<SocketBioState*>(BIO_get_data(bio)); }

int SocketWrite(BIO* bio, const char* data, size_t size, size_t* written) {
  SocketBioState* state = StateOf(bio);
  BIO_clear_retry_flags(bio);
  // Security/robustness: MSG_NOSIGNAL turns a write to a closed peer into EPIPE instead of a
  // process-killing SIGPIPE, without touching the process's signal dispositions.
  const ssize_t n = send(state->fd, data, size, MSG_NOSIGNAL);
  if (n >= 0) {
    *written = static_cast<size_t>(n);
    return 1;
  }
  state->last_errno = errno;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) BIO_set_retry_write(bio);
  return 0;
}

int SocketRead(BIO* bio, char* data, size_t size, size_t* read) {
  SocketBioState* state = StateOf(bio);
  BIO_clear_retry_flags(bio);
  const ssize_t n = recv(state->fd, data, size, 0);
  if (n > 0) {
    *read = static_cast<size_t>(n);
    return 1;
  }
  if (n == 0) {
    state->eof = true;  // reported through BIO_CTRL_EOF so OpenSSL can tell EOF from an error
    return 0;
  }
  state->last_errno = errno;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) BIO_set_retry_read(bio);
  return 0;
}

long SocketCtrl(BIO* bio, int cmd, long /*num*/, void* /*ptr*/) {  // NOLINT(runtime/int)
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;  // unbuffered
    case BIO_CTRL_EOF:
      return StateOf(bio)->eof ? 1 : 0;
    case BIO_C_GET_FD:
      return StateOf(bio)->fd;
    default:
      return 0;
  }
}

}  // namespace

std::string TakeOpenSslError(const std::string& fallback) {
  const unsigned long code = ERR_get_error();  // NOLINT(runtime/int)
  ERR_clear_error();
  if (code == 0) return fallback;
  if (const char* reason = ERR_reason_error_string(code)) return reason;
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

Result<std::unique_ptr<TlsContext>> TlsContext::Create(const std::string& ca_bundle) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) {
    return Error(ErrorCode::kInternal, "TLS: cannot create context: " + TakeOpenSslError());
  }
  // Security: TLS 1.2 is the floor (AWS endpoints require it), and the peer must present a
  // certificate chaining to a trusted CA; the host name is checked per connection.
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  // Idle kept-alive connections give their 2 x 16 KiB record buffers back: we count RSS.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  if (ca_bundle.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
      const std::string reason = TakeOpenSslError();
      SSL_CTX_free(ctx);
      return Error(ErrorCode::kMisconfigured, "TLS: cannot load the system CA store: " + reason);
    }
  } else {
    // Security: with a bundle, trust ONLY that bundle (as the AWS CLI does with AWS_CA_BUNDLE),
    // never the bundle plus the system store.
    if (SSL_CTX_load_verify_file(ctx, ca_bundle.c_str()) != 1) {
      const int saved_errno = errno;
      std::string reason = TakeOpenSslError("no certificates found");
      if (reason == "system lib" || reason.find("No such file") != std::string::npos) {
        reason = std::error_code(saved_errno, std::generic_category()).message();
      }
      SSL_CTX_free(ctx);
      return Error(ErrorCode::kInvalidArgument,
                   "cannot load CA bundle " + ca_bundle + ": " + reason);
    }
  }
  BIO_METHOD* method =
      BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "hubspoke nosigpipe socket");
  if (method == nullptr || BIO_meth_set_write_ex(method, SocketWrite) != 1 ||
      BIO_meth_set_read_ex(method, SocketRead) != 1 || BIO_meth_set_ctrl(method, SocketCtrl) != 1) {
    BIO_meth_free(method);
    SSL_CTX_free(ctx);
    return Error(ErrorCode::kInternal, "TLS: cannot create the socket BIO method");
  }
  return std::unique_ptr<TlsContext>(new TlsContext(ctx, method));
}

TlsContext::~TlsContext() {
  SSL_CTX_free(ctx_);
  BIO_meth_free(bio_method_);
}

BIO* TlsContext::NewSocketBio(SocketBioState* state) const {
  BIO* bio = BIO_new(bio_method_);
  if (bio == nullptr) return nullptr;
  BIO_set_data(bio, state);
  BIO_set_init(bio, 1);
  return bio;
}

}  // namespace hubspoke
