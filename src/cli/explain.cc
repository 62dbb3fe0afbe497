// `assume-spoke-role explain [chain flags] [--base-principal ARN] (--model FILE | --iam-export DIR
// [--scp-export DIR]) [--json]`: the chain's two hops evaluated offline (explain.h).
#include <cstdio>

#include "cli/chain_options.h"
#include "cli/command.h"
#include "hubspoke/explain.h"
#include "hubspoke/iam_world.h"
#include "hubspoke/sts_client.h"

namespace hubspoke::cli {
namespace {

constexpr const char* kExplainHelp = R"HELP(
Evaluates the chain's two hops, base → hub and hub → spoke, offline in an IAM world: the lab's
model (--model) or your organization's exports (--iam-export, --scp-export; docs/policies.md
has the commands that make them). For each hop it prints allowed or DENIED and why: which
identity-policy statement allows the call (or that none does), which trust statement matches the
principal, which condition failed (operator, key, and the values unless secret: an external id
reads only "does not match"), which SCP denies and where it is attached; then the smallest change
that would make the hop pass. The spoke hop is evaluated as if the hub hop had succeeded, so one
run shows every problem. The decisions are the lab's own: the lab refuses exactly what explain
denies.

The base principal: --base-principal (an IAM user or role ARN, or an assumed-role session ARN);
else the identity of the base credentials as `whoami` finds it (the world's user holding that
access key, else GetCallerIdentity); else, when no base credentials are found, the world's only
IAM user.

Exit status: 0 when the chain would succeed, 1 when a hop is denied, 2 for bad input.

Examples:
  assume-spoke-role explain --model org.json --spoke-account 888888888888
  assume-spoke-role explain --iam-export exports/iam --scp-export exports/scp \
      --base-principal arn:aws:iam::111111111111:user/sys-automation \
      --spoke-account 888888888888 --json
)HELP";

class ExplainCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    app_ = root.add_subcommand("explain", "Explain, offline, why each hop of the chain would "
                                          "succeed or fail");
    AddChainOptions(*app_, flags_);
    app_->add_option("--base-principal", base_principal_,
                     "The base identity: an IAM user or role ARN, or an assumed-role session ARN "
                     "(default: the base credentials' identity, or the world's only user)");
    app_->add_option("--base-session-policy", base_session_policy_file_,
                     "File with the inline session policy the base role session was made with "
                     "(it limits the hub hop too)")
        ->type_name("FILE");
    app_->add_option("--model", model_, "The lab's model file (docs/lab.md)")
        ->type_name("FILE");
    app_->add_option("--iam-export", iam_export_,
                     "Directory of `aws iam get-account-authorization-details` outputs, one per "
                     "account")
        ->type_name("DIR");
    app_->add_option("--scp-export", scp_export_,
                     "Directory of the Organizations exports (SCPs, their targets, the tree)")
        ->type_name("DIR");
    app_->add_flag("--json", json_, "Print one JSON object instead of text");
    app_->footer(std::string(kExplainHelp) + ChainHelpFooter());
    return app_;
  }

  int Execute(const Invocation& invocation) override {
    if (invocation.saw_double_dash) {
      return ReportError(Error(ErrorCode::kInvalidArgument, "explain takes no command after --"));
    }
    if (model_.empty() == iam_export_.empty()) {
      return ReportError(Error(ErrorCode::kInvalidArgument,
                               model_.empty() ? "--model or --iam-export: give one IAM world"
                                              : "--model and --iam-export: give one, not both"));
    }
    if (!scp_export_.empty() && iam_export_.empty()) {
      return ReportError(Error(ErrorCode::kInvalidArgument,
                               "--scp-export: only with --iam-export (a model file has its SCPs)"));
    }
    auto chain = PrepareChain(*app_, flags_);
    if (!chain) return ReportError(chain.error());
    ChainSetup& setup = **chain;
    const SystemContext& sys = setup.sys;

    auto world = model_.empty() ? LoadIamExport(sys.files, iam_export_, scp_export_)
                                : LoadIamModelFile(sys.files, model_);
    if (!world) {
      // Export errors name their directory as "--iam-export DIR: FILE: …" already.
      return ReportError(model_.empty() ? world.error() : world.error().Wrap("--model"));
    }
    std::string base_session_policy;
    if (!base_session_policy_file_.empty()) {
      auto file = sys.files.Read(base_session_policy_file_, {.max_bytes = 64 << 10});
      if (!file.ok()) {
        return ReportError(Error(ErrorCode::kInvalidArgument,
                                 ReadFileError("--base-session-policy", base_session_policy_file_,
                                               file)));
      }
      base_session_policy = std::move(file.bytes);
    }
    std::string principal = base_principal_;
    if (principal.empty()) {
      auto found = FindBasePrincipal(setup, *world);
      if (!found) return ReportError(found.error());
      principal = *found;
    }
    auto explained = ExplainSpokeChain(*world, setup.input, sys.env, setup.profiles,
                                       ExplainOptions{.base_principal = principal,
                                                      .time = sys.clock.Now(),
                                                      .base_session_policy = base_session_policy});
    if (!explained) {
      Error e = explained.error();
      if (e.message().find("base session policy") != std::string::npos) {
        return ReportError(e.Wrap("--base-session-policy"));
      }
      if (base_principal_.empty() || e.message().find("base principal") == std::string::npos) {
        return ReportError(e);
      }
      return ReportError(e.Wrap("--base-principal"));
    }
    const std::string text =
        json_ ? ChainExplanationJson(*explained) : FormatChainExplanation(*explained);
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (std::fflush(stdout) != 0) return 1;
    return explained->allowed() ? 0 : 1;
  }

 private:
  // "as whoami finds it": the base credentials' access key in the world, else GetCallerIdentity;
  // no credentials at all: the world's only user.
  Result<std::string> FindBasePrincipal(ChainSetup& setup, const IamWorld& world) {
    auto creds = setup.base->GetCredentials();
    if (!creds) {
      if (creds.error().reason() != ErrorReason::kNoCredentialsFound) {
        return creds.error().Wrap("base identity (or give --base-principal)");
      }
      return ResolveBasePrincipal(world, "", "", "--base-principal");
    }
    if (std::string user = world.UserWithAccessKey(creds->access_key_id); !user.empty()) {
      return user;
    }
    auto endpoint = ResolveSpokeEndpoint(setup.input, setup.sys.env, setup.profiles);
    if (!endpoint) return endpoint.error();
    StsClient sts(setup.sys, StsClientOptions{.endpoint = endpoint->url,
                                              .signing_region = endpoint->signing_region});
    auto me = sts.GetCallerIdentity(*creds);
    if (!me) {
      return me.error().Wrap("base identity from " + setup.base->Describe() +
                             " (or give --base-principal)");
    }
    return ResolveBasePrincipal(world, "", me->arn, "--base-principal");
  }

  CLI::App* app_ = nullptr;
  ChainFlags flags_;
  std::string base_principal_, base_session_policy_file_, model_, iam_export_, scp_export_;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeExplainCommand() { return std::make_unique<ExplainCommand>(); }

}  // namespace hubspoke::cli
