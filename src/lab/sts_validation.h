// STS parameter validation as the service does it: every constraint of the model
// (../shared/testdata/sts/FACTS.md §2) is checked and all violations are reported in one
// ValidationError: "2 validation errors detected: Value 'x' at 'roleSessionName' failed to
// satisfy constraint: Member must …; Value …".
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/percent_encoding.h"
#include "hubspoke/result.h"

namespace hubspoke::lab {

// The first value of parameter `name`, or nullptr.
const std::string* FindParam(const FormParams& params, std::string_view name);
// Values of a list parameter: Prefix.member.1<field>, Prefix.member.2<field>, … (stops at the
// first gap).
std::vector<std::string> ListParam(const FormParams& params, std::string_view prefix,
                                   std::string_view field);

class ValidationErrors {
 public:
  // `member` is the model's camelCase member name ("roleSessionName").
  void Required(const std::string* value, std::string_view member);
  void Length(std::string_view value, std::string_view member, std::size_t min, std::size_t max);
  void Pattern(std::string_view value, std::string_view member, std::string_view pattern,
               const std::function<bool(unsigned char)>& allowed);
  // Parses an integer parameter; records an error and returns nullopt when it is not one or is
  // outside [min, max].
  std::optional<long long> Integer(const std::string& value, std::string_view member,
                                   long long min, long long max);
  void Add(std::string message);

  bool empty() const { return errors_.empty(); }
  // ValidationError 400 with the joined message.
  Error ToError() const;

 private:
  std::vector<std::string> errors_;
};

// Character classes of the STS model's patterns.
bool IsWordChar(unsigned char c);           // \w (ASCII letters, digits, '_')
bool SessionNameChar(unsigned char c);      // [\w+=,.@-]
bool ExternalIdChar(unsigned char c);       // [\w+=,.@:\/-]
bool SerialNumberChar(unsigned char c);     // [\w+=/:,.@-]
bool PrintableOrUnicode(unsigned char c);   // tab, LF, CR, 0x20–0x7E and UTF-8 bytes
bool TagChar(unsigned char c);              // [\p{L}\p{Z}\p{N}_.:/=+\-@] (UTF-8 bytes as letters)

}  // namespace hubspoke::lab
