// The flags every chain subcommand shares (run, credentials), their environment variables, and
// turning them into a validated SpokeCredentialsInput. A flag beats its environment variable;
// errors name whichever the value came from.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "hubspoke/hubspoke.h"
#include "hubspoke/system.h"

namespace hubspoke::cli {

struct ChainFlags {
  std::string hub_account, spoke_account, hub_role, spoke_role;
  std::string external_id, hub_external_id, spoke_external_id, session_string;
  std::string duration, region, endpoint_url, source_identity, policy_file, retries;
  std::vector<std::string> tags, policy_arns;
  bool verbose = false;
};

void AddChainOptions(CLI::App& app, ChainFlags& flags);

// Fills the input from flags, then environment variables; validates everything (exit 2 errors).
Result<SpokeCredentialsInput> BuildSpokeInput(const CLI::App& app, const ChainFlags& flags,
                                              const Environment& env);

// The text shared by the subcommands' --help: environment variables and base credentials.
std::string ChainHelpFooter();

}  // namespace hubspoke::cli
