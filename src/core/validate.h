// Validation of AWS identifiers and parameters, before anything goes on the wire. Each function
// takes `what` — the flag or env var the value came from, e.g. "--hub-account" or
// "ASSUME_ROLE_HUB_ACCOUNT" — and returns a kInvalidArgument error of one line naming it, the
// value (unless secret) and the rule. Rules are STS's and IAM's (../shared/testdata/sts/FACTS.md).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "hubspoke/result.h"

namespace hubspoke {

// 12 decimal digits.
Status ValidateAccountId(std::string_view what, std::string_view value);
// IAM role name: 1–64 characters of [\w+=,.@-].
Status ValidateRoleName(std::string_view what, std::string_view value);
// IAM path: "/" or "/segments/" of printable ASCII (0x21–0x7E), at most 512 characters.
Status ValidateRolePath(std::string_view what, std::string_view value);
// STS RoleSessionName: 2–64 characters of [\w+=,.@-].
Status ValidateSessionName(std::string_view what, std::string_view value);
// STS ExternalId: 2–1224 characters of [\w+=,.@:/-]. Security: the value is not echoed.
Status ValidateExternalId(std::string_view what, std::string_view value);
// STS SourceIdentity: 2–64 characters of [\w+=,.@-], not starting with "aws:".
Status ValidateSourceIdentity(std::string_view what, std::string_view value);
// Session tag key (1–128) and value (0–256): letters, digits, spaces and _.:/=+-@; keys must not
// start with "aws:".
Status ValidateTagKey(std::string_view what, std::string_view key);
Status ValidateTagValue(std::string_view what, std::string_view key, std::string_view value);
// A region name: lower-case letters, digits and '-', e.g. "eu-west-1".
Status ValidateRegion(std::string_view what, std::string_view value);
// An http(s) endpoint URL without userinfo, query or fragment.
Status ValidateEndpointUrl(std::string_view what, std::string_view value);
// A managed policy ARN: arn:PARTITION:iam::ACCOUNT|aws:policy/[path/]name.
Status ValidatePolicyArn(std::string_view what, std::string_view value);

// Parses "3600", "3600s", "15m", "1h", "1h30m" into seconds.
Result<std::chrono::seconds> ParseDuration(std::string_view what, std::string_view value);
// STS DurationSeconds for a chained (role-session-called) AssumeRole: 900..3600 (STS caps
// chained sessions at 1 h). For a first hop the ceiling is 43200 (the role's
// MaxSessionDuration decides below that).
// `as_given` is the text the user typed ("2h"), echoed in the message when not empty.
Status ValidateDuration(std::string_view what, std::chrono::seconds value, bool chained,
                        std::string_view as_given = "");

}  // namespace hubspoke
