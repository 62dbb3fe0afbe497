// The line grammar of the AWS shared config and credentials files, before any naming rule:
// which lines are section headers, properties, continuations, sub-properties and comments.
// Naming (`[profile NAME]`, `[default]`, invalid names ignored) is sections.h's job, so that a
// syntax error is reported even inside a section whose name will later be ignored, as
// smithy-python and smithy-rs do.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/profile.h"
#include "hubspoke/result.h"

namespace hubspoke {

// One `[...]` header and the properties defined under it, up to the next header. A file that
// repeats a header yields one RawSection per occurrence; sections.h merges them in file order.
struct RawSection {
  std::string header;  // the trimmed text between '[' and ']': "profile foo", "default", "foo"
  int line = 0;        // 1-based line of the header
  std::map<std::string, ProfileValue> properties;  // keys lower-cased
};

// Splits `text` into sections. Errors are kInvalidArgument, one line, "path:line: what", and
// never quote a property's value or a continuation line (either may be a secret). `kind` only
// words the errors ("[profile NAME]" or "[NAME]").
Result<std::vector<RawSection>> ParseRawSections(std::string_view text, ProfileFileKind kind,
                                                 std::string_view path);

// True for the characters the SDKs accept in profile, section and property names:
// [A-Za-z0-9_\-/.%@:+]+ (the cross-SDK suite's "All valid identifier characters").
bool IsValidProfileIdentifier(std::string_view name);

}  // namespace hubspoke
