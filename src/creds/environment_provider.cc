#include "core/strings.h"
#include "core/time.h"
#include "hubspoke/credentials_provider.h"

namespace hubspoke {
namespace {

class EnvironmentProvider final : public CredentialsProvider {
 public:
  explicit EnvironmentProvider(const Environment& env) : env_(env) {}

  Result<Credentials> GetCredentials() override {
    auto get = [&](std::string_view name) {
      auto v = env_.Get(name);
      return v ? Trim(*v) : std::string();
    };
    std::string key = get("AWS_ACCESS_KEY_ID");
    std::string secret = get("AWS_SECRET_ACCESS_KEY");
    if (key.empty() && secret.empty()) {
      return Error(ErrorCode::kNotConfigured,
                   "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
    }
    if (key.empty()) {
      return Error(ErrorCode::kMisconfigured,
                   "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
    }
    if (secret.empty()) {
      return Error(ErrorCode::kMisconfigured, "AWS_ACCESS_KEY_ID (" + MaskAccessKeyId(key) +
                                                  ") is set but AWS_SECRET_ACCESS_KEY is not");
    }
    if (key.size() < 16 || key.size() > 128 ||
        key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
            std::string::npos) {
      return Error(ErrorCode::kInvalidArgument,
                   "AWS_ACCESS_KEY_ID: invalid value '" + Printable(key, 40) +
                       "': an access key id is 16–128 letters and digits, e.g. AKIAIOSFODNN7EXAMPLE");
    }
    Credentials c;
    c.access_key_id = key;
    c.secret_access_key = SecretString(secret);
    std::string token = get("AWS_SESSION_TOKEN");
    if (token.empty()) token = get("AWS_SECURITY_TOKEN");
    c.session_token = SecretString(token);
    std::string expiration = get("AWS_CREDENTIAL_EXPIRATION");
    if (!expiration.empty()) {
      auto t = ParseTimestamp(expiration);
      if (!t) return std::move(t).error().Wrap("AWS_CREDENTIAL_EXPIRATION").WithCode(
                   ErrorCode::kInvalidArgument);
      c.expiration = *t;
    }
    return c;
  }

  std::string Describe() const override { return "environment (AWS_ACCESS_KEY_ID)"; }

 private:
  const Environment& env_;
};

class StaticProvider final : public CredentialsProvider {
 public:
  StaticProvider(Credentials c, std::string d) : creds_(std::move(c)), description_(std::move(d)) {}
  Result<Credentials> GetCredentials() override { return creds_; }
  std::string Describe() const override { return description_; }

 private:
  Credentials creds_;
  std::string description_;
};

}  // namespace

std::unique_ptr<CredentialsProvider> MakeEnvironmentCredentialsProvider(const Environment& env) {
  return std::make_unique<EnvironmentProvider>(env);
}

std::unique_ptr<CredentialsProvider> MakeStaticCredentialsProvider(Credentials credentials,
                                                                   std::string description) {
  return std::make_unique<StaticProvider>(std::move(credentials), std::move(description));
}

std::string MaskAccessKeyId(std::string_view id) {
  if (id.size() <= 8) return std::string(id.substr(0, 4)) + "…";
  return std::string(id.substr(0, 4)) + "…" + std::string(id.substr(id.size() - 4));
}

}  // namespace hubspoke
