// Hand-written because the AWS config dialect is not INI as any library parses it: comments
// need whitespace before them only in values, an empty value opens sub-properties, indented
// lines continue values, and the cross-SDK suite pins every one of those rules.
#include "profile/parser.h"

#include <optional>
#include <utility>

#include "core/strings.h"
#include "profile/sections.h"

namespace hubspoke {
namespace {

// The SDKs trim only spaces and tabs (smithy-rs: WHITESPACE = [' ', '\t']).
constexpr std::string_view kBlank = " \t";
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

std::string_view TrimBlank(std::string_view s) {
  std::size_t begin = s.find_first_not_of(kBlank);
  if (begin == std::string_view::npos) return {};
  std::size_t end = s.find_last_not_of(kBlank);
  return s.substr(begin, end - begin + 1);
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Lines end with \n, \r\n or a lone \r, as for Java's BufferedReader and Python's splitlines.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
    if (text[end] == '\r' && start < text.size() && text[start] == '\n') ++start;
  }
  return lines;
}

// In a property's value, '#' or ';' starts a comment only after a space or tab
// ("value ; note" is "value", "value;note" is "value;note"). The '=' before the value does not
// count as whitespace, so "name =# x" is "# x", as in the Java SDK.
std::string_view StripValueComment(std::string_view value) {
  for (std::size_t i = 1; i < value.size(); ++i) {
    if ((value[i] == '#' || value[i] == ';') && IsBlank(value[i - 1])) return value.substr(0, i);
  }
  return value;
}

// Security: error messages quote section headers and property names, never a value or a whole
// property or continuation line — in a credentials file those carry secret keys.
class Parser {
 public:
  Parser(ProfileFileKind kind, std::string_view path) : kind_(kind), path_(path) {}

  Result<std::vector<RawSection>> Parse(std::string_view text) {
    // A byte-order mark from a Windows editor would otherwise make line 1 a malformed property.
    if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
    std::vector<std::string_view> lines = SplitLines(text);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      line_number_ = static_cast<int>(i) + 1;
      Status status = ParseLine(lines[i]);
      if (!status) return std::move(status).error();
    }
    return std::move(sections_);
  }

 private:
  Status ParseLine(std::string_view line) {
    if (TrimBlank(line).empty()) return Ok();
    // Indentation is checked before comments: after a property, "  # x" continues its value.
    if (IsBlank(line.front())) return ParseContinuation(TrimBlank(line));
    if (line.front() == '#' || line.front() == ';') return Ok();
    if (line.front() == '[') return ParseHeader(line);
    return ParseProperty(line);
  }

  Status ParseHeader(std::string_view line) {
    // A comment may touch the header ("[profile foo]; note"), and '#', ';' never occur in a
    // valid name, so the header ends at the first of them (Java and Rust SDKs).
    std::string_view header = line.substr(0, line.find_first_of("#;"));
    header = TrimBlank(header);
    if (header.size() < 2 || header.back() != ']') {
      return LineError("section header '" + Printable(header, 80) + "' must end with ']'");
    }
    std::string_view name = TrimBlank(header.substr(1, header.size() - 2));
    if (name.empty()) return LineError("section header '[]' has no name");
    sections_.push_back(RawSection{.header = std::string(name), .line = line_number_});
    property_.reset();
    skipping_continuations_ = false;
    return Ok();
  }

  Status ParseProperty(std::string_view line) {
    std::size_t equals = line.find('=');
    if (sections_.empty()) {
      // Only a plausible property name is quoted: a pasted session token ends with '='.
      std::string_view key =
          equals == std::string_view::npos ? "" : TrimBlank(line.substr(0, equals));
      std::string what = IsValidProfileIdentifier(key) && key.size() <= 64
                             ? "property '" + std::string(key) + "'"
                             : "this line";
      return LineError("expected a section header (" + ExpectedHeaders() + ") before " + what);
    }
    if (equals == std::string_view::npos) {
      return LineError("expected '=' in a property line ('name = value')");
    }
    std::string_view key = TrimBlank(line.substr(0, equals));
    if (key.empty()) return LineError("missing name before '=' in a property line");
    if (!IsValidProfileIdentifier(key)) {
      // The SDKs ignore a property with an invalid name, and its continuation lines with it.
      property_.reset();
      skipping_continuations_ = true;
      return Ok();
    }
    std::string_view value = TrimBlank(StripValueComment(line.substr(equals + 1)));
    std::string lower_key = ToLower(key);
    // A repeated property replaces the earlier one, sub-properties included.
    sections_.back().properties[lower_key] = ProfileValue{.value = std::string(value)};
    property_ = std::move(lower_key);
    skipping_continuations_ = false;
    return Ok();
  }

  // `trimmed` is an indented line without its surrounding blanks.
  Status ParseContinuation(std::string_view trimmed) {
    if (sections_.empty()) {
      return LineError("expected a section header (" + ExpectedHeaders() +
                       ") before this indented line");
    }
    if (skipping_continuations_) return Ok();
    if (!property_) {
      return LineError("expected a property ('name = value') before this continuation line");
    }
    ProfileValue& value = sections_.back().properties[*property_];
    // An empty value ("s3 =") makes the indented lines below it sub-properties. Comment
    // characters stay in continuation and sub-property values (cross-SDK suite).
    if (value.value.empty()) return ParseSubProperty(trimmed, value);
    value.value += '\n';
    value.value += trimmed;
    return Ok();
  }

  Status ParseSubProperty(std::string_view trimmed, ProfileValue& parent) {
    // The parent becomes a sub-property map on its first indented line, even when that line's
    // name is invalid and ignored (suite: "s3 =\n in valid = value" gives "s3": {}).
    parent.has_sub_properties = true;
    std::size_t equals = trimmed.find('=');
    if (equals == std::string_view::npos) {
      return LineError("expected '=' in a sub-property line under '" + *property_ +
                       "' ('name = value')");
    }
    std::string_view key = TrimBlank(trimmed.substr(0, equals));
    if (key.empty()) {
      return LineError("missing name before '=' in a sub-property line under '" + *property_ + "'");
    }
    if (!IsValidProfileIdentifier(key)) return Ok();
    parent.sub_properties[ToLower(key)] = std::string(TrimBlank(trimmed.substr(equals + 1)));
    return Ok();
  }

  std::string ExpectedHeaders() const {
    return kind_ == ProfileFileKind::kConfig ? "'[default]' or '[profile NAME]'" : "'[NAME]'";
  }

  Error LineError(const std::string& message) const {
    std::string where = path_.empty() ? "line " : std::string(path_) + ":";
    return Error(ErrorCode::kInvalidArgument,
                 where + std::to_string(line_number_) + ": " + message);
  }

  ProfileFileKind kind_;
  std::string_view path_;
  int line_number_ = 0;
  std::vector<RawSection> sections_;
  // The property that indented lines continue: none right after a header.
  std::optional<std::string> property_;
  // After a property with an invalid name: its indented lines are dropped too.
  bool skipping_continuations_ = false;
};

}  // namespace

bool IsValidProfileIdentifier(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              std::string_view("_-/.%@:+").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

Result<std::vector<RawSection>> ParseRawSections(std::string_view text, ProfileFileKind kind,
                                                 std::string_view path) {
  return Parser(kind, path).Parse(text);
}

Result<ProfileSet> ParseProfileFile(std::string_view text, ProfileFileKind kind,
                                    std::string_view path) {
  auto sections = ParseRawSections(text, kind, path);
  if (!sections) return std::move(sections).error();
  ProfileSet set = StandardizeSections(*sections, kind);
  (kind == ProfileFileKind::kConfig ? set.config_path : set.credentials_path) = std::string(path);
  return set;
}

}  // namespace hubspoke
