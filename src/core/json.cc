#include "core/json.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/json_wipe.h"

namespace hubspoke {

Result<std::string> CompactJson(std::string_view what, std::string_view text) {
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    if (!j.is_object()) {
      return Error(ErrorCode::kInvalidArgument,
                   std::string(what) + ": a policy document is a JSON object");
    }
    return j.dump(-1, ' ', /*ensure_ascii=*/true);
  } catch (const nlohmann::json::exception& e) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(what) + ": not valid JSON: " + e.what());
  }
}

std::string JsonQuote(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace hubspoke

namespace hubspoke {

void WipeJsonStrings(nlohmann::json& document) {
  if (document.is_string()) {
    auto& s = document.get_ref<std::string&>();
    std::fill(s.begin(), s.end(), '\0');
  } else if (document.is_structured()) {
    for (auto& child : document) WipeJsonStrings(child);
  }
}

}  // namespace hubspoke
