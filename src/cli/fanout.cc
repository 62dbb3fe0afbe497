// `assume-spoke-role fanout [chain flags] [account selection] [options] -- COMMAND [ARGS…]`:
// COMMAND once per spoke account, with that spoke's credentials, many at once (docs/fanout.md).
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/chain_options.h"
#include "cli/command.h"
#include "exec/child_output.h"
#include "cli/fanout_selection.h"
#include "core/strings.h"
#include "core/time.h"
#include "core/validate.h"
#include "hubspoke/credentials_server.h"
#include "hubspoke/exec.h"
#include "hubspoke/fanout.h"

namespace hubspoke::cli {
namespace {

using exec::OutputSink;

constexpr const char* kFanoutHelp = R"HELP(
Runs COMMAND once in each selected spoke account, with that spoke's credentials in its environment
(as `run` gives them), up to -j at once. One hub session (refreshed as needed) serves every spoke;
every STS call is paced by an adaptive limiter per calling account and Region, which backs off
on Throttling and probes upward again, so a large organization is not failed by STS rate limits.

Account selection (combinable; an id in several sources runs once):
  --spoke-accounts LIST     ids separated by commas or whitespace; '-' reads them from stdin
  --accounts-file FILE      one id per line with an optional name, '#' comments; or the JSON of
                            `aws organizations list-accounts` (only ACTIVE accounts are taken)
  --org                     the organization's ACTIVE accounts (AWS Organizations ListAccounts),
                            with --ou OU only those under OU, recursively; the listing uses
                            --org-role ARN assumed from the base identity, else the hub session
  --exclude LIST            leave these out
  --shard K/N               take shard K (from 0) of N: a stable share by account id, so N
                            machines (or a Kubernetes Indexed Job, --shard auto/N, or an AWS
                            Batch array job, --shard auto) split the work without talking
  --dry-run                 print the accounts and the role ARNs that would be assumed; exit

Each child also gets SPOKE_ACCOUNT_ID and SPOKE_ACCOUNT_NAME (empty when unknown); its stdin is
/dev/null, and it leads a process group of its own.

Output: each line of a child's stdout and stderr goes to ours, prefixed "[ACCOUNT NAME] " and never
torn; --group prints an account's output whole when it ends; --output-dir DIR writes
DIR/ACCOUNT/{stdout,stderr,result.json} instead. A summary ends the run on stderr; --summary FILE
writes a JSON line per account (status ok, command-failed, chain-failed, timed-out or skipped;
exit status or signal; hop, AWS error code and request id of a chain failure; start, duration,
STS attempts). Exit status: 0 when every account succeeded, 1 otherwise, 2 for bad input, 128+N
when signal N stopped the run (SIGINT and SIGTERM reach every child, no new child starts, and
the summary is still written).

Examples:
  assume-spoke-role fanout --spoke-accounts 888888888888,777777777777 -- \
      aws sts get-caller-identity --query Account --output text

  aws organizations list-accounts > accounts.json
  assume-spoke-role fanout --accounts-file accounts.json -j 64 --summary run.jsonl -- ./inventory.sh

  assume-spoke-role fanout --org --ou ou-ab12-cdef3456 --exclude 111111111111 \
      --timeout 10m --output-dir results/ -- ./scan.sh

  # One shard of eight, e.g. on eight hosts with GNU parallel, or a Kubernetes Indexed Job:
  assume-spoke-role fanout --org --shard auto/8 --summary /out/shard.jsonl -- ./report.sh
)HELP";

Error Usage(std::string message) { return Error(ErrorCode::kInvalidArgument, std::move(message)); }

// Signals that stop the run: forwarded to every running child, and no new child starts. The
// children get them at their default disposition even if we were started ignoring them (a
// script's `fanout … &` ignores SIGINT): we forward them on purpose. SIGHUP is one of them only
// when we do not ignore it: under nohup it stays ignored, for the children too.
constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};

bool Ignored(int sig) {
  struct sigaction current {};
  return sigaction(sig, nullptr, &current) == 0 && !(current.sa_flags & SA_SIGINFO) &&
         current.sa_handler == SIG_IGN;
}

// The children running now, so that a signal reaches each of them.
class RunningChildren {
 public:
  void Add(std::size_t index, ChildProcess* child) {
    std::lock_guard<std::mutex> lock(mu_);
    children_[index] = child;
    if (signal_ != 0) (void)child->SignalGroup(signal_);
  }
  void Remove(std::size_t index) {
    std::lock_guard<std::mutex> lock(mu_);
    children_.erase(index);
  }
  void SignalAll(int sig) {
    std::lock_guard<std::mutex> lock(mu_);
    signal_ = sig;
    for (auto& [index, child] : children_) (void)child->SignalGroup(sig);
  }
  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return children_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::size_t, ChildProcess*> children_;
  int signal_ = 0;  // children started after a stop signal get it too
};

std::string Prefix(const SpokeAccount& account) {
  return "[" + account.id + (account.name.empty() ? "" : " " + Printable(account.name, 64)) + "] ";
}

nlohmann::json ResultJson(const SpokeResult& r) {
  nlohmann::json j = {{"account", r.account.id},
                      {"name", r.account.name},
                      {"status", SpokeStatusName(r.status)}};
  if (r.status == SpokeStatus::kOk || r.status == SpokeStatus::kCommandFailed ||
      r.status == SpokeStatus::kTimedOut) {
    if (r.signal != 0) {
      j["signal"] = r.signal;
    } else {
      j["exit_status"] = r.exit_status;
    }
  }
  if (!r.role_arn.empty()) j["role_arn"] = r.role_arn;
  if (r.status == SpokeStatus::kChainFailed) {
    j["hop"] = r.hop;
    j["error_code"] = r.aws ? r.aws->code : "";
    j["request_id"] = r.aws ? r.aws->request_id : "";
  }
  if (!r.message.empty()) j["message"] = r.message;
  if (!r.hint.empty()) j["hint"] = r.hint;
  if (r.status != SpokeStatus::kSkipped) {
    j["start"] = FormatRfc3339(r.start);
    j["duration_seconds"] = std::round(static_cast<double>(r.duration.count())) / 1000.0;
  }
  j["sts_attempts"] = r.sts_attempts;
  return j;
}

// "777777777777 spoke AccessDenied (check the spoke role's trust policy …)", "666666666666 exit 3".
std::string ShortFailure(const SpokeResult& r) {
  std::string s = r.account.id + " ";
  switch (r.status) {
    case SpokeStatus::kChainFailed: {
      s += r.hop + " " + (r.aws && !r.aws->code.empty() ? r.aws->code : std::string("error"));
      if (!r.hint.empty()) {
        std::string hint = r.hint.size() > 60 ? r.hint.substr(0, 57) + "…" : r.hint;
        s += " (" + hint + ")";
      }
      return s;
    }
    case SpokeStatus::kTimedOut: return s + "timed out";
    case SpokeStatus::kCommandFailed:
      if (r.signal != 0) return s + "signal " + std::to_string(r.signal);
      if (r.exit_status == 127 && !r.message.empty()) return s + "command not found";
      return s + "exit " + std::to_string(r.exit_status);
    default: return s + SpokeStatusName(r.status);
  }
}

class FanoutCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    app_ = root.add_subcommand("fanout", "Run a command in many spoke accounts at once");
    flags_.many_spokes = true;
    AddChainOptions(*app_, flags_);
    app_->add_option("--spoke-accounts", selection_.spoke_accounts,
                     "Spoke account ids, comma- or space-separated; - reads them from stdin");
    app_->add_option("--accounts-file", selection_.accounts_files,
                     "File of account ids (one per line, optional name, # comments) or the JSON "
                     "of aws organizations list-accounts (repeatable)")
        ->type_name("FILE");
    app_->add_flag("--org", selection_.org, "Every ACTIVE account of the organization (AWS Organizations)");
    app_->add_option("--ou", selection_.ou, "With --org: only accounts under this OU (or root), recursively");
    app_->add_option("--org-role", selection_.org_role,
                     "With --org: list accounts with this role (ARN), assumed from the base "
                     "identity; default: the hub session");
    app_->add_option("--org-endpoint-url", selection_.org_endpoint_url,
                     "With --org: the AWS Organizations endpoint (default: "
                     "AWS_ENDPOINT_URL_ORGANIZATIONS, AWS_ENDPOINT_URL, the profile, else AWS's)");
    app_->add_option("--org-page-size", selection_.org_page_size,
                     "With --org: accounts per Organizations call, 1 to 20 (default: the "
                     "service's)")
        ->check(CLI::Range(1, 20));
    app_->add_option("--exclude", selection_.excludes, "Account ids to leave out (repeatable)");
    app_->add_option("--shard", selection_.shard,
                     "K/N: run shard K (0 ≤ K < N) of N; auto/N: K from JOB_COMPLETION_INDEX "
                     "(Kubernetes); auto: AWS Batch's AWS_BATCH_JOB_ARRAY_INDEX/_SIZE");
    app_->add_flag("--dry-run", dry_run_, "Print the selected accounts and role ARNs, and exit");
    app_->add_option("-j,--concurrency", concurrency_, "Accounts at once (default 16, at most 1000)");
    app_->add_option("--max-sts-rate", max_sts_rate_,
                     "Cap STS calls per second per calling account (default: adapt to throttling)");
    app_->add_flag("--group", group_, "Print each account's output whole, when it ends");
    app_->add_option("--output-dir", output_dir_,
                     "Write DIR/ACCOUNT/stdout, stderr and result.json instead of printing")
        ->type_name("DIR");
    app_->add_option("--summary", summary_, "Write a JSON line per account to this file")
        ->type_name("FILE");
    app_->add_option("--timeout", timeout_,
                     "Per account: SIGTERM after this long (e.g. 90s, 10m), SIGKILL 5 s later");
    app_->add_flag("--fail-fast", fail_fast_, "Start no new account after the first failure");
    app_->add_flag("--refresh", refresh_,
                   "Serve each child refreshing credentials from a loopback endpoint (a token "
                   "per child) instead of static keys, for commands longer than a session");
    app_->add_flag("--no-progress", no_progress_, "No status line on a terminal");
    // `run`'s flag, by habit: said so, rather than CLI11's "arguments were not expected".
    app_->add_option("--spoke-account", mistaken_spoke_account_)->group("");
    app_->footer(std::string(kFanoutHelp) + ChainHelpFooter(/*many_spokes=*/true));
    return app_;
  }

  int Execute(const Invocation& invocation) override {
    if (invocation.child_argv.empty() && !dry_run_) {
      return ReportError(Usage("fanout: no command given; put it after --, e.g. assume-spoke-role "
                               "fanout --spoke-accounts 888888888888,777777777777 -- aws sts "
                               "get-caller-identity"));
    }
    if (auto s = ParseOptions(); !s) return ReportError(s.error());
    auto setup = PrepareChain(*app_, flags_);
    if (!setup) return ReportError(setup.error());
    ChainSetup& chain = **setup;
    // The command is looked up before any STS call, not once per account.
    if (int status = CheckChildCommand("fanout", invocation.child_argv, chain.sys.env.Get("PATH"));
        status != 0) {
      return status;
    }

    if (auto s = CheckSummaryPath(chain.sys); !s) return ReportError(s.error());

    std::shared_ptr<CredentialsProvider> base(std::move(chain.base));
    auto selected = SelectAccounts(selection_, chain, base);
    if (!selected) return ReportChainError(selected.error());
    const std::vector<SpokeAccount>& accounts = selected->accounts;
    if (dry_run_) return DryRun(chain, *selected);
    if (auto s = PrepareOutputDir(chain.sys, accounts); !s) return ReportError(s.error());
    return RunAll(invocation, chain, std::move(base), accounts, std::move(selected->hub_session));
  }

 private:
  Status ParseOptions() {
    if (app_->count("--concurrency") > 0) {
      const std::string& c = concurrency_;
      if (c.empty() || c.size() > 4 || c.find_first_not_of("0123456789") != std::string::npos ||
          std::stoi(c) < 1 || std::stoi(c) > 1000) {
        return Usage("--concurrency: invalid value '" + Printable(c, 20) +
                     "': give 1 to 1000 accounts at once");
      }
      concurrency_n_ = static_cast<std::size_t>(std::stoi(c));
    }
    if (app_->count("--max-sts-rate") > 0) {
      char* end = nullptr;
      const double r = std::strtod(max_sts_rate_.c_str(), &end);
      if (max_sts_rate_.empty() || end == nullptr || *end != '\0' || !(r >= 0.1) || r > 100000) {
        return Usage("--max-sts-rate: invalid value '" + Printable(max_sts_rate_, 20) +
                     "': give requests per second, 0.1 to 100000");
      }
      max_sts_rate_n_ = r;
    }
    if (app_->count("--timeout") > 0) {
      auto t = ParseDuration("--timeout", timeout_);
      if (!t) return std::move(t).error();
      if (t->count() < 1) {
        return Usage("--timeout: invalid value '" + Printable(timeout_, 40) + "': give at least 1s");
      }
      timeout_n_ = *t;
    }
    if (app_->count("--spoke-account") > 0) {
      return Usage("--spoke-account: fanout selects accounts with --spoke-accounts LIST, "
                   "--accounts-file FILE or --org (--spoke-account is run's)");
    }
    if (group_ && !output_dir_.empty()) {
      return Usage("--group and --output-dir cannot be used together: --output-dir keeps each "
                   "account's output apart already");
    }
    for (const char* flag : {"--ou", "--org-role", "--org-endpoint-url", "--org-page-size"}) {
      if (app_->count(flag) > 0 && !selection_.org) {
        return Usage(std::string(flag) + ": needs --org (it says how --org lists the accounts)");
      }
    }
    const std::pair<const char*, const std::string*> values[] = {
        {"--spoke-accounts", &selection_.spoke_accounts}, {"--ou", &selection_.ou},
        {"--org-role", &selection_.org_role}, {"--org-endpoint-url", &selection_.org_endpoint_url},
        {"--shard", &selection_.shard}};
    for (const auto& [flag, value] : values) {
      if (app_->count(flag) > 0 && value->empty()) {
        return Usage(std::string(flag) + ": the value is empty");
      }
    }
    if (app_->count("--output-dir") > 0 && output_dir_.empty()) {
      return Usage("--output-dir: the value is empty");
    }
    if (app_->count("--summary") > 0 && summary_.empty()) return Usage("--summary: the value is empty");
    return Ok();
  }

  // The summary is written when the run ends: a directory that is not there fails now, not after
  // an hour's work.
  Status CheckSummaryPath(const SystemContext& sys) const {
    if (summary_.empty()) return Ok();
    const std::size_t slash = summary_.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : summary_.substr(0, slash);
    auto st = sys.files.Stat(dir);
    if (!st.ok() || st.stat.type != FileType::kDirectory) {
      return Usage("--summary: " + Printable(summary_, 200) + ": the directory " +
                   Printable(dir, 200) + " does not exist (or is not a directory)");
    }
    // A file there is replaced (a symbolic link too, not followed); a directory, FIFO, device
    // or socket is not ours to replace.
    auto target = sys.files.Stat(summary_, /*follow_symlinks=*/false);
    if (target.ok() && target.stat.type != FileType::kRegular &&
        target.stat.type != FileType::kSymlink) {
      return Usage("--summary: " + Printable(summary_, 200) +
                   " is not a regular file (a directory, FIFO, device or socket); give a file name");
    }
    return Ok();
  }

  int DryRun(ChainSetup& chain, const Selection& selection) {
    SpokeCredentialsInput input = chain.input;
    std::fprintf(stderr, "fanout: %zu account%s selected%s (dry run: nothing assumed, nothing run)\n",
                 selection.accounts.size(), selection.accounts.size() == 1 ? "" : "s",
                 selection.note.empty() ? "" : (" " + selection.note).c_str());
    for (const SpokeAccount& a : selection.accounts) {
      input.spoke_account_id = a.id;
      auto arns = SpokeRoleArns(input, chain);
      if (!arns) return ReportChainError(arns.error());
      std::printf("%s\t%s\t%s\t%s\n", a.id.c_str(), a.name.empty() ? "-" : Printable(a.name, 80).c_str(),
                  arns->first.c_str(), arns->second.c_str());
    }
    std::fflush(stdout);
    return 0;
  }

  // The hub and spoke role ARNs the chain would assume for `input`.
  static Result<std::pair<std::string, std::string>> SpokeRoleArns(const SpokeCredentialsInput& input,
                                                                   const ChainSetup& chain);

  Status PrepareOutputDir(const SystemContext& sys, const std::vector<SpokeAccount>& accounts) {
    if (output_dir_.empty()) return Ok();
    auto st = sys.files.Stat(output_dir_, /*follow_symlinks=*/false);
    if (st.status == FileOpStatus::kNotFound) {
      auto made = sys.files.CreateDirectory(output_dir_, 0700);
      if (!made.ok()) {
        return Usage("--output-dir: cannot create " + Printable(output_dir_, 200) + ": " + made.reason);
      }
    } else if (!st.ok() || st.stat.type != FileType::kDirectory) {
      return Usage("--output-dir: " + Printable(output_dir_, 200) +
                   " is not a directory we can use (a directory, not a symbolic link or a file)");
    } else {
      auto entries = sys.files.List(output_dir_);
      if (!entries.ok()) {
        return Usage("--output-dir: cannot list " + Printable(output_dir_, 200) + ": " +
                     entries.reason);
      }
      if (!entries.names.empty()) {
        return Usage("--output-dir: " + Printable(output_dir_, 200) +
                     " is not empty; give a new or empty directory, so that runs never mix");
      }
    }
    for (const SpokeAccount& a : accounts) {
      auto made = sys.files.CreateDirectory(output_dir_ + "/" + a.id, 0700);
      if (!made.ok()) {
        return Usage("--output-dir: cannot create " + Printable(output_dir_ + "/" + a.id, 200) +
                     ": " + made.reason);
      }
    }
    return Ok();
  }

  // `hub_session`: the one --org listed the organization with, used rather than a new hub hop.
  int RunAll(const Invocation& invocation, ChainSetup& chain,
             std::shared_ptr<CredentialsProvider> base, const std::vector<SpokeAccount>& accounts,
             std::optional<Credentials> hub_session);

  // The summary line on stderr and the --summary file; returns 0 when every account succeeded.
  int WriteSummary(const SystemContext& sys, const FanoutReport& report, double seconds) const {
    std::vector<const SpokeResult*> failures;
    for (const SpokeResult& r : report.results) {
      if (r.status != SpokeStatus::kOk && r.status != SpokeStatus::kSkipped) failures.push_back(&r);
    }
    std::string line = "fanout: " + std::to_string(report.ok) + " ok, " +
                       std::to_string(report.failed) + " failed";
    if (report.skipped > 0) line += ", " + std::to_string(report.skipped) + " skipped";
    line += " in " + exec::FormatSeconds(seconds);
    constexpr std::size_t kListed = 10;
    for (std::size_t i = 0; i < failures.size() && i < kListed; ++i) {
      line += (i == 0 ? ": " : ", ") + ShortFailure(*failures[i]);
    }
    if (failures.size() > kListed) {
      line += ", and " + std::to_string(failures.size() - kListed) + " more" +
              (summary_.empty() ? " (--summary FILE lists every account)" : " (see " + summary_ + ")");
    }
    std::fprintf(stderr, "%s\n", line.c_str());
    int status = report.failed == 0 && report.skipped == 0 ? 0 : 1;
    if (!summary_.empty()) {
      std::string jsonl;
      for (const SpokeResult& r : report.results) jsonl += ResultJson(r).dump() + "\n";
      auto written = sys.files.WriteAtomically(summary_, jsonl, 0600);
      if (!written.ok()) {
        std::fprintf(stderr, "assume-spoke-role: error: --summary: cannot write %s: %s\n",
                     Printable(summary_, 200).c_str(), written.reason.c_str());
        status = 1;
      }
    }
    return status;
  }

  CLI::App* app_ = nullptr;
  ChainFlags flags_;
  SelectionFlags selection_;
  std::string mistaken_spoke_account_;
  bool dry_run_ = false;
  std::string concurrency_;
  std::size_t concurrency_n_ = 16;
  std::string max_sts_rate_;
  double max_sts_rate_n_ = 0;
  bool group_ = false;
  std::string output_dir_, summary_, timeout_;
  std::optional<std::chrono::seconds> timeout_n_;
  bool fail_fast_ = false, refresh_ = false, no_progress_ = false;
};

Result<std::pair<std::string, std::string>> FanoutCommand::SpokeRoleArns(
    const SpokeCredentialsInput& input, const ChainSetup& chain) {
  auto plan = PlanSpokeRoles(input, chain.sys.env, chain.profiles);
  if (!plan) return std::move(plan).error();
  return *plan;
}

// One account's child: started with the spoke's credentials, its output pumped to ours (or to
// files), waited for with the timeout, signalled on a stop.
struct ChildRun {
  const std::vector<std::string>& argv;
  const EnvVars& parent_env;
  const ChildSharedConfigFiles& files;
  CredentialsServer* server;  // --refresh
  OutputSink& sink;
  RunningChildren& running;
  const SystemContext& sys;
  bool group;
  std::string output_dir;
  std::optional<std::chrono::seconds> timeout;

  SpokeOutcome operator()(const SpokeTask& task) const {
    if (task.cancellation.cancelled()) return SpokeOutcome{.status = SpokeStatus::kSkipped};
    ChildEnvironmentOptions env_options{.region = task.region,
                                        .config_file = files.config_file(),
                                        .credentials_file = files.credentials_file()};
    ProcessSpec spec;
    spec.argv = argv;
    std::optional<SecretString> token;
    if (server != nullptr) {
      auto added = server->AddClient(task.credentials);
      if (!added) return SpokeOutcome::Failed(added.error().message());
      token = std::move(*added);
      spec.env = ChildEnvironmentWithEndpoint(parent_env, server->url(), *token, env_options);
    } else {
      auto creds = task.credentials->GetSharedCredentials();
      if (!creds) return SpokeOutcome::Failed(creds.error().ToString());
      spec.env = ChildEnvironment(parent_env, **creds, env_options);
    }
    // Which account this is, for scripts (they need not call STS to find out). RunAll took any
    // inherited value out of parent_env.
    spec.env.emplace_back("SPOKE_ACCOUNT_ID", task.account.id);
    spec.env.emplace_back("SPOKE_ACCOUNT_NAME", task.account.name);
    spec.stdin_mode = ProcessSpec::Input::kNull;
    if (!output_dir.empty()) {
      spec.stdout_mode = spec.stderr_mode = ProcessSpec::Output::kFile;
      spec.stdout_file = output_dir + "/" + task.account.id + "/stdout";
      spec.stderr_file = output_dir + "/" + task.account.id + "/stderr";
    } else {
      spec.stdout_mode = spec.stderr_mode = ProcessSpec::Output::kPipe;
    }
    // A group of its own: a timeout or a stop reaches everything it started; and if we are
    // killed, the group goes first.
    spec.new_process_group = true;
    spec.kill_group_when_we_die = true;
    spec.default_signals = {SIGPIPE, SIGINT, SIGTERM};
    auto child = sys.processes.Start(spec);
    spec.WipeEnvironment();
    SpokeOutcome outcome = child ? Pump(task, **child) : StartFailure(task, child.error());
    if (token) server->RemoveClient(*token);
    return outcome;
  }

  SpokeOutcome StartFailure(const SpokeTask& task, const Error& e) const {
    const bool not_found = e.reason() == ErrorReason::kCommandNotFound;
    const std::string text = "assume-spoke-role: error: " + e.message() + "\n";
    if (output_dir.empty()) sink.Write(OutputSink::kErr, Prefix(task.account) + text.substr(0));
    return SpokeOutcome{.status = SpokeStatus::kCommandFailed,
                        .exit_status = not_found ? 127 : 126,
                        .message = e.message()};
  }

  SpokeOutcome Pump(const SpokeTask& task, ChildProcess& child) const {
    running.Add(task.index, &child);
    const std::string prefix = Prefix(task.account);
    exec::Spool spools[2];
    auto emit_to = [&](OutputSink::Stream s) {
      return [&, s](std::string_view lines) {
        if (group) {
          spools[s].Append(lines);
        } else {
          sink.Write(s, lines);
        }
      };
    };
    exec::LinePrefixer out(prefix, emit_to(OutputSink::kOut));
    exec::LinePrefixer err(prefix, emit_to(OutputSink::kErr));
    // Without a timeout the deadline is never reached.
    const bool has_deadline = timeout.has_value();
    const auto deadline = std::chrono::steady_clock::now() +
                          (has_deadline ? std::chrono::duration_cast<std::chrono::nanoseconds>(*timeout)
                                        : std::chrono::nanoseconds(0));
    bool timed_out = false;
    // Once the command has exited, what it left running in its group may hold its output open:
    // that is read for kLeftoverGrace more, then the group is killed (KillWithGrace below).
    constexpr auto kLeftoverGrace = std::chrono::seconds(1);
    std::optional<std::chrono::steady_clock::time_point> leftover_deadline;
    bool leftovers = false;
    char buffer[1 << 16];
    for (;;) {
      pollfd fds[2];
      nfds_t n = 0;
      exec::LinePrefixer* which[2];
      if (child.stdout_fd() >= 0) { fds[n] = {child.stdout_fd(), POLLIN, 0}; which[n++] = &out; }
      if (child.stderr_fd() >= 0) { fds[n] = {child.stderr_fd(), POLLIN, 0}; which[n++] = &err; }
      if (n == 0) break;
      const auto now = std::chrono::steady_clock::now();
      if (has_deadline && now >= deadline) {
        timed_out = true;
        break;
      }
      if (leftover_deadline && now >= *leftover_deadline) {
        leftovers = true;
        break;
      }
      // A tick to notice the command's exit while something else holds its output.
      long long wait_ms = 250;
      if (has_deadline) {
        wait_ms = std::min<long long>(
            wait_ms, std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count());
      }
      int ready = poll(fds, n, static_cast<int>(std::max<long long>(0, wait_ms)));
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) {
        if (!leftover_deadline) {
          auto exited = child.HasExited();
          if (!exited || *exited) leftover_deadline = std::chrono::steady_clock::now() + kLeftoverGrace;
        }
        continue;
      }
      for (nfds_t i = 0; i < n; ++i) {
        if (fds[i].revents == 0) continue;
        ssize_t got = read(fds[i].fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
          if (which[i] == &out) child.CloseStdout(); else child.CloseStderr();
          continue;
        }
        which[i]->Feed(std::string_view(buffer, static_cast<std::size_t>(got)));
      }
    }
    Result<ProcessExit> exit = ProcessExit{};
    if (leftovers) {
      // The command has exited (and is not yet reaped, so its group id is still ours): end what
      // it left behind holding its output, and collect its own exit status.
      exit = child.KillWithGrace(std::chrono::milliseconds(500));
    } else if (!timed_out && has_deadline) {
      // Its output is closed; it may still run (holding nothing of ours): wait until the
      // deadline.
      for (;;) {
        auto done = child.TryWait();
        if (!done) { exit = done.error(); break; }
        if (*done) { exit = **done; break; }
        if (std::chrono::steady_clock::now() >= deadline) { timed_out = true; break; }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    } else if (!timed_out) {
      exit = child.Wait();
    }
    if (timed_out) exit = child.KillWithGrace(std::chrono::seconds(5));
    running.Remove(task.index);
    // Whatever it wrote before it went.
    for (auto [fd, prefixer] : {std::pair{child.stdout_fd(), &out}, std::pair{child.stderr_fd(), &err}}) {
      if (fd < 0) continue;
      for (;;) {
        ssize_t got = read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        prefixer->Feed(std::string_view(buffer, static_cast<std::size_t>(got)));
      }
    }
    out.Finish();
    err.Finish();
    if (group) {
      sink.Write(OutputSink::kOut, spools[OutputSink::kOut]);
      sink.Write(OutputSink::kErr, spools[OutputSink::kErr]);
    }
    if (!exit) return SpokeOutcome::Failed(exit.error().message());
    SpokeOutcome outcome{.exit_status = exit->exit_status, .signal = exit->signal};
    if (timed_out) {
      outcome.status = SpokeStatus::kTimedOut;
      outcome.message = "timed out after " + exec::FormatSeconds(static_cast<double>(timeout->count()));
    } else if (exit->signal != 0 || exit->exit_status != 0) {
      outcome.status = SpokeStatus::kCommandFailed;
    }
    return outcome;
  }
};

int FanoutCommand::RunAll(const Invocation& invocation, ChainSetup& chain,
                          std::shared_ptr<CredentialsProvider> base,
                          const std::vector<SpokeAccount>& accounts,
                          std::optional<Credentials> hub_session) {
  const SystemContext& sys = chain.sys;
  // Stop signals are taken by a thread of ours (sigtimedwait), never by a handler: blocked here,
  // before any thread starts, so every thread inherits the mask (children get an empty one).
  sigset_t stop;
  sigemptyset(&stop);
  for (int sig : kStopSignals) {
    if (sig != SIGHUP || !Ignored(SIGHUP)) sigaddset(&stop, sig);
  }
  sigset_t old_mask;
  pthread_sigmask(SIG_BLOCK, &stop, &old_mask);

  // A reader of our stdout or stderr that goes away (`| head`) costs that stream, not the run:
  // its writes fail with EPIPE (OutputSink drops the stream) and the summary is still written.
  // The children get SIGPIPE back at its default (ProcessSpec::default_signals).
  struct sigaction ignore_pipe {}, old_pipe {};
  ignore_pipe.sa_handler = SIG_IGN;
  sigemptyset(&ignore_pipe.sa_mask);
  sigaction(SIGPIPE, &ignore_pipe, &old_pipe);
  struct RestorePipe {
    struct sigaction old;
    ~RestorePipe() { sigaction(SIGPIPE, &old, nullptr); }
  } restore_pipe{old_pipe};

  const bool progress = !no_progress_ && isatty(STDERR_FILENO) == 1;
  OutputSink sink(STDOUT_FILENO, STDERR_FILENO, progress);
  RunningChildren running;
  auto cancellation = std::make_shared<FanoutCancellation>();
  std::atomic<int> stop_signal{0};

  auto files = MakeChildConfigFiles(sys, chain.profiles, flags_.profile);
  if (!files) {
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    return ReportError(files.error());
  }
  std::unique_ptr<CredentialsServer> server;
  if (refresh_) {
    auto started = CredentialsServer::StartShared(
        sys.log, CredentialsServerOptions{.max_connections = 2 * concurrency_n_ + 16});
    if (!started) {
      pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
      return ReportError(started.error());
    }
    server = std::move(*started);
  }
  EnvVars parent_env = sys.env.All();
  std::erase_if(parent_env, [](const auto& kv) {
    return kv.first == "SPOKE_ACCOUNT_ID" || kv.first == "SPOKE_ACCOUNT_NAME";
  });

  // Progress and signals: one thread.
  std::atomic<std::size_t> done{0}, ok{0}, failed{0};
  std::atomic<bool> finished{false};
  const auto started_at = std::chrono::steady_clock::now();
  std::thread watcher([&] {
    auto last_draw = std::chrono::steady_clock::time_point{};
    while (!finished.load()) {
      timespec wait{0, 100 * 1000 * 1000};
      int sig = sigtimedwait(&stop, nullptr, &wait);
      if (sig > 0) {
        stop_signal.store(sig);
        cancellation->Cancel();
        running.SignalAll(sig);
      }
      auto now = std::chrono::steady_clock::now();
      if (sink.progress() && now - last_draw >= std::chrono::milliseconds(250)) {
        last_draw = now;
        const double elapsed = std::chrono::duration<double>(now - started_at).count();
        const std::size_t d = done.load();
        const double rate = elapsed > 0 ? d / elapsed : 0;
        std::string line = "fanout: " + std::to_string(d) + "/" + std::to_string(accounts.size()) +
                           " done, " + std::to_string(ok.load()) + " ok, " +
                           std::to_string(failed.load()) + " failed, " +
                           std::to_string(running.size()) + " running";
        if (rate > 0) {
          char r[32];
          std::snprintf(r, sizeof r, ", %.1f/s", rate);
          line += r;
          line += ", ETA " + exec::FormatSeconds((accounts.size() - d) / rate);
        }
        if (stop_signal.load() != 0) line += " (stopping)";
        sink.Progress(line);
      }
    }
  });

  ForEachSpokeOptions options{.input = chain.input,
                              .concurrency = concurrency_n_,
                              .max_sts_rate = max_sts_rate_n_,
                              .fail_fast = fail_fast_,
                              .profiles = &chain.profiles,
                              .cancellation = cancellation,
                              .hub_session = std::move(hub_session)};
  if (refresh_) options.caching = ChildRefreshWindows(chain.input.duration);
  options.on_finish = [&](const SpokeResult& r, std::size_t) {
    done.fetch_add(1);
    if (r.status == SpokeStatus::kOk) ok.fetch_add(1);
    else if (r.status != SpokeStatus::kSkipped) failed.fetch_add(1);
    if (r.status == SpokeStatus::kChainFailed) {
      sink.Write(OutputSink::kErr, Prefix(r.account) + "assume-spoke-role: error: " + r.message +
                                       (r.hint.empty() ? "" : " — " + r.hint) + "\n");
    }
    if (!output_dir_.empty() && r.status != SpokeStatus::kSkipped) {
      auto written = sys.files.WriteAtomically(output_dir_ + "/" + r.account.id + "/result.json",
                                               ResultJson(r).dump() + "\n", 0600);
      if (!written.ok()) {
        sink.Write(OutputSink::kErr, Prefix(r.account) + "assume-spoke-role: warning: cannot write "
                                         "result.json: " + written.reason + "\n");
      }
    }
  };
  ChildRun run{.argv = invocation.child_argv,
               .parent_env = parent_env,
               .files = **files,
               .server = server.get(),
               .sink = sink,
               .running = running,
               .sys = sys,
               .group = group_,
               .output_dir = output_dir_,
               .timeout = timeout_n_};
  auto report = ForEachSpoke(sys, std::move(base), accounts, options, std::cref(run));
  finished.store(true);
  watcher.join();
  sink.EndProgress();
  if (server) server->Stop();
  if (!report) {
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    return ReportChainError(report.error());
  }

  int status = WriteSummary(sys, *report, std::chrono::duration<double>(
                                              std::chrono::steady_clock::now() - started_at)
                                              .count());
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  if (const int sig = stop_signal.load(); sig != 0) return 128 + sig;
  return status;
}

}  // namespace

std::unique_ptr<Command> MakeFanoutCommand() { return std::make_unique<FanoutCommand>(); }

}  // namespace hubspoke::cli
