#include "cli/cli_docs.h"

#include <algorithm>
#include <cstdint>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

namespace hubspoke::cli {
namespace {

// ----------------------------------------------------------------------------------------------
// The table: what the CLI11 tree says about a command and its options.

enum class ValueKind { kNone, kText, kChoices, kFile, kDir, kProfile };

struct OptionDoc {
  std::vector<std::string> longs;   // "hub-account"
  std::vector<std::string> shorts;  // "v"
  std::string positional;           // "FILE" for a positional argument
  std::string type;                 // as --help shows it: "TEXT", "FILE", "{a,b}"
  std::string description;
  ValueKind value = ValueKind::kNone;
  std::vector<std::string> choices;
  bool repeatable = false;
  std::vector<std::string> envs;  // the variables its "[env …]" names
};

struct CommandDoc {
  std::vector<std::string> path;  // {"policy", "lint"}; empty for the root
  std::string description;
  std::string footer;
  std::vector<OptionDoc> options;
  std::vector<CommandDoc> subcommands;
  bool takes_child = false;  // `-- COMMAND [ARG…]` (its examples show one)

  std::string Name() const {  // "run", "policy lint", "" for the root
    std::string s;
    for (const auto& p : path) s += (s.empty() ? "" : " ") + p;
    return s;
  }
};

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

std::string Trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> EnvsIn(const std::string& description) {
  std::vector<std::string> envs;
  static const std::regex kEnvNote(R"(\[env ([^\]]*)\])");
  static const std::regex kVar(R"([A-Z][A-Z0-9]*_[A-Z0-9_]+)");
  for (std::sregex_iterator m(description.begin(), description.end(), kEnvNote), end; m != end;
       ++m) {
    std::string inside = (*m)[1];
    for (std::sregex_iterator v(inside.begin(), inside.end(), kVar); v != end; ++v) {
      envs.push_back(v->str());
    }
  }
  return envs;
}

OptionDoc DescribeOption(const CLI::Option& opt) {
  OptionDoc o;
  o.longs = opt.get_lnames();
  o.shorts = opt.get_snames();
  if (opt.get_positional()) o.positional = opt.get_name();
  o.type = opt.get_type_name();
  o.description = opt.get_description();
  o.envs = EnvsIn(o.description);
  o.repeatable = opt.get_expected_max() > 1;
  bool flag = opt.get_expected_max() == 0 || opt.get_type_size_max() == 0;
  if (flag && !opt.get_positional()) return o;
  o.value = ValueKind::kText;
  if (auto open = o.type.find('{'); open != std::string::npos) {
    auto close = o.type.find('}', open);
    o.choices = Split(o.type.substr(open + 1, close - open - 1), ',');
    for (auto& c : o.choices) c = Trim(c);
    o.value = ValueKind::kChoices;
  } else if (o.type == "FILE" || o.type == "FILE ...") {
    o.value = ValueKind::kFile;
  } else if (o.type == "DIR") {
    o.value = ValueKind::kDir;
  } else if (std::find(o.longs.begin(), o.longs.end(), "profile") != o.longs.end()) {
    o.value = ValueKind::kProfile;
  }
  return o;
}

CommandDoc Describe(const CLI::App& app, std::vector<std::string> path) {
  CommandDoc c;
  c.path = std::move(path);
  c.description = app.get_description();
  c.footer = app.get_footer();
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    c.options.push_back(DescribeOption(*opt));
  }
  c.takes_child = c.footer.find(" -- ") != std::string::npos && !c.path.empty();
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_group().empty()) continue;  // hidden: tools, not for users
    auto sub_path = c.path;
    sub_path.push_back(sub->get_name());
    c.subcommands.push_back(Describe(*sub, sub_path));
  }
  return c;
}

std::string FirstSentence(const std::string& description) {
  std::string s = description.substr(0, description.find(" ["));
  if (auto dot = s.find(". "); dot != std::string::npos) s = s.substr(0, dot);
  if (auto paren = s.find(" ("); paren != std::string::npos && paren > 20) s = s.substr(0, paren);
  if (s.size() > 90) s = s.substr(0, 87) + "...";
  return s;
}

// ----------------------------------------------------------------------------------------------
// The footer, cut into the man page's sections.

struct Footer {
  std::vector<std::string> description;  // blocks
  std::map<std::string, std::vector<std::string>> sections;  // "EXAMPLES" → blocks
};

std::string SectionOf(const std::string& heading_line) {
  static const std::map<std::string, std::string> kHeadings = {
      {"Examples:", "EXAMPLES"},   {"Example:", "EXAMPLES"},
      {"Environment:", "ENVIRONMENT"}, {"Exit status:", "EXIT STATUS"},
      {"Exit statuses:", "EXIT STATUS"}, {"Files:", "FILES"}};
  auto it = kHeadings.find(Trim(heading_line));
  return it == kHeadings.end() ? "" : it->second;
}

Footer CutFooter(const std::string& text) {
  Footer f;
  std::vector<std::string> blocks;
  std::string block;
  for (const std::string& line : Split(text + "\n", '\n')) {
    if (Trim(line).empty()) {
      if (!block.empty()) blocks.push_back(block);
      block.clear();
    } else {
      block += line + "\n";
    }
  }
  if (!block.empty()) blocks.push_back(block);
  std::string section;
  for (const std::string& b : blocks) {
    std::string first = b.substr(0, b.find('\n'));
    if (std::string s = SectionOf(first); !s.empty()) {
      section = s;
      std::string rest = b.substr(first.size() + 1);
      if (!rest.empty()) f.sections[section].push_back(rest);
      continue;
    }
    bool indented = b[0] == ' ';
    if (!section.empty() && indented) {
      f.sections[section].push_back(b);
      continue;
    }
    section.clear();
    f.description.push_back(b);
  }
  return f;
}

// ----------------------------------------------------------------------------------------------
// roff (man(7)).

// Text for roff: backslashes and hyphens escaped, anything beyond ASCII as \[uXXXX] (so the page
// renders the same in any locale), and a line never starts with a control character.
std::string Roff(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else if (c < 0x80) {
      if ((c == '.' || c == '\'') && (out.empty() || out.back() == '\n')) out += "\\&";
      out += static_cast<char>(c);
    } else {
      int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
      std::uint32_t cp = c & (0x3F >> extra);
      for (int k = 0; k < extra && i + 1 < text.size(); ++k) {
        cp = (cp << 6) | (static_cast<unsigned char>(text[++i]) & 0x3F);
      }
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\[u%04X]", cp);
      out += buf;
    }
  }
  return out;
}

// A footer block: prose lines are filled; indented lines (examples, lists) keep their layout.
std::string RoffBlock(const std::string& block) {
  std::string out = ".PP\n";
  bool in_nf = false;
  for (const std::string& line : Split(block, '\n')) {
    if (line.empty()) continue;
    bool indented = line[0] == ' ';
    if (indented && !in_nf) {
      out += ".nf\n.RS 2\n";
      in_nf = true;
    } else if (!indented && in_nf) {
      out += ".RE\n.fi\n";
      in_nf = false;
    }
    if (indented) {
      // Two spaces of the footer's indent are the .RS's.
      std::string body = Roff(line.size() >= 2 ? line.substr(2) : line);
      if (body[0] == ' ') body = "\\&" + body;  // Roff() already guards '.' and '\''
      out += body + "\n";
    } else {
      out += Roff(line) + "\n";
    }
  }
  if (in_nf) out += ".RE\n.fi\n";
  return out;
}

std::string RoffOption(const OptionDoc& o) {
  std::string names;
  for (const auto& s : o.shorts) names += (names.empty() ? "" : ", ") + std::string("\\fB\\-") + s + "\\fR";
  for (const auto& l : o.longs) names += (names.empty() ? "" : ", ") + ("\\fB" + Roff("--" + l) + "\\fR");
  if (!o.positional.empty()) names = "\\fI" + Roff(o.positional) + "\\fR";
  std::string value;
  if (o.value != ValueKind::kNone && o.positional.empty()) {
    std::string t = o.type;
    if (auto colon = t.find(':'); colon != std::string::npos) t = t.substr(colon + 1);
    value = " \\fI" + Roff(t.empty() ? "VALUE" : t) + "\\fR";
  }
  return ".TP\n" + names + value + "\n" + Roff(o.description) + "\n";
}

constexpr const char* kDefaultExitStatus =
    "  0 success; 2 bad flags, environment or files (nothing was sent); 1 any other failure.\n";

std::string PageName(const CommandDoc& c) {
  std::string name = "assume-spoke-role";
  for (const auto& p : c.path) name += "-" + p;
  return name;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::toupper(ch); });
  return s;
}

bool HasLong(const CommandDoc& c, const std::string& name) {
  for (const auto& o : c.options)
    if (std::find(o.longs.begin(), o.longs.end(), name) != o.longs.end()) return true;
  for (const auto& s : c.subcommands)
    if (HasLong(s, name)) return true;
  return false;
}

void CollectEnvs(const CommandDoc& c, std::vector<std::pair<std::string, std::string>>& out,
                 std::set<std::string>& seen) {
  for (const auto& o : c.options) {
    if (o.longs.empty()) continue;
    for (const auto& e : o.envs) {
      if (seen.insert(e).second) out.emplace_back(e, "--" + o.longs[0]);
    }
  }
  for (const auto& s : c.subcommands) CollectEnvs(s, out, seen);
}

std::string ManPage(const CommandDoc& c, const CommandDoc& root, const std::string& date,
                    const std::string& version) {
  Footer footer = CutFooter(c.footer);
  std::string page_name = PageName(c);
  std::string out = ".\\\" Generated by `assume-spoke-role __man-pages` from the flags of --help: "
                    "do not edit.\n";
  out += ".TH " + Roff(Upper(page_name)) + " 1 \"" + date + "\" \"assume-spoke-role " + version +
         "\" \"User Commands\"\n";
  // No hyphenation, ragged right: flag names and variables stay whole.
  out += ".nh\n.ad l\n";
  // The root's description is "assume-spoke-role: what it is"; NAME wants only the second part.
  std::string what = c.description;
  if (auto colon = what.find(": "); c.path.empty() && colon != std::string::npos) {
    what = what.substr(colon + 2);
  }
  out += ".SH NAME\n" + Roff(page_name) + " \\- " + Roff(what) + "\n";
  out += ".SH SYNOPSIS\n.B " + Roff("assume-spoke-role" + (c.path.empty() ? "" : " " + c.Name())) +
         "\n";
  if (!c.subcommands.empty()) out += "\\fISUBCOMMAND\\fR ";
  out += "[\\fIOPTIONS\\fR]";
  for (const auto& o : c.options) {
    if (!o.positional.empty()) out += " \\fI" + Roff(o.positional) + "\\fR" + (o.repeatable ? "..." : "");
  }
  if (c.takes_child) out += " \\fB\\-\\-\\fR \\fICOMMAND\\fR [\\fIARG\\fR...]";
  out += "\n";

  out += ".SH DESCRIPTION\n" + Roff(c.description) + ".\n";
  for (const auto& b : footer.description) out += RoffBlock(b);

  out += ".SH OPTIONS\n";
  for (const auto& o : c.options) out += RoffOption(o);

  if (!c.subcommands.empty()) {
    out += c.path.empty() ? ".SH COMMANDS\n" : ".SH SUBCOMMANDS\n";
    for (const auto& s : c.subcommands) {
      if (c.path.empty()) {
        out += ".TP\n\\fB" + Roff(s.path.back()) + "\\fR\n" + Roff(s.description) + "; see \\fB" +
               Roff(PageName(s)) + "\\fR(1).\n";
        continue;
      }
      out += ".SS " + Roff(s.Name()) + "\n" + Roff(s.description) + ".\n";
      for (const auto& o : s.options) out += RoffOption(o);
    }
  }
  // A nested subcommand's own footer paragraphs, when they say more than the parent's.
  for (const auto& s : c.path.empty() ? std::vector<CommandDoc>{} : c.subcommands) {
    if (s.footer == c.footer || s.footer.empty()) continue;
    Footer sf = CutFooter(s.footer);
    for (auto& [name, blocks] : sf.sections) {
      for (auto& b : blocks) {
        auto& mine = footer.sections[name];
        if (std::find(mine.begin(), mine.end(), b) == mine.end()) mine.push_back(b);
      }
    }
  }

  out += ".SH ENVIRONMENT\n";
  std::vector<std::pair<std::string, std::string>> envs;
  std::set<std::string> seen;
  CollectEnvs(c, envs, seen);
  for (const auto& b : footer.sections["ENVIRONMENT"]) out += RoffBlock(b);
  if (!envs.empty()) {
    out += ".PP\nVariables read when a flag is not given (the flag beats its variable):\n";
    for (const auto& [env, flag] : envs) {
      out += ".TP\n\\fB" + Roff(env) + "\\fR\n" + Roff(flag) + "\n";
    }
  }
  if (footer.sections["ENVIRONMENT"].empty() && envs.empty()) {
    out += ".PP\nNo variables of its own.\n";
  }

  out += ".SH FILES\n";
  for (const auto& b : footer.sections["FILES"]) out += RoffBlock(b);
  bool any_file = !footer.sections["FILES"].empty();
  if (HasLong(c, "profile")) {
    any_file = true;
    out += ".TP\n\\fI~/.aws/config\\fR, \\fI~/.aws/credentials\\fR\n" +
           Roff("The shared AWS config and credentials files (AWS_CONFIG_FILE, "
                "AWS_SHARED_CREDENTIALS_FILE): profiles, regions, endpoints, keys.") +
           "\n.TP\n\\fI~/.aws/sso/cache/\\fR\n" +
           Roff("IAM Identity Center tokens of `aws sso login`.") + "\n";
  }
  if (HasLong(c, "cache")) {
    any_file = true;
    out += ".TP\n\\fI$XDG_RUNTIME_DIR/assume\\-spoke\\-role/\\fR, "
           "\\fI~/.cache/assume\\-spoke\\-role/\\fR\n" +
           Roff("The hub session cache of --cache (directory 0700, files 0600).") + "\n";
  }
  if (!any_file) out += ".PP\nNone of its own, except the files its flags name.\n";

  out += ".SH \"EXIT STATUS\"\n";
  auto& exits = footer.sections["EXIT STATUS"];
  if (exits.empty()) exits.push_back(kDefaultExitStatus);
  for (const auto& b : exits) out += RoffBlock(b);

  out += ".SH EXAMPLES\n";
  auto& examples = footer.sections["EXAMPLES"];
  if (examples.empty()) {
    examples.push_back("  assume-spoke-role " + c.Name() + (c.Name().empty() ? "" : " ") +
                       "--help\n");
  }
  for (const auto& b : examples) out += RoffBlock(b);

  out += ".SH \"SEE ALSO\"\n";
  std::string see;
  if (c.path.empty()) {
    for (const auto& s : root.subcommands) see += (see.empty() ? "" : ",\n") + ("\\fB" + Roff(PageName(s)) + "\\fR(1)");
  } else {
    see = "\\fBassume\\-spoke\\-role\\fR(1)";
  }
  out += see + ",\n\\fBaws\\fR(1)\n";
  return out;
}

void AllPages(const CommandDoc& c, const CommandDoc& root, const std::string& date,
              const std::string& version, std::map<std::string, std::string>& pages) {
  pages[PageName(c) + ".1"] = ManPage(c, root, date, version);
  if (c.path.empty()) {
    for (const auto& s : c.subcommands) AllPages(s, root, date, version, pages);
  }
}

// ----------------------------------------------------------------------------------------------
// Completions.

void Walk(const CommandDoc& c, const std::function<void(const CommandDoc&)>& f) {
  f(c);
  for (const auto& s : c.subcommands) Walk(s, f);
}

std::string Joined(const std::vector<std::string>& v, const std::string& sep = " ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

std::vector<std::string> OptionWords(const OptionDoc& o) {
  std::vector<std::string> w;
  for (const auto& s : o.shorts) w.push_back("-" + s);
  for (const auto& l : o.longs) w.push_back("--" + l);
  return w;
}

std::vector<std::string> SubNames(const CommandDoc& c) {
  std::vector<std::string> names;
  for (const auto& s : c.subcommands) names.push_back(s.path.back());
  return names;
}

std::string BashScript(const CommandDoc& root) {
  std::string subs, opts, valued, values;
  Walk(root, [&](const CommandDoc& c) {
    std::string key = "\"" + c.Name() + "\"";
    if (!c.subcommands.empty()) subs += "    " + key + ") echo \"" + Joined(SubNames(c)) + "\" ;;\n";
    std::vector<std::string> all, with_value;
    for (const auto& o : c.options) {
      auto words = OptionWords(o);
      all.insert(all.end(), words.begin(), words.end());
      if (o.value == ValueKind::kNone || !o.positional.empty()) continue;
      with_value.insert(with_value.end(), words.begin(), words.end());
      std::string action;
      switch (o.value) {
        case ValueKind::kChoices:
          action = "COMPREPLY=($(compgen -W \"" + Joined(o.choices) + "\" -- \"$cur\"))";
          break;
        case ValueKind::kFile: action = "_assume_spoke_role_files file"; break;
        case ValueKind::kDir: action = "_assume_spoke_role_files dir"; break;
        case ValueKind::kProfile:
          action = "_assume_spoke_role_profiles";
          break;
        default: action = "COMPREPLY=()"; break;
      }
      std::vector<std::string> cases;
      for (const auto& w : words) cases.push_back("\"" + c.Name() + " " + w + "\"");
      values += "    " + Joined(cases, "|") + ") " + action + " ;;\n";
    }
    for (const auto& o : c.options) {
      if (o.positional.empty()) continue;  // the first positional decides: its values or files
      values += "    \"" + c.Name() + " \") " +
                (o.value == ValueKind::kChoices
                     ? "COMPREPLY=($(compgen -W \"" + Joined(o.choices) + "\" -- \"$cur\"))"
                     : std::string("_assume_spoke_role_files file")) +
                " ;;\n";
      break;
    }
    if (c.takes_child) values += "    \"" + c.Name() + " --child\") ;;\n";
    opts += "    " + key + ") echo \"" + Joined(all) + "\" ;;\n";
    if (!with_value.empty()) valued += "    " + key + ") echo \" " + Joined(with_value) + " \" ;;\n";
  });
  std::string s = R"BASH(# bash completion for assume-spoke-role
# Generated by `assume-spoke-role completion bash` from the flags of --help: do not edit.
# Install: /usr/share/bash-completion/completions/assume-spoke-role, or
#   source <(assume-spoke-role completion bash)

_assume_spoke_role_subcommands() {
  case $1 in
)BASH" + subs + R"BASH(  esac
}
_assume_spoke_role_options() {
  case $1 in
)BASH" + opts + R"BASH(  esac
}
_assume_spoke_role_valued() {
  case $1 in
)BASH" + valued + R"BASH(  esac
}
_assume_spoke_role_files() {
  local IFS=$'\n'
  if [[ $1 == dir ]]; then COMPREPLY=($(compgen -d -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
  compopt -o filenames 2>/dev/null
}
# The profile names of the shared config files, as our own parser reads them. Filtered here,
# not with compgen -W, which would expand $(…) in a name: a config file is data, never code.
_assume_spoke_role_profiles() {
  local name
  COMPREPLY=()
  while IFS= read -r name; do
    [[ $name == "$cur"* ]] && COMPREPLY+=("$name")
  done < <("${COMP_WORDS[0]}" profiles --names 2>/dev/null)
}
# Completes the value of option $2 of command "$1"; 1 when $2 takes none.
_assume_spoke_role_value() {
  case "$1 $2" in
)BASH" + values + R"BASH(    *) return 1 ;;
  esac
}
_assume_spoke_role() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local path="" word i skip=0
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if ((skip)); then skip=0; continue; fi
    if [[ $word == -- ]]; then
      # The child command after --: a command name, then its arguments as files.
      if ((i == COMP_CWORD - 1)); then
        COMPREPLY=($(compgen -c -- "$cur"))
      else
        _assume_spoke_role_files file
      fi
      return 0
    fi
    case $word in
      -*=*) ;;
      -*) [[ $(_assume_spoke_role_valued "$path") == *" $word "* ]] && skip=1 ;;
      *)
        local subs=" $(_assume_spoke_role_subcommands "$path") "
        [[ $subs == *" $word "* ]] && path=${path:+$path }$word
        ;;
    esac
  done
  if [[ $prev == -* && $(_assume_spoke_role_valued "$path") == *" $prev "* ]]; then
    _assume_spoke_role_value "$path" "$prev"
    return 0
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_assume_spoke_role_options "$path")" -- "$cur"))
    return 0
  fi
  local subs=$(_assume_spoke_role_subcommands "$path")
  if [[ -n $subs ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  elif ! _assume_spoke_role_value "$path" ""; then
    COMPREPLY=($(compgen -W "$(_assume_spoke_role_options "$path")" -- "$cur"))
  fi
  return 0
}
complete -F _assume_spoke_role assume-spoke-role
)BASH";
  return s;
}

// Inside a zsh single-quoted _arguments spec: brackets and colons escaped, quotes closed.
std::string ZshText(const std::string& text) {
  std::string out;
  for (char ch : FirstSentence(text)) {
    if (ch == '[' || ch == ']' || ch == ':' || ch == '\\') out += '\\';
    if (ch == '\'') {
      out += "'\\''";
      continue;
    }
    out += ch;
  }
  return out;
}

std::string ZshFunction(const CommandDoc& c) {
  std::string fn = "_assume_spoke_role";
  for (const auto& p : c.path) fn += "__" + std::regex_replace(p, std::regex("-"), "_");
  std::string out = fn + "() {\n  local curcontext=\"$curcontext\" state line ret=1\n"
                         "  typeset -A opt_args\n  _arguments -C -s \\\n";
  for (const auto& o : c.options) {
    if (!o.positional.empty()) {
      out += "    '*:" + ZshText(o.positional) + ":_files' \\\n";
      continue;
    }
    auto words = OptionWords(o);
    std::string spec;
    std::string exclusion = words.size() > 1 ? "(" + Joined(words) + ")" : "";
    if (o.repeatable) exclusion = "*";
    if (words.size() > 1) {
      spec = "'" + exclusion + "'{" + Joined(words, ",") + "}'";
    } else {
      spec = "'" + exclusion + words[0];
    }
    spec += "[" + ZshText(o.description) + "]";
    switch (o.value) {
      case ValueKind::kNone: break;
      case ValueKind::kChoices: spec += ":value:(" + Joined(o.choices) + ")"; break;
      case ValueKind::kFile: spec += ":file:_files"; break;
      case ValueKind::kDir: spec += ":directory:_files -/"; break;
      case ValueKind::kProfile: spec += ":profile:_assume_spoke_role_profiles"; break;
      default: spec += ":value: "; break;
    }
    out += "    " + spec + "' \\\n";
  }
  if (!c.subcommands.empty()) {
    out += "    '1: :->command' '*:: :->argument' && ret=0\n";
    out += "  case $state in\n    command)\n      local -a commands\n      commands=(\n";
    for (const auto& s : c.subcommands) {
      out += "        '" + s.path.back() + ":" + ZshText(s.description) + "'\n";
    }
    out += "      )\n      _describe -t commands 'command' commands && ret=0 ;;\n";
    out += "    argument)\n      case $line[1] in\n";
    for (const auto& s : c.subcommands) {
      std::string sub_fn = fn + "__" + std::regex_replace(s.path.back(), std::regex("-"), "_");
      out += "        " + s.path.back() + ") " + sub_fn + " && ret=0 ;;\n";
    }
    out += "      esac ;;\n  esac\n  return ret\n}\n";
  } else if (c.takes_child) {
    out += "    '*::command:_normal' && ret=0\n  return ret\n}\n";
  } else {
    out += "    && ret=0\n  return ret\n}\n";
  }
  for (const auto& s : c.subcommands) out += ZshFunction(s);
  return out;
}

std::string ZshScript(const CommandDoc& root) {
  return "#compdef assume-spoke-role\n"
         "# zsh completion for assume-spoke-role\n"
         "# Generated by `assume-spoke-role completion zsh` from the flags of --help: do not edit.\n"
         "# Install: a directory of $fpath as _assume-spoke-role, or\n"
         "#   source <(assume-spoke-role completion zsh)  (after compinit)\n\n"
         "_assume_spoke_role_profiles() {\n"
         "  local -a profiles\n"
         "  profiles=(${(f)\"$(${words[1]:-assume-spoke-role} profiles --names 2>/dev/null)\"})\n"
         "  _describe -t profiles 'profile' profiles\n}\n\n" +
         ZshFunction(root) +
         "\nif [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
         "  _assume_spoke_role \"$@\"\nelse\n"
         "  compdef _assume_spoke_role assume-spoke-role\nfi\n";
}

std::string FishQuote(const std::string& text) {
  std::string out = "'";
  for (char ch : text) {
    if (ch == '\'' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "'";
}

std::string FishScript(const CommandDoc& root) {
  std::string out =
      "# fish completion for assume-spoke-role\n"
      "# Generated by `assume-spoke-role completion fish` from the flags of --help: do not edit.\n"
      "# Install: ~/.config/fish/completions/assume-spoke-role.fish, or\n"
      "#   assume-spoke-role completion fish | source\n\n"
      "complete -c assume-spoke-role -f\n";
  Walk(root, [&](const CommandDoc& c) {
    // The condition: this command's path was typed, and none of its subcommands yet.
    std::string cond;
    if (c.path.empty()) {
      cond = "__fish_use_subcommand";
    } else {
      for (const auto& p : c.path) cond += (cond.empty() ? "" : "; and ") + ("__fish_seen_subcommand_from " + p);
    }
    std::string leaf_cond = cond;
    if (!c.subcommands.empty() && !c.path.empty()) {
      leaf_cond += "; and not __fish_seen_subcommand_from " + Joined(SubNames(c));
    }
    for (const auto& s : c.subcommands) {
      out += "complete -c assume-spoke-role -n " + FishQuote(leaf_cond) + " -a " +
             FishQuote(s.path.back()) + " -d " + FishQuote(FirstSentence(s.description)) + "\n";
    }
    for (const auto& o : c.options) {
      if (!o.positional.empty()) {
        out += "complete -c assume-spoke-role -n " + FishQuote(cond) + " -F\n";
        continue;
      }
      std::string line = "complete -c assume-spoke-role -n " + FishQuote(cond);
      for (const auto& s : o.shorts) line += " -s " + s;
      for (const auto& l : o.longs) line += " -l " + l;
      switch (o.value) {
        case ValueKind::kNone: break;
        case ValueKind::kChoices: line += " -x -a " + FishQuote(Joined(o.choices)); break;
        case ValueKind::kFile: line += " -r -F"; break;
        case ValueKind::kDir: line += " -x -a '(__fish_complete_directories)'"; break;
        case ValueKind::kProfile:
          line += " -x -a '(assume-spoke-role profiles --names 2>/dev/null)'";
          break;
        default: line += " -x"; break;
      }
      out += line + " -d " + FishQuote(FirstSentence(o.description)) + "\n";
    }
  });
  return out;
}

}  // namespace

std::map<std::string, std::string> ManPages(const CLI::App& root, const std::string& date,
                                            const std::string& version) {
  CommandDoc doc = Describe(root, {});
  std::map<std::string, std::string> pages;
  AllPages(doc, doc, date, version, pages);
  return pages;
}

std::string CompletionScript(const CLI::App& root, const std::string& shell) {
  CommandDoc doc = Describe(root, {});
  if (shell == "bash") return BashScript(doc);
  if (shell == "zsh") return ZshScript(doc);
  if (shell == "fish") return FishScript(doc);
  return "";
}

}  // namespace hubspoke::cli
