// `assume-spoke-role lab [--model FILE | --iam-export DIR [--scp-export DIR]
// [--credentials-file FILE]] [--listen HOST:PORT] [--port-file F] [--faults SPEC]
// [--spokes N] [--sts-rate R] [--sts-burst B] [--sts-latency D] [--log-requests]`: a local STS
// and AWS Organizations API on loopback with a model organization (docs/lab.md).

#include <array>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <unistd.h>

#include "cli/command.h"
#include "crypto/random.h"
#include "crypto/sha256.h"
#include "lab/faults.h"
#include "lab/lab_server.h"
#include "hubspoke/iam_world.h"
#include "iam/generated_spokes.h"
#include "iam/iam_export.h"
#include "iam/model.h"
#include "lab/sts_service.h"
#include "hubspoke/file_system.h"

namespace hubspoke::cli {
namespace {

constexpr const char* kLabHelp = R"HELP(
Serves the AWS STS API (awsQuery: AssumeRole, GetCallerIdentity, AssumeRoleWithWebIdentity) on
loopback for a model organization, so the AWS CLI, the SDKs and this tool can run hub-and-spoke
chains offline. Requests are SigV4-verified and decided by IAM policy evaluation; every refusal
is explained on stderr (which policy, statement and condition) while the client gets the AWS
error. Without --model the built-in model (the README's example) is served; --print-model
prints it as a starting point. Runs until SIGINT or SIGTERM.

Examples:
  assume-spoke-role lab --port-file /tmp/lab.port &
  export AWS_ENDPOINT_URL=http://127.0.0.1:$(cat /tmp/lab.port) AWS_REGION=us-east-1 \
         AWS_ACCESS_KEY_ID=AKIALABEXAMPLE000001 \
         AWS_SECRET_ACCESS_KEY=labSecretKey/sysAutomation/EXAMPLEKEY001
  aws sts get-caller-identity
  assume-spoke-role lab --model org.json --faults seed=42,throttle=0.2,first=3:503

A real organization: --iam-export DIR serves the IAM of `aws iam
get-account-authorization-details` exports (one JSON per account) and --scp-export DIR its SCPs
(docs/policies.md, "Exporting a real organization" has the commands). Exports carry no access
keys: the lab makes one per exported user and writes them to --credentials-file FILE (a new
file, mode 0600), one profile per user named <account>-<user-name>:
  assume-spoke-role lab --iam-export exports/iam --scp-export exports/scp \
      --credentials-file /tmp/lab-credentials --port-file /tmp/lab.port &
  AWS_SHARED_CREDENTIALS_FILE=/tmp/lab-credentials AWS_PROFILE=111111111111-sys-automation \
      aws sts get-caller-identity

Faults (--faults, comma-separated): throttle=P 500=P 503=P drop=P truncate=P garbage=P
latency=50ms@P skew=+20m first=N:KIND every=N:KIND seed=S. See docs/lab.md.

A large organization: --spokes 1000 adds 1000 generated spoke accounts (200000000001, …,
named spoke-0001, …) in OUs Workloads/{Prod,NonProd} and Sandbox, each with an
automation-spoke-role trusting the hub role; the AWS Organizations API (ListAccounts,
ListAccountsForParent, ListChildren, ListRoots, DescribeOrganization; JSON 1.1, signed for
service "organizations") is served on the same endpoint:
  assume-spoke-role lab --spokes 1000 --port-file /tmp/lab.port &
  aws organizations list-accounts   # as the hub role or org-reader-role (999999999999)

STS like AWS under load: --sts-rate 5 throttles each calling account beyond 5 requests per
second (token bucket, --sts-burst B tokens, default the rate rounded up; 400 Throttling "Rate
exceeded"); --sts-latency 10ms delays every STS response without holding a worker thread;
--log-requests logs one line per STS and Organizations request:
  lab: request t=1764842000.123 service=sts action=AssumeRole caller=999999999999 status=200

Also on the same port: the console federation endpoint (GET /federation, for `console
--federation-url`), and, when the model has an identity_center section, IAM Identity Center's
SSO OIDC (/client/register, /device_authorization approved at once, /token with the device code
and refresh grants) and portal (/federation/credentials) endpoints, for sso-session profiles
and the refresh of their cached token. See docs/lab.md.

Test mode: --session-lifetime 10 makes every issued session expire after 10 seconds (the
response's Expiration says so), to test clients that must refresh, e.g. run --refresh.
)HELP";

Error Usage(const std::string& message) { return Error(ErrorCode::kInvalidArgument, message); }

// "127.0.0.1:8080", "[::1]:0", "localhost:0", or a bare port.
Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& text) {
  std::string host = "127.0.0.1";
  std::string port = text;
  if (std::size_t colon = text.rfind(':'); colon != std::string::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
  }
  bool digits = !port.empty() && port.size() <= 5 &&
                port.find_first_not_of("0123456789") == std::string::npos;
  if (host.empty() || !digits || std::stoul(port) > 65535) {
    return Usage("--listen: '" + text + "' is not HOST:PORT (e.g. 127.0.0.1:0; port 0 picks a "
                 "free port)");
  }
  return std::make_pair(host, static_cast<uint16_t>(std::stoul(port)));
}

Status WritePortFile(FileSystem& files, const std::string& path, uint16_t port) {
  // Atomic: readers see no file or the whole port, never a partial write.
  auto written = files.WriteAtomically(path, std::to_string(port) + "\n", 0644);
  if (!written.ok()) {
    return Error(ErrorCode::kInternal, "--port-file: cannot write " + path + ": " + written.reason);
  }
  return Ok();
}

class LabCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    app_ = root.add_subcommand("lab", "Run a local STS emulator with a model organization");
    auto* model = app_->add_option("--model", model_path_,
                                   "Model file (JSON, docs/lab-model.schema.json)")
        ->type_name("FILE");
    auto* iam_export = app_->add_option(
        "--iam-export", iam_export_,
        "Directory of `aws iam get-account-authorization-details` outputs, one per account "
        "(docs/policies.md)")
        ->type_name("DIR");
    iam_export->excludes(model);
    app_->add_option("--scp-export", scp_export_,
                     "Directory of AWS Organizations outputs with the SCPs and the tree "
                     "(docs/policies.md)")
        ->needs(iam_export)
        ->type_name("DIR");
    app_->add_option("--credentials-file", credentials_file_,
                     "Write the generated keys of exported users here (new file, 0600), one "
                     "profile per user: <account>-<user-name>")
        ->needs(iam_export)
        ->type_name("FILE");
    app_->add_option("--listen", listen_, "HOST:PORT to listen on (default 127.0.0.1:0)");
    app_->add_option("--port-file", port_file_, "Write the chosen port to this file")
        ->type_name("FILE");
    app_->add_option("--faults", faults_, "Fault-injection spec, e.g. seed=42,throttle=0.2");
    seed_option_ =
        app_->add_option("--seed", seed_,
                         "Seed for ids, keys and tokens (default: random); a lab restarted with "
                         "the same seed accepts the sessions the last one issued");
    app_->add_option("--threads", threads_, "Worker threads (default: one per core)");
    app_->add_option("--session-lifetime", session_lifetime_,
                     "Test mode: issued sessions expire after at most this many seconds")
        ->check(CLI::Range(1, 43200));
    spokes_option_ = app_->add_option("--spokes", spokes_,
                     "Add this many generated spoke accounts (1-100000) in OUs (docs/lab.md)");
    app_->add_option("--sts-rate", sts_rate_,
                     "STS requests per second per calling account (token bucket); over it: "
                     "400 Throttling");
    app_->add_option("--sts-burst", sts_burst_,
                     "Token bucket size for --sts-rate (default: the rate rounded up)");
    app_->add_option("--sts-latency", sts_latency_,
                     "Latency added to every STS response, e.g. 10ms (no thread waits)");
    app_->add_flag("--log-requests", log_requests_,
                   "Log one line per STS and Organizations request (service, action, caller "
                   "account, status, error code)");
    app_->add_flag("--print-model", print_model_, "Print the built-in model and exit");
    app_->footer(kLabHelp);
    return app_;
  }

  int Execute(const Invocation&) override {
    if (print_model_) {
      std::fwrite(iam::BuiltinModelJson().data(), 1, iam::BuiltinModelJson().size(), stdout);
      return 0;
    }
    // Each flag is checked by name before anything starts (the server's own check would be
    // reported against --listen).
    if (threads_ < 0 || threads_ > kMaxServerThreads) {
      return ReportError(Error(ErrorCode::kInvalidArgument,
                               "--threads: " + std::to_string(threads_) + ": must be 0.." +
                                   std::to_string(kMaxServerThreads) + " (0: one per core)"));
    }
    auto model = LoadModel();
    if (!model) return ReportError(model.error());
    auto listen = ParseListen(listen_);
    if (!listen) return ReportError(listen.error());
    auto limits = ParseLimits();
    if (!limits) return ReportError(limits.error());
    lab::FaultSpec spec;
    if (!faults_.empty()) {
      auto parsed = lab::ParseFaultSpec(faults_);
      if (!parsed) return ReportError(parsed.error());
      spec = std::move(*parsed);
    }

    // SIGINT/SIGTERM are blocked before any thread starts (threads inherit the mask) and
    // taken with sigwait below: a clean stop, no async-signal-safety games.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    auto log = MakeBackgroundLogger(STDERR_FILENO, LogLevel::kInfo);
    // Without --seed: ids from a random seed, and session tokens sealed with a random key (a
    // 64-bit seed could be searched for from one token; 32 random bytes cannot).
    std::uint64_t seed = seed_;
    std::string session_key;
    if (seed_option_->count() == 0) {
      std::array<unsigned char, 40> bytes{};
      if (Status s = crypto::RandomBytes(bytes); !s) return ReportError(s.error().Wrap("lab"));
      std::memcpy(&seed, bytes.data(), sizeof seed);
      session_key.assign(reinterpret_cast<const char*>(bytes.data()) + 8, 32);
      crypto::SecureWipe(bytes);
    }
    if (!iam_export_.empty()) {
      if (Status s = GiveExportedUsersKeys(*model, seed); !s) return ReportError(s.error());
    }
    lab::FaultInjector injector(spec, *log, seed);
    ServerOptions options;
    options.host = listen->first;
    options.port = listen->second;
    options.threads = threads_;
    if (!spec.empty()) options.fault_hook = injector.AsHook();
    auto server = lab::LabServer::Start(
        std::move(*model), SystemClock(), *log,
        lab::StsServiceOptions{.seed = seed,
                               .session_key = std::move(session_key),
                               .clock_skew = spec.skew,
                               .max_session_lifetime = std::chrono::seconds(session_lifetime_),
                               .sts_rate = sts_rate_,
                               .sts_burst = sts_burst_,
                               .sts_latency = *limits,
                               .log_requests = log_requests_},
        std::move(options));
    if (!server) {
      Error e = server.error().Wrap("lab: --listen " + listen_);
      return ReportError(server.error().code() == ErrorCode::kInvalidArgument
                             ? e
                             : std::move(e).WithCode(ErrorCode::kInvalidArgument));
    }
    if (!port_file_.empty()) {
      if (auto s = WritePortFile(*files_, port_file_, (*server)->port()); !s) {
        (*server)->Stop();
        return ReportError(s.error());
      }
    }
    std::fprintf(stderr, "lab listening on %s\n", (*server)->url().c_str());
    if (spokes_ > 0) std::fprintf(stderr, "lab spokes: %zu generated\n", spokes_);
    if (!faults_.empty()) std::fprintf(stderr, "lab faults: %s\n", faults_.c_str());
    std::fflush(stderr);

    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    std::fprintf(stderr, "lab: stopping (signal %d)\n", signal_number);
    (*server)->Stop();
    if (!port_file_.empty()) files_->Remove(port_file_);
    return 0;
  }

 private:
  // Checks --sts-rate/--sts-burst and returns --sts-latency.
  Result<std::chrono::milliseconds> ParseLimits() const {
    if (sts_rate_ < 0 || sts_rate_ > 1e6) {
      return Usage("--sts-rate: " + std::to_string(sts_rate_) +
                   " is not a rate from 0 (unlimited) to 1000000 requests per second");
    }
    if (sts_burst_ < 0 || sts_burst_ > 1e6) {
      return Usage("--sts-burst: " + std::to_string(sts_burst_) +
                   " is not a bucket size from 0 (the rate rounded up) to 1000000");
    }
    if (sts_burst_ > 0 && sts_rate_ == 0) {
      return Usage("--sts-burst: needs --sts-rate");
    }
    if (sts_latency_.empty()) return std::chrono::milliseconds(0);
    auto latency = lab::ParseFaultDuration(sts_latency_);
    if (!latency || *latency > std::chrono::minutes(1)) {
      return Usage("--sts-latency: '" + sts_latency_ +
                   "' is not a duration up to 1m (e.g. 10ms, 2s; a bare number is ms)");
    }
    return *latency;
  }

  Result<iam::Model> LoadModel() {
    auto model = LoadModelFile();
    if (!model || spokes_option_->count() == 0) return model;
    if (auto s = iam::AddGeneratedSpokes(*model, spokes_, "--spokes"); !s) {
      return std::move(s).error();
    }
    return model;
  }

  // Exported users get one key pair each, from 32 random bytes or, with --seed, from the seed
  // (a restarted lab keeps the keys); the keys go to --credentials-file only, never to stderr.
  Status GiveExportedUsersKeys(iam::Model& model, std::uint64_t seed) {
    std::array<unsigned char, 32> material{};
    if (seed_option_->count() > 0) {
      std::memcpy(material.data(), &seed, sizeof seed);
    } else if (Status s = crypto::RandomBytes(material); !s) {
      return s.error().Wrap("lab");
    }
    SecretString file = iam::AddExportedUserKeys(
        model, std::string_view(reinterpret_cast<const char*>(material.data()), material.size()));
    crypto::SecureWipe(material);
    std::size_t users = 0;
    for (const iam::User& user : model.users) users += user.access_keys.empty() ? 0 : 1;
    if (credentials_file_.empty()) {
      std::fprintf(stderr,
                   "lab: the %zu exported users cannot sign in until --credentials-file FILE is "
                   "given (exports carry no access keys; the lab makes them)\n",
                   users);
      return Ok();
    }
    // A new file only: never replace the user's credentials or write through a symbolic link.
    auto existing = files_->Stat(credentials_file_, /*follow_symlinks=*/false);
    if (existing.ok()) {
      return Usage("--credentials-file: " + credentials_file_ +
                   ": already exists (a new file is required; remove it or pick another name)");
    }
    if (existing.status != FileOpStatus::kNotFound) {
      return Usage("--credentials-file: " + credentials_file_ + ": " + existing.reason);
    }
    auto written = files_->WriteAtomically(credentials_file_, file.reveal(), 0600);
    if (!written.ok()) {
      return Usage("--credentials-file: cannot write " + credentials_file_ + ": " +
                   written.reason);
    }
    std::fprintf(stderr, "lab: keys of %zu exported users in %s (profiles <account>-<user-name>)\n",
                 users, credentials_file_.c_str());
    return Ok();
  }

  Result<iam::Model> LoadModelFile() {
    if (!iam_export_.empty()) {
      auto world = LoadIamExport(*files_, iam_export_, scp_export_);
      if (!world) return world.error();
      return world->model();  // a copy: the lab adds spokes and keys to it
    }
    if (model_path_.empty()) return iam::BuiltinModel();
    // 16 MiB: a model of thousands of accounts and roles is a few MiB.
    auto file = files_->Read(model_path_, {.max_bytes = 16 << 20});
    if (!file.ok()) return Usage(ReadFileError("--model", model_path_, file));
    auto model = iam::ParseModel(file.bytes, model_path_);
    if (!model) return model.error().Wrap("--model");
    return model;
  }

  CLI::App* app_ = nullptr;
  std::string model_path_;
  std::string iam_export_;
  std::string scp_export_;
  std::string credentials_file_;
  std::string listen_ = "127.0.0.1:0";
  std::string port_file_;
  std::unique_ptr<FileSystem> files_ = MakeRealFileSystem();
  std::string faults_;
  std::uint64_t seed_ = 0;
  CLI::Option* seed_option_ = nullptr;
  int threads_ = 0;
  int session_lifetime_ = 0;
  bool print_model_ = false;
  std::size_t spokes_ = 0;
  CLI::Option* spokes_option_ = nullptr;
  double sts_rate_ = 0;
  double sts_burst_ = 0;
  std::string sts_latency_;
  bool log_requests_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeLabCommand() { return std::make_unique<LabCommand>(); }

}  // namespace hubspoke::cli
