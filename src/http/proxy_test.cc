#include "http/proxy.h"

#include <gtest/gtest.h>

#include <string>

namespace hubspoke {
namespace {

Url U(const std::string& text) {
  Result<Url> url = ParseUrl(text);
  EXPECT_TRUE(url) << text;
  return url ? *url : Url{};
}

struct NoProxyCase {
  std::string no_proxy;
  std::string url;
  bool bypass;
};

TEST(HttpNoProxyTest, MatchesLikeCurlWithPortsHonoured) {
  const NoProxyCase cases[] = {
      {"", "https://sts.amazonaws.com/", false},
      {"*", "https://sts.amazonaws.com/", true},
      {"example.com, *", "https://sts.amazonaws.com/", true},
      // names: exact or domain suffix, with or without the leading dot, case-insensitive
      {"amazonaws.com", "https://amazonaws.com/", true},
      {"amazonaws.com", "https://sts.amazonaws.com/", true},
      {".amazonaws.com", "https://sts.amazonaws.com/", true},
      {".amazonaws.com", "https://amazonaws.com/", true},
      {"AmazonAWS.com.", "https://STS.amazonaws.com/", true},
      {"amazonaws.com", "https://notamazonaws.com/", false},
      {"sts.amazonaws.com", "https://amazonaws.com/", false},
      {"foo.com,bar.com", "https://x.bar.com/", true},
      {"foo.com bar.com", "https://x.bar.com/", true},
      {" foo.com ,, bar.com ", "https://bar.com/", true},
      {".", "https://bar.com/", false},
      // loopback is not special
      {"example.com", "http://localhost:8080/", false},
      {"example.com", "http://127.0.0.1:8080/", false},
      {"localhost", "http://localhost:8080/", true},
      // IP literals: exact or CIDR, never by suffix, never against names
      {"127.0.0.1", "http://127.0.0.1:8080/", true},
      {"127.0.0.1", "http://127.0.0.11/", false},
      {"0.0.1", "http://127.0.0.1/", false},
      {"10.0.0.0/8", "https://10.20.30.40/", true},
      {"10.0.0.0/8", "https://11.0.0.1/", false},
      {"10.0.0.0/33", "https://10.0.0.1/", false},
      {"127.0.0.1", "http://localhost/", false},
      {"::1", "http://[::1]:8080/", true},
      {"[::1]", "http://[::1]:8080/", true},
      {"[0:0::1]", "http://[::1]/", true},
      {"fd00::/8", "http://[fd12::1]/", true},
      {"fd00::/8", "http://[fe80::1]/", false},
      {"::1", "http://127.0.0.1/", false},
      // ports: an entry with a port matches only that port
      {"example.com:8443", "https://example.com:8443/", true},
      {"example.com:8443", "https://example.com/", false},
      {"example.com:443", "https://example.com/", true},
      {"127.0.0.1:5000", "http://127.0.0.1:5000/", true},
      {"127.0.0.1:5000", "http://127.0.0.1:5001/", false},
      {"[::1]:5000", "http://[::1]:5000/", true},
      {"[::1]:5000", "http://[::1]:5001/", false},
      {"example.com:notaport", "https://example.com/", false},
  };
  for (const NoProxyCase& c : cases) {
    SCOPED_TRACE("no_proxy=\"" + c.no_proxy + "\" url=" + c.url);
    EXPECT_EQ(NoProxyMatches(c.no_proxy, U(c.url)), c.bypass);
  }
}

TEST(HttpProxyUrlTest, EmptyMeansNoProxy) {
  Result<std::optional<Proxy>> proxy = ParseProxyUrl("");
  ASSERT_TRUE(proxy);
  EXPECT_FALSE(proxy->has_value());
}

TEST(HttpProxyUrlTest, ParsesHostPortAndDefaults) {
  struct Case {
    std::string text;
    std::string host_port;
  };
  const Case cases[] = {
      {"http://proxy.corp:3128", "proxy.corp:3128"},
      {"http://proxy.corp:3128/", "proxy.corp:3128"},
      {"proxy.corp:8080", "proxy.corp:8080"},
      {"HTTP://Proxy.Corp", "proxy.corp:1080"},
      {"http://10.0.0.1", "10.0.0.1:1080"},
      {"http://[::1]:3128", "[::1]:3128"},
      {"http://[::1]", "[::1]:1080"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    Result<std::optional<Proxy>> proxy = ParseProxyUrl(c.text);
    ASSERT_TRUE(proxy) << proxy.error().message();
    ASSERT_TRUE(proxy->has_value());
    EXPECT_EQ((*proxy)->url.HostPort(), c.host_port);
    EXPECT_TRUE((*proxy)->authorization.empty());
  }
}

TEST(HttpProxyUrlTest, CredentialsBecomeBasicAuthorization) {
  Result<std::optional<Proxy>> proxy = ParseProxyUrl("http://user:pass@proxy:3128");
  ASSERT_TRUE(proxy);
  EXPECT_EQ((*proxy)->authorization.reveal(), "Basic dXNlcjpwYXNz");
  // Percent-decoded, and an unencoded '@' in the password still splits at the last '@'.
  proxy = ParseProxyUrl("http://al%69ce:p%40ss:w@rd@proxy:3128");
  ASSERT_TRUE(proxy);
  EXPECT_EQ((*proxy)->authorization.reveal(), "Basic YWxpY2U6cEBzczp3QHJk");  // alice:p@ss:w@rd
  EXPECT_EQ((*proxy)->url.HostPort(), "proxy:3128");
  proxy = ParseProxyUrl("http://onlyuser@proxy:3128");
  ASSERT_TRUE(proxy);
  EXPECT_EQ((*proxy)->authorization.reveal(), "Basic b25seXVzZXI6");  // onlyuser:
}

TEST(HttpProxyUrlTest, RejectsUnsupportedAndMalformedWithoutEchoingTheSecret) {
  const std::pair<std::string, std::string> cases[] = {
      {"https://proxy:3128", "unsupported proxy scheme \"https\""},
      {"socks5://proxy:1080", "unsupported proxy scheme \"socks5\""},
      {"http://user:s3cr%ZZet@proxy:3128", "malformed percent-encoding"},
      {"http://user:s3cret@proxy:99999", "out of range"},
      {"http://user:s3cret@/", "missing host"},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    Result<std::optional<Proxy>> proxy = ParseProxyUrl(text);
    ASSERT_FALSE(proxy);
    EXPECT_EQ(proxy.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(proxy.error().message().find(expected), std::string::npos) << proxy.error().message();
    EXPECT_EQ(proxy.error().message().find("s3cr"), std::string::npos);
  }
}

}  // namespace
}  // namespace hubspoke
