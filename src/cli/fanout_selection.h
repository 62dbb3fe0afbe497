// `fanout`'s account selection on the command line: --spoke-accounts (or stdin), --accounts-file,
// --org [--ou] [--org-role], --exclude and --shard, put together with the library's parsers
// (accounts.h) and Organizations client (organizations.h). Everything that can be checked
// without the network is checked first: a bad id, file or shard is an exit-2 error before any
// request.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/chain_options.h"
#include "hubspoke/accounts.h"

namespace hubspoke::cli {

struct SelectionFlags {
  std::string spoke_accounts;               // "-" reads stdin
  std::vector<std::string> accounts_files;  // paths
  bool org = false;
  std::string ou, org_role, org_endpoint_url;
  int org_page_size = 0;  // MaxResults of each Organizations call; 0: the service's default
  std::vector<std::string> excludes;  // lists
  std::string shard;
};

struct Selection {
  std::vector<SpokeAccount> accounts;  // merged, excluded, sharded; in first-seen order
  std::string note;  // "(shard 2/8 of 1000)", "(3 not ACTIVE left out)", or empty
  // The hub session --org listed the organization with (no --org-role), for the fan-out to use
  // rather than make the hub hop, and present an MFA code, a second time.
  std::optional<Credentials> hub_session;
};

// `base` is the base identity (for --org-role, or the hub session that lists the organization).
Result<Selection> SelectAccounts(const SelectionFlags& flags, const ChainSetup& chain,
                                 std::shared_ptr<CredentialsProvider> base);

// The hub and spoke role ARNs `input` (with its spoke account) would assume.
Result<std::pair<std::string, std::string>> PlanSpokeRoles(const SpokeCredentialsInput& input,
                                                            const Environment& env,
                                                            const ProfileSet& profiles);

}  // namespace hubspoke::cli
