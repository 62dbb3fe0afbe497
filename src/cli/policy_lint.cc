// `assume-spoke-role policy lint FILE…`: reads each trust policy (through the FileSystem seam, a
// regular file of at most 1 MiB; `-` is stdin), lints it with LintTrustPolicy and prints one
// line per finding. All files are read before anything is printed, so bad input is exit 2 with
// one line and no findings.
#include "cli/policy_lint.h"

#include <cstdio>

#include "core/strings.h"
#include "hubspoke/file_system.h"
#include "hubspoke/policy_lint.h"

#include "cli/read_stdin.h"

namespace hubspoke::cli {
namespace {

// IAM's own limit for a trust policy is 2,048 characters (4,096 with a raised quota); a file
// many times larger is not a trust policy.
constexpr std::size_t kMaxPolicyBytes = 1 << 20;

constexpr const char* kLintHelp = R"HELP(
Checks role trust policies for the mistakes that make them unsafe or useless: a "*" or account
principal with no narrowing condition, NotPrincipal with Allow, condition keys STS never sets for
AssumeRole or that are misspelt, StringLike without a wildcard and StringEquals with one, org ids
and ARNs that do not parse, a cross-account trust without sts:ExternalId, a Deny that cancels the
Allow. Each finding names the statement (0-based, as Statement[N]), the rule and a fix:

  FILE: statement N (Sid): error|warning [rule]: message; fix: …

Exit status: 1 when any finding is an error, 0 otherwise (warnings only), 2 for bad input.
External id values are never printed.

Examples:
  assume-spoke-role policy lint spoke-trust.json
  assume-spoke-role policy spoke-trust | assume-spoke-role policy lint --account 888888888888 -
  assume-spoke-role policy lint --third-party --account 111122223333 vendor-trust.json --json
)HELP";


class PolicyLintCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& parent) override {
    app_ = parent.add_subcommand("lint", "Check trust policies for common mistakes");
    app_->add_option("FILE", files_, "Trust policy JSON files; - reads stdin")->required();
    app_->add_option("--account", options_.account_id,
                     "The 12-digit account the role lives in (finds cross-account principals)");
    app_->add_option("--org-id", options_.org_id,
                     "The organization (o-…) the role's account belongs to");
    app_->add_flag("--third-party", options_.third_party,
                   "A third party is trusted: a cross-account trust without sts:ExternalId is "
                   "an error");
    app_->add_flag("--json", json_, "One JSON object per finding per line");
    app_->footer(kLintHelp);
    return app_;
  }

  int Execute(const Invocation& invocation) override {
    if (invocation.saw_double_dash) {
      return ReportError(Error(ErrorCode::kInvalidArgument, "policy lint takes no command after --"));
    }
    for (const char* flag : {"--account", "--org-id"}) {
      if (app_->count(flag) > 0 && app_->get_option(flag)->as<std::string>().empty()) {
        return ReportError(
            Error(ErrorCode::kInvalidArgument, std::string(flag) + ": the value is empty"));
      }
    }
    if (Status s = ValidatePolicyLintOptions(options_); !s) return ReportError(s.error());
    std::unique_ptr<FileSystem> fs = MakeRealFileSystem();
    std::vector<std::string> texts;
    bool stdin_used = false;
    for (const std::string& path : files_) {
      if (path.empty()) {
        return ReportError(Error(ErrorCode::kInvalidArgument, "FILE: the value is empty"));
      }
      if (path == "-") {
        if (stdin_used) {
          return ReportError(Error(ErrorCode::kInvalidArgument, "-: stdin can be read only once"));
        }
        stdin_used = true;
        auto in = ReadStdinBounded(kMaxPolicyBytes, "-", "a trust policy");
        if (!in) return ReportError(in.error());
        texts.push_back(std::move(*in));
        continue;
      }
      // A FIFO or device is refused up front (FileSystem::Read opens with O_NONBLOCK and
      // requires a regular file), so the linter cannot hang on one.
      ReadFileResult file = fs->Read(path, {.max_bytes = kMaxPolicyBytes,
                                            .follow_symlinks = true,
                                            .dev_null_reads_empty = false,
                                            .check = {}});
      if (!file.ok()) {
        return ReportError(
            Error(ErrorCode::kInvalidArgument, ReadFileError("policy lint", path, file)));
      }
      texts.push_back(std::move(file.bytes));
    }
    std::size_t errors = 0, warnings = 0, clean = 0;
    for (std::size_t i = 0; i < files_.size(); ++i) {
      const std::vector<LintFinding> findings = LintTrustPolicy(texts[i], options_);
      if (findings.empty()) ++clean;
      for (const LintFinding& f : findings) {
        (f.severity == LintSeverity::kError ? errors : warnings) += 1;
        const std::string line =
            json_ ? LintFindingJson(files_[i], f) : FormatLintFinding(files_[i], f);
        std::fprintf(stdout, "%s\n", line.c_str());
      }
    }
    std::fflush(stdout);
    std::fprintf(stderr, "policy lint: %zu file%s, %zu error%s, %zu warning%s, %zu clean\n",
                 files_.size(), files_.size() == 1 ? "" : "s", errors, errors == 1 ? "" : "s",
                 warnings, warnings == 1 ? "" : "s", clean);
    return errors > 0 ? 1 : 0;
  }

 private:
  CLI::App* app_ = nullptr;
  std::vector<std::string> files_;
  PolicyLintOptions options_;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> MakePolicyLintCommand() { return std::make_unique<PolicyLintCommand>(); }

}  // namespace hubspoke::cli
