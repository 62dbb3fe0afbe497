#include "creds/profile_chain_marker.h"

namespace hubspoke {

std::vector<std::string> InheritedProfileChain(const Environment& env) {
  std::vector<std::string> chain;
  auto value = env.Get(kProfileChainVar);
  if (!value || value->empty()) return chain;
  std::size_t start = 0;
  while (start <= value->size()) {
    std::size_t end = value->find('\n', start);
    if (end == std::string::npos) end = value->size();
    chain.push_back(value->substr(start, end - start));
    start = end + 1;
  }
  return chain;
}

std::string FormatProfileChain(const std::vector<std::string>& chain) {
  std::string out;
  for (const auto& name : chain) {
    if (!out.empty()) out += '\n';
    out += name;
  }
  return out;
}

std::string DescribeProfileChain(const std::vector<std::string>& chain) {
  std::string out;
  for (const auto& name : chain) {
    if (!out.empty()) out += " → ";
    out += name;
  }
  return out;
}

}  // namespace hubspoke
