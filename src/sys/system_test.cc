#include <gtest/gtest.h>

#include "hubspoke/system.h"

namespace hubspoke {
namespace {

TEST(HttpClientOptionsFromEnvironment, ReadsCaBundleAndProxiesLowerCaseFirst) {
  auto env = MakeMapEnvironment({{"AWS_CA_BUNDLE", "/etc/corp-ca.pem"},
                                 {"HTTPS_PROXY", "http://upper:3128"},
                                 {"https_proxy", "http://lower:3128"},
                                 {"HTTP_PROXY", "http://plain:3128"},
                                 {"NO_PROXY", "169.254.169.254,.internal"}});
  HttpClientOptions o = HttpClientOptionsFromEnvironment(*env);
  EXPECT_EQ(o.ca_bundle, "/etc/corp-ca.pem");
  EXPECT_EQ(o.https_proxy, "http://lower:3128");
  EXPECT_EQ(o.http_proxy, "http://plain:3128");
  EXPECT_EQ(o.no_proxy, "169.254.169.254,.internal");
  HttpClientOptions none = HttpClientOptionsFromEnvironment(*MakeMapEnvironment({}));
  EXPECT_TRUE(none.ca_bundle.empty());
  EXPECT_TRUE(none.https_proxy.empty());
}

TEST(MapEnvironment, LastDefinitionWins) {
  auto env = MakeMapEnvironment({{"A", "1"}, {"A", "2"}, {"EMPTY", ""}});
  EXPECT_EQ(*env->Get("A"), "2");
  EXPECT_EQ(*env->Get("EMPTY"), "");
  EXPECT_FALSE(env->Get("MISSING").has_value());
}

}  // namespace
}  // namespace hubspoke
