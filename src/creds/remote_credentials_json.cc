#include "creds/remote_credentials_json.h"

#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "core/time.h"

namespace hubspoke {
namespace {

// Security: parse without exceptions, so no parser diagnostic (which quotes the text around the
// error, i.e. maybe the secret key) can reach a message. A discarded value means "not JSON".
nlohmann::json ParseQuietly(std::string_view body) {
  return nlohmann::json::parse(body.begin(), body.end(), /*cb=*/nullptr,
                               /*allow_exceptions=*/false);
}

// The string member `name`, nullopt when absent; *wrong_type when present but not a string.
std::optional<std::string> StringMember(const nlohmann::json& object, const char* name,
                                        bool* wrong_type) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    *wrong_type = true;
    return std::nullopt;
  }
  return it->get<std::string>();
}

// The first of the spellings present as a string ("Code" or "code").
std::string FirstString(const nlohmann::json& object, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    bool wrong_type = false;
    if (auto v = StringMember(object, name, &wrong_type)) return *v;
  }
  return "";
}

}  // namespace

Result<Credentials> ParseRemoteCredentialsJson(std::string_view source, std::string_view body,
                                               RemoteCredentialsRequirements requirements) {
  const std::string where(source);
  try {
    nlohmann::json doc = ParseQuietly(body);
    if (doc.is_discarded() || !doc.is_object()) {
      return Error(ErrorCode::kParse, where + ": the response is not a JSON object (" +
                                          std::to_string(body.size()) + " bytes, not shown)");
    }
    bool code_not_string = false;  // tolerated: only a string Code other than Success fails
    if (auto code = StringMember(doc, "Code", &code_not_string); code && *code != "Success") {
      std::string text = where + ": the service answered Code " + Printable(*code, 80);
      if (std::string message = FirstString(doc, {"Message", "message"}); !message.empty()) {
        text += ": " + Printable(message, 300);
      }
      return Error(ErrorCode::kMisconfigured, text);
    }
    Credentials c;
    bool wrong_type = false;
    std::optional<std::string> key = StringMember(doc, "AccessKeyId", &wrong_type);
    std::optional<std::string> secret = StringMember(doc, "SecretAccessKey", &wrong_type);
    std::optional<std::string> token = StringMember(doc, "Token", &wrong_type);
    std::optional<std::string> expiration = StringMember(doc, "Expiration", &wrong_type);
    if (wrong_type) {
      return Error(ErrorCode::kParse,
                   where + ": AccessKeyId, SecretAccessKey, Token and Expiration must be strings");
    }
    auto missing = [&](const char* field) {
      return Error(ErrorCode::kParse, where + ": the response has no " + std::string(field));
    };
    if (!key || Trim(*key).empty()) return missing("AccessKeyId");
    if (!secret || secret->empty()) return missing("SecretAccessKey");
    if (requirements.require_session_token && (!token || token->empty())) return missing("Token");
    if (requirements.require_expiration && (!expiration || Trim(*expiration).empty())) {
      return missing("Expiration");
    }
    c.access_key_id = Trim(*key);
    c.secret_access_key = SecretString(std::move(*secret));
    if (token) c.session_token = SecretString(std::move(*token));
    if (expiration && !Trim(*expiration).empty()) {
      Result<TimePoint> t = ParseTimestamp(Trim(*expiration));
      if (!t) return t.error().Wrap(where + ": Expiration");
      c.expiration = *t;
    }
    return c;
  } catch (const nlohmann::json::exception&) {
    // Unreachable with the checks above; kept so that no exception leaves the parser.
    return Error(ErrorCode::kParse, where + ": the response could not be read as credentials");
  }
}

std::optional<RemoteErrorDetails> ParseRemoteErrorJson(std::string_view body) {
  try {
    nlohmann::json doc = ParseQuietly(body);
    if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
    RemoteErrorDetails details{.code = Printable(FirstString(doc, {"Code", "code"}), 80),
                               .message = Printable(FirstString(doc, {"Message", "message"}), 300)};
    if (details.code.empty() && details.message.empty()) return std::nullopt;
    return details;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::string DescribeRemoteFailure(int status, std::string_view body) {
  std::string text = "HTTP " + std::to_string(status);
  if (std::optional<RemoteErrorDetails> details = ParseRemoteErrorJson(body)) {
    if (!details->code.empty()) text += ": " + details->code;
    if (!details->message.empty()) text += ": " + details->message;
    return text;
  }
  if (!body.empty()) text += " (" + std::to_string(body.size()) + "-byte body not shown)";
  return text;
}

}  // namespace hubspoke
