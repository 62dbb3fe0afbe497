// What the STS client accepts from a successful AssumeRole / AssumeRoleWithWebIdentity
// response before anyone sees the credentials. A response that passes is safe to print as
// `credentials --format env` without quoting and names the session that was asked for. Every
// STS call that returns credentials goes through CheckRoleCredentials (src/sts/sts_client.cc).
#pragma once

#include <string_view>

#include "hubspoke/credentials.h"
#include "hubspoke/result.h"
#include "hubspoke/sts_client.h"

namespace hubspoke::sts {

// The rules (a refusal is one line naming the action, the field and the rule; never the secret
// key or session token, and other fields only through Printable() with a length cap):
//   AccessKeyId      16–128 characters of A-Z 0-9                                 (kParse)
//   SecretAccessKey  1–1024 characters of A-Z a-z 0-9 + / =  (the base64 alphabet) (kParse)
//   SessionToken     1–65536 characters of A-Z a-z 0-9 + / = . _ -: base64 (real STS, moto,
//                    the lab) plus base64url and '.' (JWT-shaped tokens of STS-compatible
//                    servers); never quotes, backslash, backtick, $, whitespace, controls (kParse)
//   Expiration       after `now` (the local clock): expired credentials point at clock skew
//                                                                                  (kRemote)
//   AssumedRoleUser  Arn = arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION where PARTITION,
//                    ACCOUNT and NAME (without the path) are those of `role_arn` and SESSION is
//                    `session_name`; NAME compares case-insensitively, as IAM names do (kRemote).
//                    AssumedRoleId, when present, = 1–128 of A-Z a-z 0-9, ':', SESSION (kParse).
// `action` is "AssumeRole" or "AssumeRoleWithWebIdentity". The callers add the hop and role
// ("spoke hop arn:…: STS AssumeRole response refused: …").
Status CheckRoleCredentials(std::string_view action, const AssumeRoleResponse& response,
                            std::string_view role_arn, std::string_view session_name,
                            TimePoint now);

// The character classes above, for tests and for --format env.
bool IsAccessKeyIdChar(char c);
bool IsSecretAccessKeyChar(char c);
bool IsSessionTokenChar(char c);

}  // namespace hubspoke::sts
