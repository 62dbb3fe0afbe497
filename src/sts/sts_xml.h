// Parsing STS awsQuery XML responses (pugixml lives only here). Elements are found by name, not
// position (STS does not fix the order), and text is trimmed (the docs samples wrap tokens).
#pragma once

#include <string_view>

#include "hubspoke/result.h"
#include "hubspoke/sts_client.h"

namespace hubspoke::sts {

Result<AssumeRoleResponse> ParseAssumeRoleResponse(std::string_view xml);
// The same result plus SubjectFromWebIdentityToken, Audience and Provider.
Result<AssumeRoleResponse> ParseAssumeRoleWithWebIdentityResponse(std::string_view xml);
Result<CallerIdentity> ParseGetCallerIdentityResponse(std::string_view xml);

}  // namespace hubspoke::sts
