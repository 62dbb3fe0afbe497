// ForEachSpoke in use: the multi-account service pattern in a few lines. Base credentials from
// the environment, one hub session for every spoke, each account's work on a bounded pool with
// its own spoke session, STS paced by the adaptive limiter, a result per account.
//
//   for_each_spoke_example HUB_ACCOUNT HUB_ROLE SPOKE_ROLE EXTERNAL_ID ACCOUNTS
//
// ACCOUNTS as for `fanout --spoke-accounts`: "888888888888,777777777777".
#include <cstdio>
#include <mutex>

#include "hubspoke/accounts.h"
#include "hubspoke/credentials_provider.h"
#include "hubspoke/fanout.h"
#include "hubspoke/system.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s HUB_ACCOUNT HUB_ROLE SPOKE_ROLE EXTERNAL_ID ACCOUNTS\n", argv[0]);
    return 2;
  }
  auto accounts = hubspoke::ParseAccountList(argv[5], "ACCOUNTS");
  if (!accounts) {
    std::fprintf(stderr, "%s\n", accounts.error().ToString().c_str());
    return 2;
  }
  hubspoke::RealSystem system;
  const hubspoke::SystemContext sys = system.context();
  // Reads AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN; AWS_REGION and
  // AWS_ENDPOINT_URL(_STS) are read by the chain as for GetSpokeCredentials.
  std::shared_ptr<hubspoke::CredentialsProvider> base =
      hubspoke::MakeEnvironmentCredentialsProvider(sys.env);

  hubspoke::ForEachSpokeOptions options{
      .input = {.hub_account_id = argv[1],
                .hub_role_name = argv[2],
                .spoke_role_name = argv[3],
                .external_id = argv[4]},
      .concurrency = 8,
  };
  std::mutex out;
  auto report = hubspoke::ForEachSpoke(
      sys, base, *accounts, options, [&](const hubspoke::SpokeTask& task) {
        // Called on a worker thread, once per account, with that spoke's session (it refreshes
        // itself; hand it to your AWS client). Here: check it and say who we are.
        auto creds = task.credentials->GetSharedCredentials();
        if (!creds) return hubspoke::SpokeOutcome::Failed(creds.error().ToString());
        std::lock_guard<std::mutex> lock(out);
        std::printf("%s %s\n", task.account.id.c_str(), task.assumed_role_arn.c_str());
        return hubspoke::SpokeOutcome::Ok();
      });
  if (!report) {  // bad input (before any request)
    std::fprintf(stderr, "%s\n", report.error().ToString().c_str());
    return 2;
  }
  for (const hubspoke::SpokeResult& r : report->results) {
    if (r.status != hubspoke::SpokeStatus::kOk) {
      std::fprintf(stderr, "%s %s: %s %s\n", r.account.id.c_str(),
                   hubspoke::SpokeStatusName(r.status), r.hop.c_str(), r.message.c_str());
    }
  }
  std::fprintf(stderr, "%zu ok, %zu failed, %llu STS attempts\n", report->ok, report->failed,
               static_cast<unsigned long long>(report->sts_attempts));
  return report->failed == 0 ? 0 : 1;
}
