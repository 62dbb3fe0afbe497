// ctest-label: threads
// The production client over TLS (a throwaway CA made at test time) and through CONNECT proxies.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "http/test_server.h"
#include "hubspoke/http.h"

namespace hubspoke {
namespace {

using http_test::LoopbackServer;
using http_test::ReceivedRequest;
using http_test::Recorder;
using http_test::Reply;
using http_test::ServerConn;
using http_test::TestPki;
using std::chrono::milliseconds;

HttpRequest Get(const std::string& url) {
  return HttpRequest{.method = "GET", .url = url, .timeout = milliseconds(5000)};
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string HttpsUrl(const std::string& host, const LoopbackServer& server) {
  return "https://" + host + ":" + std::to_string(server.port()) + "/";
}

class HttpClientTlsTest : public ::testing::Test {
 protected:
  // Serves every request with 200 "secure", recording the SNI of each connection.
  LoopbackServer::Handler Echo() {
    return [this](ServerConn& conn, int) {
      sni_.Add(conn.sni());
      while (std::optional<ReceivedRequest> request = conn.ReadRequest()) {
        heads_.Add(request->head);
        if (!conn.Write(Reply(200, "secure"))) return;
      }
    };
  }

  TestPki pki_;
  Recorder sni_;
  Recorder heads_;
};

TEST_F(HttpClientTlsTest, VerificationFailsWithoutCaBundle) {
  LoopbackServer server(Echo(), pki_.ServerContext("IP:127.0.0.1"));
  auto client = MakeHttpClient({});  // the system store does not know our test CA
  Result<HttpResponse> response = client->Send(Get(server.Url("https")));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kNetwork);
  EXPECT_TRUE(
      response.error().message().starts_with("TLS certificate verification failed for 127.0.0.1: "))
      << response.error().message();
  EXPECT_TRUE(Contains(response.error().ToString(), "AWS_CA_BUNDLE"));
  EXPECT_TRUE(heads_.Get().empty());
}

TEST_F(HttpClientTlsTest, SucceedsWithCaBundleAndReusesTheConnection) {
  LoopbackServer server(Echo(), pki_.ServerContext("IP:127.0.0.1"));
  auto client = MakeHttpClient({.ca_bundle = pki_.ca_pem_path()});
  for (int i = 0; i < 2; ++i) {
    Result<HttpResponse> response = client->Send(Get(server.Url("https")));
    ASSERT_TRUE(response) << response.error().message();
    EXPECT_EQ(response->body, "secure");
  }
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(sni_.Get(), std::vector<std::string>{""});  // no SNI for an IP literal
}

TEST_F(HttpClientTlsTest, DnsNameIsSentAsSniAndVerified) {
  LoopbackServer server(Echo(), pki_.ServerContext("DNS:localhost"));
  auto client = MakeHttpClient({.ca_bundle = pki_.ca_pem_path()});
  Result<HttpResponse> response = client->Send(Get(HttpsUrl("localhost", server)));
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(sni_.Get(), std::vector<std::string>{"localhost"});
}

TEST_F(HttpClientTlsTest, HostNameMismatchFails) {
  {
    LoopbackServer server(Echo(), pki_.ServerContext("DNS:localhost"));
    auto client = MakeHttpClient({.ca_bundle = pki_.ca_pem_path()});
    Result<HttpResponse> response = client->Send(Get(HttpsUrl("127.0.0.1", server)));
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().message(),
              "TLS certificate verification failed for 127.0.0.1: IP address mismatch");
  }
  {
    LoopbackServer server(Echo(), pki_.ServerContext("IP:127.0.0.1"));
    auto client = MakeHttpClient({.ca_bundle = pki_.ca_pem_path()});
    Result<HttpResponse> response = client->Send(Get(HttpsUrl("localhost", server)));
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().message(),
              "TLS certificate verification failed for localhost: hostname mismatch");
  }
  EXPECT_TRUE(heads_.Get().empty());
}

TEST_F(HttpClientTlsTest, CertificateFromAnotherCaFails) {
  TestPki other;
  LoopbackServer server(Echo(), other.ServerContext("IP:127.0.0.1"));
  auto client = MakeHttpClient({.ca_bundle = pki_.ca_pem_path()});
  Result<HttpResponse> response = client->Send(Get(server.Url("https")));
  ASSERT_FALSE(response);
  EXPECT_TRUE(Contains(response.error().message(), "TLS certificate verification failed"));
}

TEST_F(HttpClientTlsTest, UnreadableOrEmptyCaBundleIsInvalidArgumentNamingTheFile) {
  LoopbackServer server(Echo(), pki_.ServerContext("IP:127.0.0.1"));
  const std::string missing = pki_.dir() + "/missing.pem";
  auto client = MakeHttpClient({.ca_bundle = missing});
  Result<HttpResponse> response = client->Send(Get(server.Url("https")));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(response.error().message(),
            "cannot load CA bundle " + missing + ": No such file or directory");

  const std::string empty = pki_.dir() + "/empty.pem";
  std::fclose(std::fopen(empty.c_str(), "w"));
  client = MakeHttpClient({.ca_bundle = empty});
  response = client->Send(Get(server.Url("https")));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(response.error().message().starts_with("cannot load CA bundle " + empty + ": "))
      << response.error().message();
  EXPECT_EQ(server.accepted(), 0);  // checked before any connection is made
}

TEST_F(HttpClientTlsTest, PlainHttpServerOnHttpsUrlIsAHandshakeError) {
  LoopbackServer server([](ServerConn& conn, int) {
    conn.Write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
  });
  auto client = MakeHttpClient({.ca_bundle = pki_.ca_pem_path()});
  Result<HttpResponse> response = client->Send(Get(server.Url("https")));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kNetwork);
  EXPECT_TRUE(response.error().message().starts_with("TLS handshake with " + server.HostPort() +
                                                     " failed: "))
      << response.error().message();
}

TEST_F(HttpClientTlsTest, ReusedConnectionClosedBeforeAnswerIsRetried) {
  for (bool polite : {true, false}) {
    SCOPED_TRACE(polite ? "close_notify" : "no close_notify");
    LoopbackServer server(
        [&](ServerConn& conn, int index) {
          if (index == 0) {
            if (conn.ReadRequest()) conn.Write(Reply(200, "first"));
            conn.ReadRequest();
            if (polite)
              conn.Close();
            else
              conn.Abort();
            return;
          }
          while (conn.ReadRequest()) conn.Write(Reply(200, "again"));
        },
        pki_.ServerContext("IP:127.0.0.1"));
    auto client = MakeHttpClient({.ca_bundle = pki_.ca_pem_path()});
    Result<HttpResponse> first = client->Send(Get(server.Url("https")));
    ASSERT_TRUE(first) << first.error().message();
    Result<HttpResponse> second = client->Send(Get(server.Url("https")));
    ASSERT_TRUE(second) << second.error().message();
    EXPECT_EQ(second->body, "again");
    EXPECT_EQ(server.accepted(), 2);
  }
}

// A CONNECT proxy: records the CONNECT request, then pipes bytes to 127.0.0.1:<port>.
class TunnelProxy {
 public:
  TunnelProxy() : server_([this](ServerConn& conn, int) { Serve(conn); }) {}

  const LoopbackServer& server() const { return server_; }
  std::vector<std::string> connect_lines() const { return lines_.Get(); }
  std::vector<std::string> authorizations() const { return auth_.Get(); }

 private:
  void Serve(ServerConn& conn) {
    std::optional<ReceivedRequest> request = conn.ReadRequest();
    if (!request) return;
    const std::string line = request->RequestLine();
    lines_.Add(line);
    auth_.Add(request->Header("proxy-authorization").value_or("<none>"));
    const size_t colon = line.rfind(':');
    const int port = std::stoi(line.substr(colon + 1));
    const int upstream = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      conn.Write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
      close(upstream);
      return;
    }
    conn.Write("HTTP/1.1 200 Connection established\r\nVia: test-proxy\r\n\r\n");
    Pipe(conn.fd(), upstream);
    close(upstream);
  }

  static void Pipe(int a, int b) {
    char buffer[16384];
    for (;;) {
      pollfd fds[2] = {{.fd = a, .events = POLLIN, .revents = 0},
                       {.fd = b, .events = POLLIN, .revents = 0}};
      if (poll(fds, 2, 5000) <= 0) return;
      for (int i = 0; i < 2; ++i) {
        if (fds[i].revents == 0) continue;
        const ssize_t n = recv(fds[i].fd, buffer, sizeof(buffer), 0);
        if (n <= 0) return;
        if (send(fds[1 - i].fd, buffer, static_cast<size_t>(n), MSG_NOSIGNAL) != n) return;
      }
    }
  }

  Recorder lines_;
  Recorder auth_;
  LoopbackServer server_;  // last: its thread stops before the recorders go
};

TEST_F(HttpClientTlsTest, HttpsGoesThroughConnectProxyWithCredentials) {
  LoopbackServer origin(Echo(), pki_.ServerContext("IP:127.0.0.1"));
  TunnelProxy proxy;
  auto client = MakeHttpClient({.ca_bundle = pki_.ca_pem_path(),
                                .https_proxy = "http://user:pass@" + proxy.server().HostPort(),
                                .no_proxy = "example.com"});
  for (int i = 0; i < 2; ++i) {
    Result<HttpResponse> response = client->Send(Get(origin.Url("https", "/x")));
    ASSERT_TRUE(response) << response.error().message();
    EXPECT_EQ(response->body, "secure");
  }
  EXPECT_EQ(proxy.server().accepted(), 1);
  EXPECT_EQ(origin.accepted(), 1);  // the tunnel is kept alive too
  EXPECT_EQ(proxy.connect_lines(),
            std::vector<std::string>{"CONNECT " + origin.HostPort() + " HTTP/1.1"});
  EXPECT_EQ(proxy.authorizations(), std::vector<std::string>{"Basic dXNlcjpwYXNz"});
  // Security: the proxy credentials never reach the origin; the origin sees origin-form.
  for (const std::string& head : heads_.Get()) {
    EXPECT_TRUE(head.starts_with("GET /x HTTP/1.1\r\n")) << head;
    EXPECT_FALSE(Contains(head, "Proxy-Authorization")) << head;
  }
}

TEST_F(HttpClientTlsTest, NoProxyBypassesTheConnectProxy) {
  LoopbackServer origin(Echo(), pki_.ServerContext("IP:127.0.0.1"));
  TunnelProxy proxy;
  auto client = MakeHttpClient({.ca_bundle = pki_.ca_pem_path(),
                                .https_proxy = "http://" + proxy.server().HostPort(),
                                .no_proxy = ".example.com,127.0.0.1"});
  Result<HttpResponse> response = client->Send(Get(origin.Url("https")));
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(proxy.server().accepted(), 0);
  EXPECT_EQ(origin.accepted(), 1);
}

TEST_F(HttpClientTlsTest, ProxyRefusingConnectIsAnErrorWithoutTheCredentials) {
  LoopbackServer proxy([](ServerConn& conn, int) {
    if (conn.ReadRequest()) {
      conn.Write(
          "HTTP/1.1 407 Proxy Authentication Required\r\n"
          "Proxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n");
    }
  });
  auto client = MakeHttpClient(
      {.ca_bundle = pki_.ca_pem_path(), .https_proxy = "http://user:hunter2@" + proxy.HostPort()});
  Result<HttpResponse> response = client->Send(Get("https://127.0.0.1:9/"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kNetwork);
  EXPECT_EQ(response.error().message(),
            "proxy " + proxy.HostPort() + " refused CONNECT 127.0.0.1:9: HTTP 407");
  EXPECT_FALSE(Contains(response.error().ToString(), "hunter2"));
  EXPECT_FALSE(Contains(response.error().ToString(), "dXNlcjpodW50ZXIy"));
}

TEST_F(HttpClientTlsTest, UnreachableProxyNamesTheProxy) {
  int port = 0;
  {
    LoopbackServer gone([](ServerConn&, int) {});
    port = gone.port();
  }
  auto client = MakeHttpClient({.https_proxy = "http://127.0.0.1:" + std::to_string(port)});
  Result<HttpResponse> response = client->Send(Get("https://sts.amazonaws.com/"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), ErrorCode::kNetwork);
  EXPECT_EQ(response.error().message(),
            "proxy: connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

}  // namespace
}  // namespace hubspoke
