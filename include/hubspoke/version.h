#pragma once

#include <string>

namespace hubspoke {

// What this copy of the library (and the CLI built with it) is: `assume-spoke-role version`
// prints it, and a library user can log it beside its own version. A bug report needs all four:
// the same version built from another commit, or running on another OpenSSL, is another program.
struct BuildInfo {
  std::string version;      // the project's version, "0.1.0"
  std::string git_commit;   // `git describe --always --dirty` of the source; "unknown" outside git
  std::string build_date;   // YYYY-MM-DD (UTC; $SOURCE_DATE_EPOCH's day when set)
  std::string openssl_built;   // the OpenSSL headers compiled against, "OpenSSL 3.0.17 1 Jul 2025"
  std::string openssl_linked;  // the OpenSSL running now (OpenSSL_version): the system's libssl
                               // for a shared build, which a security update replaces
  std::string openssl_library;  // the shared object OpenSSL runs from
                                // ("/lib/x86_64-linux-gnu/libcrypto.so.3"); empty when OpenSSL is
                                // linked into the program (the portable static build)
};

BuildInfo GetBuildInfo();

}  // namespace hubspoke
