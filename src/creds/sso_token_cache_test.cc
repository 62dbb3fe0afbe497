#include "creds/sso_token_cache.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/time.h"

namespace hubspoke {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TimePoint At(const char* text) { return *ParseTimestamp(text); }

SsoCachedToken Refreshable(TimePoint expires) {
  SsoCachedToken t;
  t.access_token = SecretString(std::string("access"));
  t.expires_at = expires;
  t.client_id = "client";
  t.client_secret = SecretString(std::string("secret"));
  t.refresh_token = SecretString(std::string("refresh"));
  t.registration_expires_at = At("2099-01-01T00:00:00Z");
  return t;
}

TEST(SsoTokenCache, DecisionFollowsBotocoresRefreshWindow) {
  const TimePoint now = At("2026-12-04T12:00:00Z");
  EXPECT_EQ(DecideSsoTokenAction(Refreshable(now + minutes(16)), now, true), SsoTokenAction::kUse);
  EXPECT_EQ(DecideSsoTokenAction(Refreshable(now + minutes(15)), now, true), SsoTokenAction::kUse);
  EXPECT_EQ(DecideSsoTokenAction(Refreshable(now + minutes(14)), now, true),
            SsoTokenAction::kRefresh);
  EXPECT_EQ(DecideSsoTokenAction(Refreshable(now - minutes(60)), now, true),
            SsoTokenAction::kRefresh);
  // Legacy sso_start_url profiles are never refreshed.
  EXPECT_EQ(DecideSsoTokenAction(Refreshable(now + minutes(5)), now, false), SsoTokenAction::kUse);
  EXPECT_EQ(DecideSsoTokenAction(Refreshable(now - seconds(1)), now, false),
            SsoTokenAction::kLogin);
  // Incomplete refresh material, or an expired client registration: no refresh.
  for (int missing = 0; missing < 4; ++missing) {
    SsoCachedToken t = Refreshable(now - seconds(1));
    if (missing == 0) t.client_id.clear();
    if (missing == 1) t.client_secret = SecretString();
    if (missing == 2) t.refresh_token = SecretString();
    if (missing == 3) t.registration_expires_at = now - seconds(1);
    EXPECT_EQ(DecideSsoTokenAction(t, now, true), SsoTokenAction::kLogin) << missing;
    t.expires_at = now + minutes(10);
    EXPECT_EQ(DecideSsoTokenAction(t, now, true), SsoTokenAction::kUse) << missing;
  }
}

TEST(SsoTokenCache, ParsesTheCacheFile) {
  auto t = ParseSsoCachedToken(
      R"({"startUrl":"https://d.awsapps.com/start","region":"eu-west-1","accessToken":"a",)"
      R"("expiresAt":"2026-12-04T12:00:00UTC","clientId":"c","clientSecret":"s",)"
      R"("registrationExpiresAt":"2027-01-01T00:00:00Z","refreshToken":"r"})");
  ASSERT_TRUE(t.has_value()) << t.error().message();
  EXPECT_EQ(t->access_token.reveal(), "a");
  EXPECT_EQ(t->expires_at, At("2026-12-04T12:00:00Z"));
  EXPECT_EQ(t->client_id, "c");
  EXPECT_EQ(t->client_secret.reveal(), "s");
  EXPECT_EQ(t->refresh_token.reveal(), "r");
  EXPECT_EQ(t->registration_expires_at, At("2027-01-01T00:00:00Z"));
  for (const char* bad : {"[]", "{", R"({"expiresAt":"2026-12-04T12:00:00Z"})",
                          R"({"accessToken":"a"})", R"({"accessToken":"a","expiresAt":"soon"})"}) {
    auto r = ParseSsoCachedToken(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kParse);
  }
}

TEST(SsoTokenCache, ParsesCreateTokenAnswers) {
  auto t = ParseCreateTokenResponse(
      R"({"accessToken":"new","expiresIn":28800,"refreshToken":"r2","tokenType":"Bearer"})");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->access_token.reveal(), "new");
  EXPECT_EQ(t->expires_in, seconds(28800));
  EXPECT_EQ(t->refresh_token.reveal(), "r2");
  auto no_refresh = ParseCreateTokenResponse(R"({"accessToken":"new","expiresIn":60})");
  ASSERT_TRUE(no_refresh.has_value());
  EXPECT_TRUE(no_refresh->refresh_token.empty());
  for (const char* bad : {"", R"({"expiresIn":60})", R"({"accessToken":"x","expiresIn":0})",
                          R"({"accessToken":"x","expiresIn":"60"})"}) {
    EXPECT_FALSE(ParseCreateTokenResponse(bad).has_value()) << bad;
  }
}

TEST(SsoTokenCache, RewriteKeepsUnknownFieldsAndWritesBotocoresFields) {
  const std::string original =
      R"({"startUrl":"https://d.awsapps.com/start","region":"eu-west-1","accessToken":"old",)"
      R"("expiresAt":"2026-12-04T11:00:00Z","clientId":"c","clientSecret":"s",)"
      R"("registrationExpiresAt":"2027-01-01T00:00:00Z","refreshToken":"r1","x-extra":{"k":[1]}})";
  SsoRefreshedToken fresh;
  fresh.access_token = SecretString(std::string("new"));
  fresh.expires_in = seconds(3600);
  const TimePoint now = At("2026-12-04T12:00:00Z") + std::chrono::milliseconds(700);
  auto out = RewriteSsoCachedToken(original, fresh, now, "https://d.awsapps.com/start",
                                   "eu-west-1");
  ASSERT_TRUE(out.has_value());
  auto j = nlohmann::json::parse(*out);
  EXPECT_EQ(j["accessToken"], "new");
  EXPECT_EQ(j["expiresAt"], "2026-12-04T13:00:00Z");
  EXPECT_EQ(j["refreshToken"], "r1");  // no new one: the old one stays
  EXPECT_EQ(j["clientId"], "c");
  EXPECT_EQ(j["clientSecret"], "s");
  EXPECT_EQ(j["registrationExpiresAt"], "2027-01-01T00:00:00Z");
  EXPECT_EQ(j["x-extra"], nlohmann::json::parse(R"({"k":[1]})"));
  fresh.refresh_token = SecretString(std::string("r2"));
  auto rotated = RewriteSsoCachedToken(original, fresh, now, "", "");
  ASSERT_TRUE(rotated.has_value());
  EXPECT_EQ(nlohmann::json::parse(*rotated)["refreshToken"], "r2");
  EXPECT_FALSE(RewriteSsoCachedToken("[1]", fresh, now, "", "").has_value());
}

}  // namespace
}  // namespace hubspoke
