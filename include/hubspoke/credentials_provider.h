// Where base credentials come from. A provider either returns credentials, or an error whose
// code is kNotConfigured when its source is simply absent (a chain moves on) and anything else
// when the source is present but broken (a chain stops). Never empty credentials.
#pragma once

#include <memory>
#include <string>

#include "hubspoke/credentials.h"
#include "hubspoke/result.h"
#include "hubspoke/system.h"

namespace hubspoke {

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual Result<Credentials> GetCredentials() = 0;
  // Describes the source for logs and errors, e.g. "environment (AWS_ACCESS_KEY_ID)".
  virtual std::string Describe() const = 0;
};

// AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN, or the legacy
// AWS_SECURITY_TOKEN; + AWS_CREDENTIAL_EXPIRATION), as `aws-vault exec` and CI systems provide
// them. Not configured when AWS_ACCESS_KEY_ID is unset; misconfigured when only one of the pair
// is set. `env` must outlive the provider.
std::unique_ptr<CredentialsProvider> MakeEnvironmentCredentialsProvider(const Environment& env);

// A provider that returns fixed credentials (for library callers who already hold them).
std::unique_ptr<CredentialsProvider> MakeStaticCredentialsProvider(Credentials credentials,
                                                                   std::string description);

// "AKIA…MPLE": enough to recognise a key in a message, not the whole id.
std::string MaskAccessKeyId(std::string_view access_key_id);

}  // namespace hubspoke
