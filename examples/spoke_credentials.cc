// The library in use, like the Go tool's README example: base credentials from the environment,
// assume the hub role, chain into the spoke role, print the spoke session as env lines.
//
//   spoke_credentials_example HUB_ACCOUNT SPOKE_ACCOUNT HUB_ROLE SPOKE_ROLE [EXTERNAL_ID]
#include <cstdio>
#include <iostream>

#include "hubspoke/hubspoke.h"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr,
                 "usage: %s HUB_ACCOUNT SPOKE_ACCOUNT HUB_ROLE SPOKE_ROLE [EXTERNAL_ID]\n",
                 argv[0]);
    return 2;
  }
  hubspoke::SpokeCredentialsInput input{
      .hub_account_id = argv[1],
      .spoke_account_id = argv[2],
      .hub_role_name = argv[3],
      .spoke_role_name = argv[4],
      .external_id = argc > 5 ? argv[5] : "",  // only if you need it
      .session_string = "me@example.com",      // optional
  };
  // Reads AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, AWS_REGION and
  // AWS_ENDPOINT_URL(_STS) from the environment.
  auto spoke = hubspoke::GetSpokeCredentials(input);
  if (!spoke) {
    std::fprintf(stderr, "could not get credentials for the spoke account: %s\n",
                 spoke.error().ToString().c_str());
    return 1;
  }
  const hubspoke::Credentials& c = spoke->credentials;
  std::cout << "AWS_ACCESS_KEY_ID=" << c.access_key_id << "\n"
            << "AWS_SECRET_ACCESS_KEY=" << c.secret_access_key.reveal() << "\n"
            << "AWS_SECURITY_TOKEN=" << c.session_token.reveal() << "\n"
            << "AWS_SESSION_TOKEN=" << c.session_token.reveal() << "\n"
            << "ASSUMED_ROLE_ARN=" << spoke->assumed_role_arn << "\n";
  return 0;
}
