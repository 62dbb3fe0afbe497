#pragma once

#include <string>

namespace hubspoke::cli {

// The lines `version` and `--version` print: version, commit, build date, the OpenSSL running.
std::string VersionText();

}  // namespace hubspoke::cli
