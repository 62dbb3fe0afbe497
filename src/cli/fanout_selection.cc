#include "cli/fanout_selection.h"


#include "chain/spoke_session_cache_plan.h"
#include "core/strings.h"
#include "hubspoke/arn.h"
#include "hubspoke/assume_role_provider.h"
#include "hubspoke/config.h"
#include "hubspoke/organizations.h"
#include "cli/read_stdin.h"

namespace hubspoke::cli {
namespace {

constexpr std::size_t kMaxListBytes = 16 << 20;  // 100,000 ids with names fit many times over


// Credentials to list the organization with: --org-role assumed from the base identity, else the
// hub session. Errors name the hop ("org-role hop arn:…", "hub hop arn:…").
Result<Credentials> OrgCredentials(const SelectionFlags& flags, const ChainSetup& chain,
                                   std::shared_ptr<CredentialsProvider> base) {
  SpokeCredentialsInput input = chain.input;
  input.spoke_account_id = "000000000000";
  auto plan = PlanSpokeChain(input, chain.sys.env, chain.profiles,
                             input.session_string.empty()
                                 ? DefaultSessionString(chain.sys.env, chain.sys.clock.Now())
                                 : input.session_string);
  if (!plan) return std::move(plan).error();
  auto source = MakeBaseHopProvider(std::move(base), chain.sys.log, plan->endpoint.region);
  AssumeRoleProviderOptions options = HubHopOptions(*plan, nullptr);
  if (!flags.org_role.empty()) {
    auto role = ResolveRole("--org-role", flags.org_role, "--org-role's account", "",
                            plan->partition);
    if (!role) return std::move(role).error();
    options.request = AssumeRoleRequest{.role_arn = role->ToString(),
                                        .role_session_name = plan->hub.role_session_name,
                                        .source_identity = plan->hub.source_identity};
    options.hop_name = "org-role";
    options.hint = nullptr;
  }
  return MakeAssumeRoleProvider(chain.sys, source, std::move(options))->GetCredentials();
}

}  // namespace

Result<Selection> SelectAccounts(const SelectionFlags& flags, const ChainSetup& chain,
                                 std::shared_ptr<CredentialsProvider> base) {
  const SystemContext& sys = chain.sys;
  std::vector<std::vector<SpokeAccount>> sources;
  std::vector<SpokeAccount> left_out;
  // Everything local first.
  if (!flags.spoke_accounts.empty()) {
    std::string text = flags.spoke_accounts;
    std::string origin = "--spoke-accounts";
    if (text == "-") {
      auto in = ReadStdinBounded(kMaxListBytes, "--spoke-accounts -", "a list of account ids");
      if (!in) return std::move(in).error();
      text = std::move(*in);
      origin = "--spoke-accounts - (stdin)";
    }
    auto list = ParseAccountList(text, origin);
    if (!list) return std::move(list).error();
    sources.push_back(std::move(*list));
  }
  for (const std::string& path : flags.accounts_files) {
    if (path.empty()) return Error(ErrorCode::kInvalidArgument, "--accounts-file: the value is empty");
    auto file = sys.files.Read(path, {.max_bytes = 64 << 20});
    if (!file.ok()) {
      return Error(ErrorCode::kInvalidArgument, ReadFileError("--accounts-file", path, file));
    }
    auto parsed = ParseAccountsFile(file.bytes, path, &left_out);
    if (!parsed) return std::move(parsed).error();
    sources.push_back(std::move(*parsed));
  }
  std::vector<SpokeAccount> excluded;
  for (const std::string& list : flags.excludes) {
    auto parsed = ParseAccountList(list, "--exclude");
    if (!parsed) return std::move(parsed).error();
    excluded.insert(excluded.end(), parsed->begin(), parsed->end());
  }
  std::optional<ShardSpec> shard;
  if (!flags.shard.empty()) {
    auto parsed = ParseShard(flags.shard, sys.env);
    if (!parsed) return std::move(parsed).error();
    shard = *parsed;
  }
  std::optional<OrganizationsOptions> org_options;
  if (flags.org) {
    const SharedConfig config = SelectSharedConfig(sys.env, chain.profiles, chain.input.profile);
    auto resolved = ResolveOrganizationsEndpoint(sys.env, config, chain.input.region,
                                                 flags.org_endpoint_url, "--region",
                                                 "--org-endpoint-url");
    if (!resolved) return std::move(resolved).error();
    if (!flags.ou.empty()) {
      if (auto s = ValidateOrganizationsParentId(flags.ou); !s) return std::move(s).error();
    }
    org_options = std::move(*resolved);
    org_options->page_size = flags.org_page_size;
    if (!flags.org_role.empty()) {
      // A full role ARN: the organization's management (or delegated administrator) account is
      // rarely the hub's, so a bare name would be a guess.
      if (flags.org_role.rfind("arn:", 0) != 0) {
        return Error(ErrorCode::kInvalidArgument,
                     "--org-role: invalid value '" + Printable(flags.org_role, 100) +
                         "': give the role's ARN, arn:aws:iam::ACCOUNT:role/NAME");
      }
    }
  }
  if (sources.empty() && !flags.org) {
    return Error(ErrorCode::kInvalidArgument,
                 "fanout: no accounts selected; give --spoke-accounts, --accounts-file or --org");
  }

  // Then the organization.
  std::optional<Credentials> hub_session;
  if (org_options) {
    auto creds = OrgCredentials(flags, chain, std::move(base));
    if (!creds) return std::move(creds).error();
    auto listed = ListOrganizationAccounts(sys, *creds, *org_options, flags.ou, &left_out);
    if (!listed) return std::move(listed).error().Wrap("--org");
    sources.push_back(std::move(*listed));
    if (flags.org_role.empty()) hub_session = std::move(*creds);
  }

  auto merged = MergeAccounts(std::move(sources));
  if (!merged) return std::move(merged).error();
  Selection selection;
  selection.hub_session = std::move(hub_session);
  const std::size_t before_exclude = merged->size();
  selection.accounts = ExcludeAccounts(std::move(*merged), excluded);
  std::vector<std::string> notes;
  if (before_exclude != selection.accounts.size()) {
    notes.push_back(std::to_string(before_exclude - selection.accounts.size()) + " excluded");
  }
  if (!left_out.empty()) notes.push_back(std::to_string(left_out.size()) + " not ACTIVE left out");
  if (shard) {
    const std::size_t all = selection.accounts.size();
    selection.accounts = SelectShard(selection.accounts, *shard);
    notes.push_back("shard " + std::to_string(shard->index) + "/" + std::to_string(shard->count) +
                    " of " + std::to_string(all));
  }
  if (!notes.empty()) {
    selection.note = "(";
    for (std::size_t i = 0; i < notes.size(); ++i) selection.note += (i ? ", " : "") + notes[i];
    selection.note += ")";
  }
  return selection;
}

Result<std::pair<std::string, std::string>> PlanSpokeRoles(const SpokeCredentialsInput& input,
                                                            const Environment& env,
                                                            const ProfileSet& profiles) {
  auto plan = PlanSpokeChain(input, env, profiles, "dry-run");
  if (!plan) return std::move(plan).error();
  return std::make_pair(plan->hub.role_arn, plan->spoke.role_arn);
}

}  // namespace hubspoke::cli
