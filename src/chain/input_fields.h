// For the CLI: validation and endpoint errors that name the flag or environment variable a value
// came from instead of the SpokeCredentialsInput member.
#pragma once

#include <string>

#include "hubspoke/hubspoke.h"

namespace hubspoke {

// How validation errors name each field: the struct member by default; the CLI passes the flag
// or environment variable the value came from ("--hub-account", "ASSUME_ROLE_HUB_ACCOUNT").
struct InputFieldNames {
  std::string hub_account_id = "hub_account_id";
  std::string spoke_account_id = "spoke_account_id";
  std::string hub_role_name = "hub_role_name";
  std::string spoke_role_name = "spoke_role_name";
  std::string external_id = "external_id";
  std::string hub_external_id = "hub_external_id";
  std::string spoke_external_id = "spoke_external_id";
  std::string session_string = "session_string";
  std::string duration = "duration";
  std::string hub_duration = "hub_duration";
  std::string source_identity = "source_identity";
  std::string tags = "tags";
  std::string policy = "policy";
  std::string policy_arns = "policy_arns";
  std::string retries = "retries";
  std::string chain_timeout = "chain_timeout";
  std::string region = "region";
  std::string endpoint_url = "endpoint_url";
  std::string profile = "profile";
  std::string mfa_serial = "mfa_serial";
  std::string mfa_code = "mfa_code";
};

// ValidateSpokeInput and ResolveSpokeEndpoint (hubspoke.h) with the fields named by `names`.
Status ValidateSpokeInput(const SpokeCredentialsInput& input, const InputFieldNames& names,
                          const std::string& partition = "");
Result<StsEndpoint> ResolveSpokeEndpoint(const SpokeCredentialsInput& input,
                                         const Environment& env, const ProfileSet& profiles,
                                         const InputFieldNames& names);

}  // namespace hubspoke
