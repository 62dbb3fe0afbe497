#include "sts/sts_xml.h"

#include <pugixml.hpp>

#include "core/strings.h"
#include "core/time.h"

namespace hubspoke::sts {
namespace {

// Finds the first descendant element with local name `name` (namespace prefixes ignored).
pugi::xml_node Find(pugi::xml_node node, std::string_view name) {
  return node.find_node([&](pugi::xml_node n) {
    if (n.type() != pugi::node_element) return false;
    std::string_view full = n.name();
    std::size_t colon = full.find(':');
    return (colon == std::string_view::npos ? full : full.substr(colon + 1)) == name;
  });
}

std::string Text(pugi::xml_node node, std::string_view name) {
  pugi::xml_node n = Find(node, name);
  return n ? Trim(n.child_value()) : std::string();
}

// Session tokens never contain whitespace, but the docs samples wrap them over indented lines;
// drop all of it. (Only the token: whitespace inside a key id or secret key is left in place for
// the client's checks to refuse, src/sts/sts_response_check.h.)
std::string Token(pugi::xml_node node, std::string_view name) {
  std::string out;
  for (char c : Text(node, name))
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') out += c;
  return out;
}

Result<pugi::xml_document*> Load(pugi::xml_document& doc, std::string_view xml,
                                 std::string_view what) {
  pugi::xml_parse_result r = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default);
  if (!r) {
    return Error(ErrorCode::kParse, "STS " + std::string(what) + " response is not valid XML (" +
                                        r.description() + " at offset " +
                                        std::to_string(r.offset) + ")");
  }
  return &doc;
}

Error Missing(std::string_view what, std::string_view field) {
  return Error(ErrorCode::kParse,
               "STS " + std::string(what) + " response has no " + std::string(field));
}

// The <{action}Result> both AssumeRole and AssumeRoleWithWebIdentity return: Credentials,
// AssumedRoleUser, PackedPolicySize, SourceIdentity (the latter adds the web identity fields).
Result<AssumeRoleResponse> ParseRoleCredentialsResult(pugi::xml_document& doc,
                                                      const std::string& action,
                                                      pugi::xml_node* result_out) {
  pugi::xml_node result = Find(doc, action + "Result");
  if (!result) return Missing(action, action + "Result");
  pugi::xml_node creds = Find(result, "Credentials");
  if (!creds) return Missing(action, "Credentials");
  AssumeRoleResponse out;
  out.credentials.access_key_id = Text(creds, "AccessKeyId");
  out.credentials.secret_access_key = SecretString(Text(creds, "SecretAccessKey"));
  out.credentials.session_token = SecretString(Token(creds, "SessionToken"));
  if (out.credentials.access_key_id.empty()) return Missing(action, "AccessKeyId");
  if (out.credentials.secret_access_key.empty()) return Missing(action, "SecretAccessKey");
  if (out.credentials.session_token.empty()) return Missing(action, "SessionToken");
  std::string expiration = Text(creds, "Expiration");
  auto t = ParseTimestamp(expiration);
  if (!t) return std::move(t).error().Wrap("STS " + action + " response Expiration");
  out.credentials.expiration = *t;
  pugi::xml_node user = Find(result, "AssumedRoleUser");
  out.assumed_role_arn = Text(user, "Arn");
  out.assumed_role_id = Text(user, "AssumedRoleId");
  if (out.assumed_role_arn.empty()) return Missing(action, "AssumedRoleUser/Arn");
  std::string packed = Text(result, "PackedPolicySize");
  if (!packed.empty()) {
    try {
      out.packed_policy_size = std::stoi(packed);
    } catch (...) {
      return Error(ErrorCode::kParse,
                   "STS " + action + " response has a non-numeric PackedPolicySize");
    }
  }
  out.source_identity = Text(result, "SourceIdentity");
  out.request_id = Text(doc, "RequestId");
  *result_out = result;
  return out;
}

}  // namespace

Result<AssumeRoleResponse> ParseAssumeRoleResponse(std::string_view xml) {
  pugi::xml_document doc;
  if (auto r = Load(doc, xml, "AssumeRole"); !r) return std::move(r).error();
  pugi::xml_node result;
  return ParseRoleCredentialsResult(doc, "AssumeRole", &result);
}

Result<AssumeRoleResponse> ParseAssumeRoleWithWebIdentityResponse(std::string_view xml) {
  pugi::xml_document doc;
  if (auto r = Load(doc, xml, "AssumeRoleWithWebIdentity"); !r) return std::move(r).error();
  pugi::xml_node result;
  auto out = ParseRoleCredentialsResult(doc, "AssumeRoleWithWebIdentity", &result);
  if (!out) return out;
  out->subject_from_web_identity_token = Text(result, "SubjectFromWebIdentityToken");
  out->audience = Text(result, "Audience");
  out->provider = Text(result, "Provider");
  return out;
}

Result<CallerIdentity> ParseGetCallerIdentityResponse(std::string_view xml) {
  pugi::xml_document doc;
  if (auto r = Load(doc, xml, "GetCallerIdentity"); !r) return std::move(r).error();
  pugi::xml_node result = Find(doc, "GetCallerIdentityResult");
  if (!result) return Missing("GetCallerIdentity", "GetCallerIdentityResult");
  CallerIdentity out;
  out.account = Text(result, "Account");
  out.arn = Text(result, "Arn");
  out.user_id = Text(result, "UserId");
  out.request_id = Text(doc, "RequestId");
  if (out.arn.empty()) return Missing("GetCallerIdentity", "Arn");
  return out;
}


}  // namespace hubspoke::sts
