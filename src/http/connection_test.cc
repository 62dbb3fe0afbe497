// ctest-label: threads
// Connection-level behaviour that the client cannot show deterministically: writing to a peer
// that has gone away must fail with EPIPE, never kill the process with SIGPIPE.
#include "http/connection.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

#include "http/test_server.h"

namespace hubspoke {
namespace {

using http_test::LoopbackServer;
using http_test::ServerConn;
using http_test::TestPki;
using std::chrono::milliseconds;

// SIGPIPE at its default action (terminate) and unblocked for the duration of a test, so a
// single unguarded write to a closed socket would kill the test binary.
class DefaultSigpipe {
 public:
  DefaultSigpipe() {
    struct sigaction action {};
    action.sa_handler = nullptr;  // SIG_DFL
    sigemptyset(&action.sa_mask);
    sigaction(SIGPIPE, &action, &old_action_);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_UNBLOCK, &set, &old_mask_);
  }
  ~DefaultSigpipe() {
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    sigaction(SIGPIPE, &old_action_, nullptr);
  }

 private:
  struct sigaction old_action_ {};
  sigset_t old_mask_{};
};

// Writes until the first failure (bounded): the peer closed, so its RST turns a later write
// into EPIPE.
Status WriteUntilFailure(Connection& conn) {
  const std::string chunk(64 * 1024, 'x');
  for (int i = 0; i < 200; ++i) {
    Status s = conn.WriteAll(chunk, Deadline::After(milliseconds(2000), "request"));
    if (!s) return s;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return Ok();
}

TEST(HttpConnectionTest, WriteToClosedPeerIsEpipeNotSigpipe) {
  DefaultSigpipe guard;
  LoopbackServer server([](ServerConn& conn, int) { conn.Close(); });
  Result<std::unique_ptr<Connection>> conn = Connection::Open(
      "127.0.0.1", HostKind::kIpv4, server.port(), Deadline::After(milliseconds(2000), "connect"));
  ASSERT_TRUE(conn) << conn.error().message();
  std::this_thread::sleep_for(milliseconds(50));  // the peer's FIN arrives
  Status s = WriteUntilFailure(**conn);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kNetwork);
  EXPECT_EQ(s.error().message(), server.HostPort() + ": Broken pipe while sending the request");
  EXPECT_TRUE((*conn)->peer_closed());
  EXPECT_FALSE((*conn)->IsIdleAlive());
}

TEST(HttpConnectionTest, TlsWriteToClosedPeerIsEpipeNotSigpipe) {
  DefaultSigpipe guard;
  TestPki pki;
  LoopbackServer server([](ServerConn& conn, int) { conn.Close(); },
                        pki.ServerContext("IP:127.0.0.1"));
  Result<std::unique_ptr<TlsContext>> tls = TlsContext::Create(pki.ca_pem_path());
  ASSERT_TRUE(tls) << tls.error().message();
  Result<Url> url = ParseUrl(server.Url("https"));
  ASSERT_TRUE(url);
  const Deadline deadline = Deadline::After(milliseconds(2000), "connect");
  Result<std::unique_ptr<Connection>> conn =
      Connection::Open(url->host, url->host_kind, url->port, deadline);
  ASSERT_TRUE(conn) << conn.error().message();
  ASSERT_TRUE((*conn)->StartTls(**tls, *url, deadline));
  std::this_thread::sleep_for(milliseconds(50));
  Status s = WriteUntilFailure(**conn);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kNetwork);
  EXPECT_EQ(s.error().message(),
            server.HostPort() + ": TLS: Broken pipe while sending the request");
  conn->reset();  // no SSL_shutdown after the failure, and no SIGPIPE from it either
}

TEST(HttpConnectionTest, IdleConnectionLivenessCheck) {
  LoopbackServer server([](ServerConn& conn, int) {
    std::this_thread::sleep_for(milliseconds(100));
    conn.Close();
  });
  Result<std::unique_ptr<Connection>> conn = Connection::Open(
      "127.0.0.1", HostKind::kIpv4, server.port(), Deadline::After(milliseconds(2000), "connect"));
  ASSERT_TRUE(conn) << conn.error().message();
  EXPECT_TRUE((*conn)->IsIdleAlive());
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_FALSE((*conn)->IsIdleAlive());
}

}  // namespace
}  // namespace hubspoke
