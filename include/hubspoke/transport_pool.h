// HTTP transports for concurrent callers: a pool that lends one transport to one thread at a
// time (refreshing.h explains the thread-safety rule).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "hubspoke/http.h"

namespace hubspoke {

// A thread-safe pool of HTTP transports. Acquire() lends one transport to one thread until the
// lease ends; idle transports are kept (most recently returned first, so the next STS call finds
// a warm kept-alive connection) up to `max_idle`, the rest are closed. The pool must outlive its
// leases.
class TransportPool {
 public:
  using Factory = std::function<std::unique_ptr<HttpTransport>()>;

  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();
    // Null when the factory failed to make a transport.
    HttpTransport* get() const { return transport_.get(); }

   private:
    friend class TransportPool;
    Lease(TransportPool* pool, std::unique_ptr<HttpTransport> transport);
    TransportPool* pool_;
    std::unique_ptr<HttpTransport> transport_;
  };

  explicit TransportPool(Factory factory, std::size_t max_idle = 8);
  TransportPool(const TransportPool&) = delete;
  TransportPool& operator=(const TransportPool&) = delete;

  Lease Acquire();
  // How many transports the factory has made (for tests and metrics).
  std::size_t created() const;

 private:
  void Return(std::unique_ptr<HttpTransport> transport);

  Factory factory_;
  std::size_t max_idle_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<HttpTransport>> idle_;
  std::size_t created_ = 0;
};

}  // namespace hubspoke
