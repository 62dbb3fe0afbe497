// The lab's STS responses, shaped like the real ones (../shared/testdata/sts/xml/): success
// bodies `<{Op}Response xmlns=…><{Op}Result>…</{Op}Result><ResponseMetadata>…`, and error bodies
// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hubspoke/credentials.h"

namespace hubspoke::lab {

inline constexpr char kStsNamespace[] = "https://sts.amazonaws.com/doc/2011-06-15/";

// Escapes &, <, >, " and ' for element text.
std::string XmlEscape(std::string_view text);

struct IssuedCredentials {
  std::string access_key_id;
  std::string secret_access_key;  // Security: only ever written into the response body
  std::string session_token;
  TimePoint expiration;
};

struct AssumedRoleUser {
  std::string arn;              // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
  std::string assumed_role_id;  // AROA…:SESSION
};

std::string AssumeRoleResponseXml(const IssuedCredentials& credentials,
                                  const AssumedRoleUser& user,
                                  std::optional<int> packed_policy_size,
                                  std::string_view source_identity, std::string_view request_id);

std::string AssumeRoleWithWebIdentityResponseXml(const IssuedCredentials& credentials,
                                                 const AssumedRoleUser& user,
                                                 std::string_view subject,
                                                 std::string_view provider,
                                                 std::string_view audience,
                                                 std::optional<int> packed_policy_size,
                                                 std::string_view request_id);

std::string GetCallerIdentityResponseXml(std::string_view arn, std::string_view user_id,
                                         std::string_view account, std::string_view request_id);

// `sender`: <Type>Sender</Type> (4xx) or Receiver (5xx).
std::string ErrorResponseXml(bool sender, std::string_view code, std::string_view message,
                             std::string_view request_id);

}  // namespace hubspoke::lab
