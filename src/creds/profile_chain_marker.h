// The environment marker that carries, across credential_process helpers, the chain of profiles
// being resolved: a helper that calls this tool (or any tool that passes the environment on)
// and lands on a profile already being resolved is a loop, reported the first time it happens
// instead of starting processes without end.
#pragma once

#include <string>
#include <vector>

#include "hubspoke/system.h"

namespace hubspoke {

// Profile names, one per line (a profile name never holds a newline), outermost first.
inline constexpr char kProfileChainVar[] = "ASSUME_SPOKE_ROLE_PROFILE_CHAIN";
// Helpers nested deeper than this are refused even without a repeated profile.
inline constexpr std::size_t kMaxCredentialProcessNesting = 8;

// The chain our environment carries; empty when there is none.
std::vector<std::string> InheritedProfileChain(const Environment& env);
// The variable's value for `chain`.
std::string FormatProfileChain(const std::vector<std::string>& chain);
// "a → b → a"
std::string DescribeProfileChain(const std::vector<std::string>& chain);

}  // namespace hubspoke
