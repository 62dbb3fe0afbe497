// The chainable assume-role provider (source provider → STS AssumeRole) and the transport pool
// that makes it safe to call from several threads.
#include <chrono>
#include <utility>

#include "core/time.h"
#include "hubspoke/assume_role_provider.h"
#include "hubspoke/transport_pool.h"

namespace hubspoke {

// ---- TransportPool ------------------------------------------------------------------------------

TransportPool::Lease::Lease(TransportPool* pool, std::unique_ptr<HttpTransport> transport)
    : pool_(pool), transport_(std::move(transport)) {}

TransportPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), transport_(std::move(other.transport_)) {
  other.pool_ = nullptr;
}

TransportPool::Lease::~Lease() {
  if (pool_ && transport_) pool_->Return(std::move(transport_));
}

TransportPool::TransportPool(Factory factory, std::size_t max_idle)
    : factory_(std::move(factory)), max_idle_(max_idle) {}

TransportPool::Lease TransportPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<HttpTransport> t = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(t));
    }
    ++created_;
  }
  // Outside the lock: making a transport may read a CA bundle.
  return Lease(this, factory_ ? factory_() : nullptr);
}

std::size_t TransportPool::created() const {
  std::lock_guard<std::mutex> lock(mu_);
  return created_;
}

void TransportPool::Return(std::unique_ptr<HttpTransport> transport) {
  std::unique_ptr<HttpTransport> closed;  // destroyed outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < max_idle_) {
    idle_.push_back(std::move(transport));
  } else {
    closed = std::move(transport);
  }
}

// ---- AssumeRoleCredentialsProvider --------------------------------------------------------------

Result<Credentials> AssumeRoleCredentialsProvider::GetCredentials() {
  auto response = AssumeRole();
  if (!response) return std::move(response).error();
  return std::move(response->credentials);
}

namespace {

class AssumeRoleProvider final : public AssumeRoleCredentialsProvider {
 public:
  AssumeRoleProvider(const SystemContext& sys, std::shared_ptr<CredentialsProvider> source,
                     AssumeRoleProviderOptions options)
      : sys_(sys), source_(std::move(source)), options_(std::move(options)) {
    if (options_.hop_name.empty()) options_.hop_name = "assume-role";
  }

  Result<AssumeRoleResponse> AssumeRole() override {
    // The source first: a chain refreshes from the top down, and a transport is borrowed only
    // for this hop's own call (so a chain on one thread reuses one warm connection).
    auto caller = source_->GetCredentials();
    if (!caller) return std::move(caller).error();

    const std::string& hop = options_.hop_name;
    AssumeRoleRequest mfa_request;  // a copy only when a code is asked for
    const AssumeRoleRequest* request = &options_.request;
    if (!request->serial_number.empty() && request->token_code.empty()) {
      const MfaCodeReader& reader = options_.mfa_reader;
      auto code = reader ? reader(request->serial_number)
                         : TerminalMfaCodeReader()(request->serial_number);
      if (!code) return std::move(code).error().Wrap(hop + ": mfa_serial " + request->serial_number);
      mfa_request = options_.request;
      mfa_request.token_code = *code;
      request = &mfa_request;
    }
    const AssumeRoleRequest& req = *request;
    sys_.log.Log(
        LogLevel::kInfo,
        hop + ": AssumeRole " + req.role_arn + " session " + req.role_session_name +
            (req.duration ? " duration " + std::to_string(req.duration->count()) + "s" : "") +
            (req.external_id.empty() ? "" : " with external id") +
            (req.policy.empty() && req.policy_arns.empty() ? "" : " with session policy") +
            (req.tags.empty() ? ""
                              : " with " + std::to_string(req.tags.size()) + " session tag(s)"));
    const auto started = sys_.clock.Monotonic();
    auto response = Call(*caller, req);
    if (!response) return HopError(std::move(response).error());
    const Credentials& got = response->credentials;
    const long long ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(sys_.clock.Monotonic() - started)
            .count();
    sys_.log.Log(LogLevel::kInfo,
                 hop + ": got " + response->assumed_role_arn + " (" +
                     MaskAccessKeyId(got.access_key_id) + ", expires " +
                     (got.expiration ? FormatRfc3339(*got.expiration) : std::string("never")) +
                     ", request id " + response->request_id + ", " + std::to_string(ms) + " ms)");
    return response;
  }

  std::string Describe() const override {
    return options_.hop_name + " hop " + options_.request.role_arn;
  }

 private:
  Result<AssumeRoleResponse> Call(const Credentials& caller, const AssumeRoleRequest& request) {
    if (!options_.transports) {
      StsClient sts(sys_, options_.sts);
      return sts.AssumeRole(caller, request);
    }
    TransportPool::Lease lease = options_.transports->Acquire();
    if (!lease.get()) return Error(ErrorCode::kInternal, "no HTTP transport for STS");
    const SystemContext sys{sys_.clock,  sys_.env,    *lease.get(), sys_.log,
                            sys_.random, sys_.files,  sys_.processes};
    StsClient sts(sys, options_.sts);
    return sts.AssumeRole(caller, request);
  }

  // "hub hop arn:…: <error>", with the hint computed from the unwrapped error.
  Error HopError(Error e) const {
    std::string hint = options_.hint ? options_.hint(e) : std::string();
    std::string context = options_.error_context;
    if (context.empty()) {
      context = options_.hop_name + " hop";
      if (!options_.request.role_arn.empty()) context += " " + options_.request.role_arn;
    }
    Error wrapped = e.Wrap(context).WithHop(options_.hop_name);
    if (!hint.empty()) return std::move(wrapped).WithHint(std::move(hint));
    return wrapped;
  }

  const SystemContext sys_;  // a copy of the references: the caller's struct may be a temporary
  std::shared_ptr<CredentialsProvider> source_;
  AssumeRoleProviderOptions options_;
};

}  // namespace

std::shared_ptr<AssumeRoleCredentialsProvider> MakeAssumeRoleProvider(
    const SystemContext& sys, std::shared_ptr<CredentialsProvider> source,
    AssumeRoleProviderOptions options) {
  return std::make_shared<AssumeRoleProvider>(sys, std::move(source), std::move(options));
}

}  // namespace hubspoke
