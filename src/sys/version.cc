#include "hubspoke/version.h"

#include <string_view>

#include <dlfcn.h>

#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "hubspoke_build_info.h"  // generated on every build (cmake/BuildInfo.cmake)

namespace hubspoke {

BuildInfo GetBuildInfo() {
  BuildInfo info;
  info.version = HUBSPOKE_VERSION;
  info.git_commit = HUBSPOKE_GIT_COMMIT;
  info.build_date = HUBSPOKE_BUILD_DATE;
  info.openssl_built = OPENSSL_VERSION_TEXT;
  info.openssl_linked = OpenSSL_version(OPENSSL_VERSION);
  // Where the running OpenSSL_version comes from: a shared libcrypto, or the program itself
  // (in a static program dladdr finds no object, or names the program).
  Dl_info where{};
  if (dladdr(reinterpret_cast<const void*>(&OpenSSL_version), &where) != 0 && where.dli_fname &&
      std::string_view(where.dli_fname).find("libcrypto") != std::string_view::npos) {
    info.openssl_library = where.dli_fname;
  }
  return info;
}

}  // namespace hubspoke
