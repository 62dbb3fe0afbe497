#include "core/url.h"

#include <gtest/gtest.h>

#include <string>

namespace hubspoke {
namespace {

struct GoodCase {
  std::string text;
  std::string scheme;
  std::string host;
  HostKind kind;
  uint16_t port;
  std::string target;
  std::string authority;  // Host header form
};

TEST(UrlTest, ParsesValidUrls) {
  const GoodCase cases[] = {
      {"https://sts.amazonaws.com", "https", "sts.amazonaws.com", HostKind::kName, 443, "/",
       "sts.amazonaws.com"},
      {"https://sts.us-east-1.amazonaws.com/", "https", "sts.us-east-1.amazonaws.com",
       HostKind::kName, 443, "/", "sts.us-east-1.amazonaws.com"},
      {"HTTP://LocalHost:8080/a/b?x=1&y=%2F", "http", "localhost", HostKind::kName, 8080,
       "/a/b?x=1&y=%2F", "localhost:8080"},
      {"http://127.0.0.1:5000?Action=GetCallerIdentity", "http", "127.0.0.1", HostKind::kIpv4, 5000,
       "/?Action=GetCallerIdentity", "127.0.0.1:5000"},
      {"https://[::1]:8443/x", "https", "::1", HostKind::kIpv6, 8443, "/x", "[::1]:8443"},
      {"http://[2001:DB8:0:0::1]/", "http", "2001:db8::1", HostKind::kIpv6, 80, "/",
       "[2001:db8::1]"},
      {"https://example.com.:443/", "https", "example.com", HostKind::kName, 443, "/",
       "example.com"},
      {"http://example.com:443/", "http", "example.com", HostKind::kName, 443, "/",
       "example.com:443"},
      {"https://internal_host.corp/", "https", "internal_host.corp", HostKind::kName, 443, "/",
       "internal_host.corp"},
  };
  for (const GoodCase& c : cases) {
    SCOPED_TRACE(c.text);
    Result<Url> url = ParseUrl(c.text);
    ASSERT_TRUE(url) << url.error().message();
    EXPECT_EQ(url->scheme, c.scheme);
    EXPECT_EQ(url->host, c.host);
    EXPECT_EQ(url->host_kind, c.kind);
    EXPECT_EQ(url->port, c.port);
    EXPECT_EQ(url->target, c.target);
    EXPECT_EQ(url->Authority(), c.authority);
  }
}

TEST(UrlTest, HostPortAlwaysHasThePort) {
  EXPECT_EQ(ParseUrl("https://sts.amazonaws.com")->HostPort(), "sts.amazonaws.com:443");
  EXPECT_EQ(ParseUrl("http://[::1]/")->HostPort(), "[::1]:80");
  EXPECT_EQ(ParseUrl("http://[::1]:81/p")->Origin(), "http://[::1]:81");
}

TEST(UrlTest, RejectsInvalidUrlsWithAClearMessage) {
  const std::pair<std::string, std::string> cases[] = {
      {"ftp://example.com/", "unsupported URL scheme \"ftp\""},
      {"file:///etc/passwd", "unsupported URL scheme"},
      {"sts.amazonaws.com", "must start with http:// or https://"},
      {"https://", "missing host"},
      {"https:///path", "missing host"},
      {"https://user:pw@example.com/", "user information"},
      {"https://sts.amazonaws.com@evil.example/", "user information"},
      {"https://example.com/#frag", "fragment"},
      {"https://example.com/a b", "space, control or non-ASCII"},
      {"https://example.com/\r\nX: y", "space, control or non-ASCII"},
      {"https://ex\xc3\xa4mple.com/", "space, control or non-ASCII"},
      {"https://example.com:0/", "out of range"},
      {"https://example.com:65536/", "out of range"},
      {"https://example.com:/", "invalid port"},
      {"https://example.com:8x/", "invalid port"},
      {"https://[::1/", "malformed IPv6"},
      {"https://[not-v6]/", "malformed IPv6 address"},
      {"https://[::1]x/", "malformed host"},
      {"https://exa$mple.com/", "invalid host name"},
      {"https://a..b/", "invalid host name"},
      {"https://127.1/", "invalid host name"},
      {"https://::1/", "invalid"},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    Result<Url> url = ParseUrl(text);
    ASSERT_FALSE(url);
    EXPECT_EQ(url.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(url.error().message().find(expected), std::string::npos) << url.error().message();
  }
}

TEST(UrlTest, UserinfoErrorDoesNotEchoThePassword) {
  Result<Url> url = ParseUrl("https://admin:hunter2@example.com/");
  ASSERT_FALSE(url);
  EXPECT_EQ(url.error().message().find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace hubspoke
