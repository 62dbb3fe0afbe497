// A small HTTP/1.1 server for the local STS emulator ("the lab") and the local credentials
// endpoint: Linux epoll, one acceptor thread handing connections round-robin to N worker event
// loops, keep-alive, pipelining, chunked request bodies, 100-continue, hard limits and timeouts,
// and a fault-injection hook.
//
// Why our own instead of cpp-httplib (STYLE rule 12): the CLI is a fully static binary and Debian
// ships cpp-httplib only as a shared library; and the lab must serve at least 50x moto_server's
// throughput (moto: ~300-700 AssumeRole/s here) with p99 < 5 ms under many concurrent kept-alive
// clients on a 2-core machine, which a thread-per-connection blocking server does not do, and it
// must survive hostile input (slowloris, smuggling attempts, floods of pipelined requests) with
// every resource bounded.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hubspoke/http.h"
#include "hubspoke/result.h"

namespace hubspoke {

// One parsed request. Nothing is percent-decoded: `path` and `query` are raw slices of `target`.
struct ServerRequest {
  std::string method;               // "GET", "POST", … (case-sensitive, as sent)
  std::string target;               // origin-form "/a/b?x=1", or "*" (OPTIONS only)
  std::string path;                 // target before the first '?'
  std::string query;                // target after the first '?', without it; empty when none
  std::vector<HttpHeader> headers;  // in order, names as sent, values trimmed of OWS
  std::string body;                 // decoded (chunked framing removed)
  std::string peer;                 // "127.0.0.1:54321" or "[::1]:54321"
  bool http10 = false;              // the request line said HTTP/1.0
};

struct ServerResponse {
  int status = 200;  // 200..599; anything else becomes a 500
  // Content-Length, Transfer-Encoding and Connection are the server's: the handler's are
  // dropped (set `close` instead). A handler's Date header replaces the server's (a lab with
  // a fake clock). Names must be tokens and values free of CR, LF and NUL, else the response
  // becomes a 500 (Security: no response splitting).
  std::vector<HttpHeader> headers;
  std::string body;
  bool close = false;  // close the connection after this response
};

// Called on worker threads, possibly concurrently: must be thread-safe. Must not call
// HttpServer::Stop() (it joins the thread calling the handler). An exception thrown by the
// handler becomes a 500 and never leaves the server.
using Handler = std::function<ServerResponse(const ServerRequest&)>;

// What the fault-injection hook asks for, applied just before the response is written.
struct FaultAction {
  enum class Kind {
    kNone,      // the handler's response
    kDrop,      // close the connection without a response; the handler is not called
    kTruncate,  // the handler's response cut to `truncate_bytes` bytes, then close
    kGarbage,   // `garbage` (or a built-in non-HTTP blob when empty) instead, then close;
                // the handler is not called
    kStatus,    // `status`, `headers` and `body` instead; the handler is not called
  };
  Kind kind = Kind::kNone;
  // Holds the response (or the drop) this long without blocking the worker; later pipelined
  // requests on the same connection wait behind it, other connections do not.
  std::chrono::milliseconds delay{0};
  size_t truncate_bytes = 0;
  std::string garbage;
  int status = 0;
  std::vector<HttpHeader> headers;
  std::string body;
};
// Called on worker threads for every complete, well-formed request; must be thread-safe.
using FaultHook = std::function<FaultAction(const ServerRequest&)>;

inline constexpr int kMaxServerThreads = 64;

struct ServerOptions {
  // Security: loopback by default; any other address only when the caller asks for it. An IP
  // literal ("127.0.0.1", "::1", "[::1]", "0.0.0.0") or "localhost" (= 127.0.0.1); no DNS.
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 = a free port chosen by the kernel, see HttpServer::port()
  int threads = 0;    // worker event loops, 0..kMaxServerThreads; 0 = hardware_concurrency()
  // Security: every resource a client can make us hold is bounded.
  size_t max_header_bytes = 16 * 1024;  // request line + headers (and, separately, trailers)
  size_t max_body_bytes = 1 << 20;      // decoded body
  // From the first byte of a request (or from accept) to the end of its headers: a client
  // dribbling bytes (slowloris) is cut off here, however steadily it sends.
  std::chrono::milliseconds header_timeout{5000};
  std::chrono::milliseconds idle_timeout{30000};  // between requests on a kept-alive connection
  std::chrono::milliseconds body_timeout{10000};  // from the end of the headers to end of body
  // A queued response making no progress (the peer stopped reading) closes the connection.
  std::chrono::milliseconds send_timeout{10000};
  // Beyond it new connections get a 503 and are closed (but see `trusts`).
  size_t max_connections = 1024;
  FaultHook fault_hook;  // optional

  // Optional. Security: without it anyone who can connect can hold every connection slot with
  // idle connections and lock out the clients that matter (the credentials endpoint's child).
  // With it, a connection is untrusted until one of its complete requests satisfies `trusts`
  // (called on worker threads before the fault hook and the handler; must be thread-safe; an
  // exception counts as false), and trusted for the rest of its life. While untrusted, its
  // header, body and idle deadlines are at most `untrusted_timeout`; and at max_connections a
  // new connection is not refused but makes room by evicting the oldest untrusted connection of
  // the worker it goes to. It is refused (503) only when no untrusted connection is left to
  // evict. Trusted connections keep the normal timeouts and are never evicted.
  std::function<bool(const ServerRequest&)> trusts;
  std::chrono::milliseconds untrusted_timeout{2000};
  // Optional (Linux TCP_DEFER_ACCEPT; 0 = off). Security: a connection that has sent nothing is
  // handed to us only after about this long, while one whose request has arrived is accepted at
  // once, with the request already readable. Idle connections (another local user holding the
  // slots) then churn at most once per this period each, and a client that was slow to send
  // after connecting (a loaded machine) is never evicted before its request could be read.
  // Only for protocols where the client speaks first, such as HTTP.
  std::chrono::seconds defer_accept{0};
};

struct ServerContext;
class ServerWorker;

class HttpServer {
 public:
  // Binds, listens and starts the threads. kInvalidArgument for bad options or host,
  // kNetwork when the address cannot be bound, kInternal when threads cannot be started.
  static Result<std::unique_ptr<HttpServer>> Start(ServerOptions options, Handler handler);

  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port>" ("http://[::1]:<port>" for IPv6).
  std::string url() const;

  // Stops accepting, closes every connection (responses not yet written are lost), joins all
  // threads. Bounded by the longest handler call in progress. Idempotent; thread-safe.
  void Stop();

 private:
  HttpServer();
  void AcceptLoop();
  void AcceptReady(size_t* next_worker);

  std::unique_ptr<ServerContext> context_;
  std::vector<std::unique_ptr<ServerWorker>> workers_;
  std::vector<std::thread> worker_threads_;
  std::thread acceptor_;
  std::string url_host_;  // as it goes in a URL: IPv6 in brackets
  uint16_t port_ = 0;
  int listen_fd_ = -1;
  int accept_epoll_fd_ = -1;
  int accept_wake_fd_ = -1;  // eventfd: Stop() wakes the acceptor
  int spare_fd_ = -1;        // kept open to recover from EMFILE, see AcceptReady
  std::mutex stop_mu_;
  bool stopped_ = false;
};

}  // namespace hubspoke
