#include "core/json.h"

#include <nlohmann/json.hpp>

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
