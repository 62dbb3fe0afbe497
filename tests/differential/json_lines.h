// The differential drivers' loop: one JSON request per line on stdin, one JSON answer per line
// on stdout; a request that throws answers {"ok": false, "error": "driver: …"}.
#pragma once

#include <exception>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

namespace hubspoke::differential {

template <typename Fn>
int ServeJsonLines(Fn&& answer) {
  std::string line;
  while (std::getline(std::cin, line)) {
    nlohmann::json out;
    try {
      out = answer(nlohmann::json::parse(line));
    } catch (const std::exception& e) {
      out = {{"ok", false}, {"error", std::string("driver: ") + e.what()}};
    }
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
  return 0;
}

}  // namespace hubspoke::differential
