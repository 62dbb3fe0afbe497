#include "lab/session_token.h"

#include <gtest/gtest.h>

#include <set>

namespace hubspoke::lab {
namespace {

SessionClaims FullClaims() {
  return SessionClaims{
      .access_key_id = "ASIAEXAMPLE234567ABC",
      .expiration = TimePoint(std::chrono::seconds(1'900'000'000)),
      .role_arn = "arn:aws:iam::999999999999:role/path/automation-hub-role",
      .session_name = "me@example.com",
      .source_identity = "alice",
      .tags = {{"Project", "blue"}, {"CostCenter", "12345"}, {"empty", ""}},
      .transitive_tag_keys = {"Project"},
      .session_policy = R"({"Version":"2012-10-17","Statement":[]})",
      .policy_arns = {"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::1:policy/x"},
      .mfa = true,
      .mfa_time = TimePoint(std::chrono::seconds(1'899'990'000))};
}

void ExpectSameClaims(const SessionClaims& a, const SessionClaims& b) {
  EXPECT_EQ(a.access_key_id, b.access_key_id);
  EXPECT_EQ(a.expiration, b.expiration);
  EXPECT_EQ(a.role_arn, b.role_arn);
  EXPECT_EQ(a.session_name, b.session_name);
  EXPECT_EQ(a.source_identity, b.source_identity);
  EXPECT_EQ(a.tags, b.tags);
  EXPECT_EQ(a.transitive_tag_keys, b.transitive_tag_keys);
  EXPECT_EQ(a.session_policy, b.session_policy);
  EXPECT_EQ(a.policy_arns, b.policy_arns);
  EXPECT_EQ(a.mfa, b.mfa);
  EXPECT_EQ(a.mfa_time, b.mfa_time);
}

TEST(SessionToken, EveryClaimRoundTripsAndTheSecretMatches) {
  SessionSealer sealer("k1");
  for (const SessionClaims& claims :
       {FullClaims(), SessionClaims{.access_key_id = "ASIAMINIMAL000000000",
                                    .expiration = TimePoint(std::chrono::seconds(0)),
                                    .role_arn = "arn:aws:iam::1:role/r",
                                    .session_name = "s"}}) {
    SessionSealer::Sealed sealed = sealer.Seal(claims);
    EXPECT_EQ(sealed.session_token.rfind("IQoJb3JpZ2luX2VjE", 0), 0u) << "starts like AWS's";
    EXPECT_EQ(sealed.secret_access_key.size(), 40u);
    auto opened = sealer.Open(sealed.session_token);
    ASSERT_TRUE(opened);
    ExpectSameClaims(opened->claims, claims);
    EXPECT_EQ(opened->secret_access_key, sealed.secret_access_key);
  }
  EXPECT_FALSE(sealer.Open(sealer.Seal(SessionClaims{}).session_token)->claims.session_policy)
      << "no Policy parameter stays absent, not empty";
}

TEST(SessionToken, SecretsDifferPerSessionAndPerKey) {
  SessionClaims a = FullClaims();
  SessionClaims b = FullClaims();
  b.session_name = "other";
  std::set<std::string> secrets = {SessionSealer("k1").Seal(a).secret_access_key,
                                   SessionSealer("k1").Seal(b).secret_access_key,
                                   SessionSealer("k2").Seal(a).secret_access_key};
  EXPECT_EQ(secrets.size(), 3u);
  EXPECT_EQ(SessionSealer("k1").Seal(a).session_token, SessionSealer("k1").Seal(a).session_token)
      << "deterministic: the same key and claims make the same token";
}

TEST(SessionToken, AnyAlteredTruncatedOrForeignTokenDoesNotOpen) {
  SessionSealer sealer("k1");
  const std::string token = sealer.Seal(FullClaims()).session_token;
  ASSERT_TRUE(sealer.Open(token));
  // Every character changed in turn (to another base-64 character, keeping the encoding valid
  // wherever it can): the MAC catches each.
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string t = token;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(sealer.Open(t)) << "changed at " << i;
  }
  for (std::size_t n : {std::size_t{0}, std::size_t{10}, std::size_t{17}, std::size_t{40},
                        token.size() - 4, token.size() - 1}) {
    EXPECT_FALSE(sealer.Open(token.substr(0, n))) << "truncated to " << n;
  }
  EXPECT_FALSE(sealer.Open(token + "AAAA"));
  EXPECT_FALSE(SessionSealer("k2").Open(token)) << "sealed under another key";
  EXPECT_FALSE(sealer.Open("IQoJb3JpZ2luX2VjE" + std::string(356, 'x'))) << "the old format";
  EXPECT_FALSE(sealer.Open("not a token at all"));
}

}  // namespace
}  // namespace hubspoke::lab
