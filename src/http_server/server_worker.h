// One worker event loop of the HTTP server: an epoll set of connections handed over by the
// acceptor, plus their deadlines. Everything but Adopt() and RequestStop() runs on the
// worker's own thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hubspoke/result.h"
#include "http_server/server_connection.h"

namespace hubspoke {

class ServerWorker {
 public:
  explicit ServerWorker(ServerContext& context);
  ~ServerWorker();  // closes every connection; the loop must have returned
  ServerWorker(const ServerWorker&) = delete;
  ServerWorker& operator=(const ServerWorker&) = delete;

  // Creates the epoll set and the wake-up eventfd.
  Status Init();
  // The event loop; returns soon after RequestStop(), with every connection closed.
  void Run();

  // Thread-safe. Hands over an accepted, non-blocking socket already counted in
  // context.open_connections; the worker owns it from now on. With `make_room` (a newcomer at
  // max_connections) the worker first evicts its oldest untrusted connection, or refuses the
  // newcomer if it has none.
  void Adopt(int fd, std::string peer, bool make_room);
  // Thread-safe.
  void RequestStop();
  // Thread-safe: how many of this worker's connections are untrusted (ServerOptions::trusts).
  size_t untrusted() const { return untrusted_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    std::unique_ptr<ServerConnection> connection;
    uint32_t events = 0;  // what epoll currently waits for
  };
  using Map = std::unordered_map<uint64_t, Entry>;
  struct Adoptee {
    int fd;
    std::string peer;
    bool make_room;
  };

  void TakeAdopted(ServerTime now);
  void HandleEvent(uint64_t id, uint32_t events, ServerTime now);
  // After a connection did something: erase it if closed, else update its epoll events and
  // the next sweep time.
  void Sync(Map::iterator it);
  void Sweep(ServerTime now);
  // Closes the oldest untrusted connection; false when there is none.
  bool EvictOldestUntrusted(ServerTime now);
  void CloseAdopted();

  ServerContext& context_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // eventfd, epoll id 0
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Adoptee> adopted_;  // guarded by mu_
  std::atomic<size_t> untrusted_{0};  // kept by the connections themselves
  // Ids, not pointers, in epoll: an event already fetched for a connection closed earlier in
  // the same batch finds nothing instead of a reused fd or freed memory.
  Map connections_;
  uint64_t next_id_ = 1;
  ServerTime next_sweep_ = ServerTime::max();  // no deadline is earlier than this
  std::vector<char> scratch_;
};

}  // namespace hubspoke
