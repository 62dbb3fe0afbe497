// Security: parsed JSON documents that held secrets (credential_process output, the SSO token
// cache, the SSO portal's answer) are overwritten before nlohmann frees their strings.
#pragma once

#include <nlohmann/json.hpp>

namespace hubspoke {

// Overwrites every string in `document` with NUL bytes (keys are left: they are not secret).
void WipeJsonStrings(nlohmann::json& document);

// Wipes a document when the scope that parsed it ends, whichever way it ends.
struct JsonWiper {
  nlohmann::json& document;
  ~JsonWiper() { WipeJsonStrings(document); }
};

}  // namespace hubspoke
