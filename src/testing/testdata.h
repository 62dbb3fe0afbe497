// Where the shared test vectors live: $HUBSPOKE_TESTDATA, else the path CMake compiled in.
// Tests that need them fail (never skip) when they are missing.
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace hubspoke::testing {

inline std::string TestdataDir() {
  if (const char* env = std::getenv("HUBSPOKE_TESTDATA"); env && *env) return env;
  return HUBSPOKE_TESTDATA_DIR;
}

// The whole file; empty string when it cannot be read (the caller asserts).
inline std::string ReadTestdata(const std::string& relative) {
  std::ifstream f(TestdataDir() + "/" + relative, std::ios::binary);
  if (!f) return "";
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace hubspoke::testing
