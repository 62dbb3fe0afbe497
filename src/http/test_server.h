// Test-only (included by src/http/*_test.cc): a scripted loopback HTTP(S) server on 127.0.0.1
// port 0 that counts the connections it accepts, and a throwaway PKI made with OpenSSL at test
// time. Raw sockets rather than cpp-httplib so tests can misbehave on purpose (malformed,
// chunked, slow, silent, closing) byte by byte.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "testing/temp_directory.h"

namespace hubspoke::http_test {

struct ReceivedRequest {
  std::string head;  // request line + headers + CRLFCRLF
  std::string body;

  std::string RequestLine() const { return head.substr(0, head.find("\r\n")); }
  // Value of the first header `name` (case-insensitive), or nullopt.
  std::optional<std::string> Header(std::string_view name) const {
    size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos + 2 < head.size()) {
      const size_t start = pos + 2;
      const size_t end = head.find("\r\n", start);
      const std::string line = head.substr(start, end - start);
      const size_t colon = line.find(':');
      if (colon == name.size() && strncasecmp(line.data(), name.data(), name.size()) == 0) {
        size_t v = colon + 1;
        while (v < line.size() && line[v] == ' ') ++v;
        return line.substr(v);
      }
      pos = end;
    }
    return std::nullopt;
  }
};

// One accepted connection: blocking I/O (each call capped at 5 s by SO_RCVTIMEO/SO_SNDTIMEO).
class ServerConn {
 public:
  ServerConn(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  ~ServerConn() { Close(); }
  ServerConn(const ServerConn&) = delete;
  ServerConn& operator=(const ServerConn&) = delete;

  int fd() const { return fd_; }
  // The SNI the TLS client sent, empty when none (or plain TCP).
  std::string sni() const {
    const char* name =
        ssl_ == nullptr ? nullptr : SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name);
    return name == nullptr ? "" : name;
  }

  // The next request (head + Content-Length body); nullopt at EOF, error or timeout.
  std::optional<ReceivedRequest> ReadRequest() {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    ReceivedRequest request;
    request.head = buffer_.substr(0, end + 4);
    buffer_.erase(0, end + 4);
    size_t length = 0;
    if (std::optional<std::string> cl = request.Header("content-length")) {
      length = std::stoul(*cl);
    }
    while (buffer_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    request.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return request;
  }

  bool Write(std::string_view data) {
    while (!data.empty()) {
      ssize_t n;
      if (ssl_ != nullptr) {
        size_t written = 0;
        n = SSL_write_ex(ssl_, data.data(), data.size(), &written) == 1
                ? static_cast<ssize_t>(written)
                : -1;
      } else {
        n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      }
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Waits until the peer closes (or 5 s pass); discards anything it sends.
  void WaitForClose() {
    while (Fill()) buffer_.clear();
  }

  // Closes the TCP connection without a TLS close_notify (a crashed or impolite server).
  void Abort() {
    if (ssl_ != nullptr) {
      SSL_free(ssl_);
      ssl_ = nullptr;
      ERR_clear_error();
    }
    Close();
  }

  void Close() {
    if (ssl_ != nullptr) {
      SSL_shutdown(ssl_);
      SSL_free(ssl_);
      ssl_ = nullptr;
      ERR_clear_error();
    }
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
  }

 private:
  bool Fill() {
    if (fd_ < 0) return false;
    char chunk[16384];
    ssize_t n;
    if (ssl_ != nullptr) {
      size_t got = 0;
      n = SSL_read_ex(ssl_, chunk, sizeof(chunk), &got) == 1 ? static_cast<ssize_t>(got) : -1;
    } else {
      n = recv(fd_, chunk, sizeof(chunk), 0);
    }
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  SSL* ssl_;
  std::string buffer_;
};

// Serves connections one at a time on a thread: handler(conn, n) for the n-th accepted
// connection (0-based). The destructor unblocks and joins it.
class LoopbackServer {
 public:
  using Handler = std::function<void(ServerConn&, int)>;

  explicit LoopbackServer(Handler handler, SSL_CTX* tls = nullptr)
      : handler_(std::move(handler)), tls_(tls) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(listen_fd_, 16);
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }

  ~LoopbackServer() {
    stop_ = true;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (active_fd_ >= 0) shutdown(active_fd_, SHUT_RDWR);
    }
    thread_.join();
    close(listen_fd_);
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }
  int tls_failures() const { return tls_failures_.load(); }
  std::string HostPort() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string Url(std::string_view scheme = "http", std::string_view path = "/") const {
    return std::string(scheme) + "://" + HostPort() + std::string(path);
  }

 private:
  void Run() {
    // OpenSSL's own socket BIO writes with write(): a client that hung up would raise SIGPIPE.
    // SIGPIPE is directed at the writing thread, so blocking it here turns that into EPIPE.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    while (!stop_) {
      pollfd p{.fd = listen_fd_, .events = POLLIN, .revents = 0};
      if (poll(&p, 1, 20) <= 0) continue;
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      const int index = accepted_++;
      timeval tv{.tv_sec = 5, .tv_usec = 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      {
        std::lock_guard<std::mutex> lock(mu_);
        active_fd_ = fd;
      }
      SSL* ssl = nullptr;
      if (tls_ != nullptr) {
        ssl = SSL_new(tls_);
        SSL_set_fd(ssl, fd);
        if (SSL_accept(ssl) != 1) {
          ++tls_failures_;
          SSL_free(ssl);
          ERR_clear_error();
          std::lock_guard<std::mutex> lock(mu_);
          active_fd_ = -1;
          close(fd);
          continue;
        }
      }
      {
        ServerConn conn(fd, ssl);
        handler_(conn, index);
        std::lock_guard<std::mutex> lock(mu_);
        active_fd_ = -1;
      }
    }
  }

  Handler handler_;
  SSL_CTX* tls_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::atomic<int> tls_failures_{0};
  std::mutex mu_;
  int active_fd_ = -1;
  std::thread thread_;
};

// Strings recorded by a server thread and read by the test.
class Recorder {
 public:
  void Add(std::string s) {
    std::lock_guard<std::mutex> lock(mu_);
    items_.push_back(std::move(s));
  }
  std::vector<std::string> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return items_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> items_;
};

// "HTTP/1.1 200 OK" with Content-Length and `extra` header lines ("Name: v\r\n…").
inline std::string Reply(int status, std::string_view body, std::string_view extra = "") {
  return "HTTP/1.1 " + std::to_string(status) +
         " Whatever\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra) + "\r\n" + std::string(body);
}

// A CA and server certificates made fresh for a test, in a temporary directory.
class TestPki {
 public:
  TestPki() {
    dir_ = tmp_.path();
    ca_key_ = NewKey();
    ca_ = NewCert("hubspoke test CA", ca_key_, nullptr, nullptr, "");
    ca_pem_path_ = dir_ + "/ca.pem";
    FILE* f = std::fopen(ca_pem_path_.c_str(), "w");
    PEM_write_X509(f, ca_);
    std::fclose(f);
  }
  ~TestPki() {
    for (SSL_CTX* ctx : contexts_) SSL_CTX_free(ctx);
    X509_free(ca_);
    EVP_PKEY_free(ca_key_);
  }
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& ca_pem_path() const { return ca_pem_path_; }
  const std::string& dir() const { return dir_; }

  // A server context whose certificate (signed by the CA) has subjectAltName `san`, e.g.
  // "IP:127.0.0.1" or "DNS:localhost". Owned by this TestPki.
  SSL_CTX* ServerContext(const std::string& san) {
    EVP_PKEY* key = NewKey();
    X509* cert = NewCert("hubspoke test server", key, ca_, ca_key_, san);
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx, cert);
    SSL_CTX_use_PrivateKey(ctx, key);
    X509_free(cert);
    EVP_PKEY_free(key);
    contexts_.push_back(ctx);
    return ctx;
  }

 private:
  static EVP_PKEY* NewKey() { return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); }

  static void AddExt(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }

  // A CA certificate when issuer is null, else a server certificate for `san`.
  X509* NewCert(const char* cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
                const std::string& san) {
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), ++serial_);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                               -1, -1, 0);
    X509_set_issuer_name(cert, issuer != nullptr ? X509_get_subject_name(issuer) : name);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : cert, cert, nullptr, nullptr, 0);
    if (issuer == nullptr) {
      AddExt(cert, &ctx, NID_basic_constraints, "critical,CA:TRUE");
      AddExt(cert, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
      AddExt(cert, &ctx, NID_subject_key_identifier, "hash");
    } else {
      AddExt(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE");
      AddExt(cert, &ctx, NID_key_usage, "critical,digitalSignature");
      AddExt(cert, &ctx, NID_ext_key_usage, "serverAuth");
      AddExt(cert, &ctx, NID_subject_alt_name, san.c_str());
      AddExt(cert, &ctx, NID_authority_key_identifier, "keyid:always");
    }
    X509_sign(cert, issuer_key != nullptr ? issuer_key : key, EVP_sha256());
    return cert;
  }

  testing::TempDirectory tmp_{"hubspoke-pki"};  // real: OpenSSL reads the PEM files
  std::string dir_;
  std::string ca_pem_path_;
  EVP_PKEY* ca_key_ = nullptr;
  X509* ca_ = nullptr;
  long serial_ = 0;  // NOLINT(runtime/int)
  std::vector<SSL_CTX*> contexts_;
};

}  // namespace hubspoke::http_test
