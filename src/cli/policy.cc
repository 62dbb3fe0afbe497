// `assume-spoke-role policy base|hub-trust|hub|spoke-trust|all|lint`: the chain's
// least-privilege policies from the same flags and environment as `run`
// (GenerateChainPolicies in hubspoke/policy_documents.h), and the trust-policy linter
// (cli/policy_lint.h). Nothing is sent and no credentials are read: not even the shared
// config files, since the credentials file is one of them (the region comes from --region or
// AWS_REGION / AWS_DEFAULT_REGION).
#include <cstdio>
#include <optional>
#include <string_view>

#include "cli/chain_options.h"
#include "cli/command.h"
#include "cli/policy_lint.h"
#include "core/strings.h"
#include "hubspoke/file_system.h"
#include "hubspoke/policy_documents.h"
#include "hubspoke/system.h"

namespace hubspoke::cli {
namespace {

constexpr const char* kPolicyHelp = R"HELP(
Documents (one bare JSON policy on stdout with --format json, the default):
  base         identity policy of the base IAM user/role (or permission set): assume the hub role
  hub-trust    trust policy of the hub role: the --principal users/roles, Identity Center roles
  hub          permission policy of the hub role: assume the spoke role, nothing else
  spoke-trust  trust policy of the spoke role in every spoke account: the hub role only
  all          every document in every format into --output-dir (new or empty directory)
  lint         check trust policies for common mistakes

Example (the README's automation chain):
  assume-spoke-role policy all --hub-account 999999999999 --hub-role automation-hub-role \
    --spoke-role automation-spoke-role --external-id this-is-my-automation \
    --org-id o-a1b2c3d4e5 --principal arn:aws:iam::111111111111:user/sys-automation \
    --output-dir ./policies
  assume-spoke-role policy hub-trust ... | aws iam create-role --role-name automation-hub-role \
    --assume-role-policy-document file:///dev/stdin
  Identity Center: --sso-permission-set AutomationAccess --sso-region eu-west-1 instead of
  (or with) --principal; --sso-account ID when the permission set is assigned in another
  account than the hub.

The partition (aws, aws-cn, aws-us-gov) follows --region. External ids are condition values in
the trust policies, so they appear in the documents. No credentials are read.)HELP";

// Not ChainHelpFooter: that one is about the base credentials, which `policy` never reads.
constexpr const char* kPolicyEnvironment = R"HELP(
Environment:
  ASSUME_ROLE_HUB_ACCOUNT, ASSUME_ROLE_HUB_ROLE, ASSUME_ROLE_SPOKE_ROLE,
  ASSUME_ROLE_EXTERNAL_ID, ASSUME_ROLE_HUB_EXTERNAL_ID, ASSUME_ROLE_SPOKE_EXTERNAL_ID stand in
  for the flags of the same name, as for `run`; a flag beats its variable. AWS_REGION /
  AWS_DEFAULT_REGION (else us-east-1) pick the partition. AWS_PROFILE and the shared config and
  credentials files are not read.

Exit status:
  0 written; 2 bad flags or environment (one line naming the flag or variable); 1 a file could
  not be written.)HELP";

enum class Format { kJson, kTerraform, kCloudFormation };

struct Target {
  const char* name;
  const char* help;
  bool all;
  PolicyDocumentKind kind;
};
constexpr Target kTargets[] = {
    {"base", "Identity policy of the base identity", false, PolicyDocumentKind::kBase},
    {"hub-trust", "Trust policy of the hub role", false, PolicyDocumentKind::kHubTrust},
    {"hub", "Permission policy of the hub role", false, PolicyDocumentKind::kHub},
    {"spoke-trust", "Trust policy of the spoke role", false, PolicyDocumentKind::kSpokeTrust},
    {"all", "Every document in every format into --output-dir", true, PolicyDocumentKind::kBase},
};
constexpr PolicyDocumentKind kAllKinds[] = {PolicyDocumentKind::kBase,
                                            PolicyDocumentKind::kHubTrust, PolicyDocumentKind::kHub,
                                            PolicyDocumentKind::kSpokeTrust};

Error Invalid(std::string m) { return Error(ErrorCode::kInvalidArgument, std::move(m)); }

// The process environment without the profile selection: no shared config file is loaded, so
// an AWS_PROFILE set for other tools must not make the named profile "missing".
class WithoutProfile final : public Environment {
 public:
  explicit WithoutProfile(const Environment& env) : env_(env) {}
  std::optional<std::string> Get(std::string_view name) const override {
    if (name == "AWS_PROFILE") return std::nullopt;
    return env_.Get(name);
  }
  std::vector<std::pair<std::string, std::string>> All() const override {
    auto all = env_.All();
    std::erase_if(all, [](const auto& kv) { return kv.first == "AWS_PROFILE"; });
    return all;
  }

 private:
  const Environment& env_;
};

class PolicyCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    app_ = root.add_subcommand("policy", "Generate the chain's least-privilege IAM policies");
    app_->require_subcommand(1);
    app_->footer(kPolicyHelp);
    chain_.many_spokes = true;  // the spoke trust is the same in every account
    for (const Target& t : kTargets) {
      CLI::App* sub = app_->add_subcommand(t.name, t.help);
      AddChainOptions(*sub, chain_);
      sub->add_option("--spoke-account", options_.spoke_accounts,
                      "Allow the hub to assume the spoke role only in this account (repeatable; "
                      "default: every account, narrowed by --org-id)");
      sub->add_option("--org-id", options_.org_id,
                      "Organization id (o-…): aws:PrincipalOrgID in the trusts, "
                      "aws:ResourceOrgID in the hub's policy");
      sub->add_option("--principal", options_.principals,
                      "IAM user or role ARN of a base identity the hub trusts (repeatable)");
      sub->add_option("--sso-permission-set", options_.sso_permission_sets,
                      "IAM Identity Center permission-set name whose roles the hub trusts "
                      "(repeatable)");
      sub->add_option("--sso-account", options_.sso_account_id,
                      "Account the permission sets are assigned in (default: the hub account)");
      sub->add_option("--sso-region", options_.sso_region,
                      "Region of the IAM Identity Center instance (with --sso-permission-set)");
      sub->add_flag("--mfa", options_.mfa, "The hub trust requires MFA (within the last hour)");
      sub->add_option("--format", format_, "json (default), terraform or cloudformation")
          ->check(CLI::IsMember({"json", "terraform", "cloudformation"}));
      if (t.all)
        sub->add_option("--output-dir", output_dir_,
                        "New or empty directory for the files (made 0700, files 0600)")
        ->type_name("DIR");
      sub->footer(std::string(kPolicyHelp) + "\n" + kPolicyEnvironment);
      subs_.push_back(sub);
    }
    lint_ = MakePolicyLintCommand();
    lint_app_ = lint_->Register(*app_);
    return app_;
  }

  int Execute(const Invocation& invocation) override {
    if (lint_app_->parsed()) return lint_->Execute(invocation);
    if (invocation.saw_double_dash)
      return ReportError(Invalid("policy takes no command after --"));
    for (std::size_t i = 0; i < subs_.size(); ++i) {
      if (subs_[i]->parsed()) return Generate(kTargets[i], *subs_[i]);
    }
    return 2;
  }

 private:
  int Generate(const Target& target, const CLI::App& sub) {
    for (const char* flag : {"--org-id", "--sso-account", "--sso-region", "--output-dir"}) {
      if (sub.get_option_no_throw(flag) != nullptr && sub.count(flag) > 0 &&
          sub.get_option(flag)->as<std::string>().empty())
        return ReportError(Invalid(std::string(flag) + ": the value is empty"));
    }
    RealSystem system(chain_.verbose ? LogLevel::kDebug : LogLevel::kWarning);
    SystemContext sys = system.context();
    // No shared config files: the credentials file is one of them, and a policy needs none.
    const ProfileSet no_profiles;
    const WithoutProfile env(sys.env);
    auto input = BuildSpokeInput(sub, chain_, env, sys.files, no_profiles);
    if (!input) return ReportError(input.error());
    auto endpoint = ResolveSpokeEndpoint(*input, env, no_profiles);
    if (!endpoint) return ReportError(endpoint.error());
    options_.region = endpoint->region;
    const Format format = format_ == "terraform"        ? Format::kTerraform
                          : format_ == "cloudformation" ? Format::kCloudFormation
                                                        : Format::kJson;
    // Documents that hold the hub trust: a role cannot be made without it.
    const bool needs_trust =
        target.all || target.kind == PolicyDocumentKind::kHubTrust ||
        (target.kind == PolicyDocumentKind::kHub && format != Format::kJson);
    if (needs_trust)
      if (Status s = CheckHubTrustPrincipals(options_); !s) return ReportError(s.error());
    if (target.all && output_dir_.empty())
      return ReportError(Invalid("--output-dir: missing: policy all writes one file per "
                                 "document into a new or empty directory"));
    auto policies = GenerateChainPolicies(*input, options_);
    if (!policies) return ReportError(policies.error());
    if (target.all) return WriteAll(*policies, sys.files, format);
    const std::string text = Render(*policies, target.kind, format);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
  }

  static std::string Render(const ChainPolicies& p, PolicyDocumentKind kind, Format format) {
    switch (format) {
      case Format::kJson: return p.Get(kind).json;
      case Format::kTerraform: return RenderTerraform(p, {kind});
      case Format::kCloudFormation:
        if (kind == PolicyDocumentKind::kBase) return RenderCloudFormationBase(p);
        if (kind == PolicyDocumentKind::kSpokeTrust) return RenderCloudFormationSpokeStackSet(p);
        return RenderCloudFormationHub(p);
    }
    return "";
  }

  // The directory must be new or empty and a real directory (not a symbolic link to one), so
  // nothing is overwritten and nothing lands where a link points.
  int WriteAll(const ChainPolicies& p, FileSystem& fs, Format format) {
    const std::string& dir = output_dir_;
    const std::string shown = "--output-dir: '" + Printable(dir, 200) + "'";
    StatResult st = fs.Stat(dir, /*follow_symlinks=*/false);
    if (st.status == FileOpStatus::kNotFound) {
      FileOpResult made = fs.CreateDirectory(dir, 0700);
      if (!made.ok()) return ReportError(Invalid(shown + ": cannot create it: " + made.reason));
    } else if (!st.ok()) {
      return ReportError(Invalid(shown + ": " + st.reason));
    } else if (st.stat.type == FileType::kSymlink) {
      return ReportError(Invalid(shown + " is a symbolic link: give the directory itself"));
    } else if (st.stat.type != FileType::kDirectory) {
      return ReportError(Invalid(shown + " is not a directory"));
    } else {
      ListResult list = fs.List(dir);
      if (!list.ok()) return ReportError(Invalid(shown + ": " + list.reason));
      if (!list.names.empty())
        return ReportError(Invalid(shown + " is not empty: give a new or empty directory"));
    }
    std::vector<std::pair<std::string, std::string>> files;
    const bool every = format_.empty();
    if (every || format == Format::kJson) {
      for (PolicyDocumentKind k : kAllKinds)
        files.emplace_back(p.Get(k).name + "-policy.json", p.Get(k).json);
    }
    if (every || format == Format::kTerraform)
      files.emplace_back("main.tf", RenderTerraform(p, {std::begin(kAllKinds), std::end(kAllKinds)}));
    if (every || format == Format::kCloudFormation) {
      files.emplace_back("base.yaml", RenderCloudFormationBase(p));
      files.emplace_back("hub.yaml", RenderCloudFormationHub(p));
      files.emplace_back("spoke-stackset.yaml", RenderCloudFormationSpokeStackSet(p));
    }
    const std::string prefix = dir.back() == '/' ? dir : dir + "/";
    for (const auto& [name, text] : files) {
      FileOpResult w = fs.WriteAtomically(prefix + name, text, 0600);
      if (!w.ok())
        return ReportError(Error(ErrorCode::kInternal, "cannot write '" +
                                                           Printable(prefix + name, 200) +
                                                           "': " + w.reason));
    }
    for (const auto& entry : files) std::printf("%s%s\n", prefix.c_str(), entry.first.c_str());
    return std::fflush(stdout) == 0 ? 0 : 1;
  }

  CLI::App* app_ = nullptr;
  CLI::App* lint_app_ = nullptr;
  std::unique_ptr<Command> lint_;
  std::vector<CLI::App*> subs_;
  ChainFlags chain_;
  PolicyOptions options_;
  std::string format_, output_dir_;
};

}  // namespace

std::unique_ptr<Command> MakePolicyCommand() { return std::make_unique<PolicyCommand>(); }

}  // namespace hubspoke::cli
