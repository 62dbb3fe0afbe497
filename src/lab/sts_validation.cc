#include "lab/sts_validation.h"

#include <charconv>

#include "lab/sigv4_verify.h"

namespace hubspoke::lab {

const std::string* FindParam(const FormParams& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::vector<std::string> ListParam(const FormParams& params, std::string_view prefix,
                                   std::string_view field) {
  std::vector<std::string> out;
  for (int i = 1; i <= 1000; ++i) {
    const std::string name =
        std::string(prefix) + ".member." + std::to_string(i) + std::string(field);
    const std::string* v = FindParam(params, name);
    if (!v) break;
    out.push_back(*v);
  }
  return out;
}

void ValidationErrors::Required(const std::string* value, std::string_view member) {
  if (!value) {
    errors_.push_back("Value null at '" + std::string(member) +
                      "' failed to satisfy constraint: Member must not be null");
  }
}

void ValidationErrors::Length(std::string_view value, std::string_view member, std::size_t min,
                              std::size_t max) {
  const std::string head = "Value '" + std::string(value) + "' at '" + std::string(member) +
                           "' failed to satisfy constraint: Member must have length ";
  if (value.size() < min) errors_.push_back(head + "greater than or equal to " + std::to_string(min));
  if (value.size() > max) errors_.push_back(head + "less than or equal to " + std::to_string(max));
}

void ValidationErrors::Pattern(std::string_view value, std::string_view member,
                               std::string_view pattern,
                               const std::function<bool(unsigned char)>& allowed) {
  for (char c : value) {
    if (!allowed(static_cast<unsigned char>(c))) {
      errors_.push_back("Value '" + std::string(value) + "' at '" + std::string(member) +
                        "' failed to satisfy constraint: Member must satisfy regular expression "
                        "pattern: " + std::string(pattern));
      return;
    }
  }
}

std::optional<long long> ValidationErrors::Integer(const std::string& value,
                                                   std::string_view member, long long min,
                                                   long long max) {
  long long n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || value.empty()) {
    errors_.push_back("Value '" + value + "' at '" + std::string(member) +
                      "' failed to satisfy constraint: Member must be a number");
    return std::nullopt;
  }
  const std::string head = "Value '" + value + "' at '" + std::string(member) +
                           "' failed to satisfy constraint: Member must have value ";
  if (n < min) {
    errors_.push_back(head + "greater than or equal to " + std::to_string(min));
    return std::nullopt;
  }
  if (n > max) {
    errors_.push_back(head + "less than or equal to " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

void ValidationErrors::Add(std::string message) { errors_.push_back(std::move(message)); }

Error ValidationErrors::ToError() const {
  std::string message = std::to_string(errors_.size()) + " validation error" +
                        (errors_.size() == 1 ? "" : "s") + " detected: ";
  for (std::size_t i = 0; i < errors_.size(); ++i) {
    if (i > 0) message += "; ";
    message += errors_[i];
  }
  return StsError(400, "ValidationError", message);
}

bool IsWordChar(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}
bool SessionNameChar(unsigned char c) {
  return IsWordChar(c) || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}
bool ExternalIdChar(unsigned char c) { return SessionNameChar(c) || c == ':' || c == '/'; }
bool SerialNumberChar(unsigned char c) { return ExternalIdChar(c); }
bool PrintableOrUnicode(unsigned char c) {
  return c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c != 0x7F);
}
bool TagChar(unsigned char c) {
  return IsWordChar(c) || c == ' ' || c == '.' || c == ':' || c == '/' || c == '=' || c == '+' ||
         c == '-' || c == '@' || c >= 0x80;
}

}  // namespace hubspoke::lab
