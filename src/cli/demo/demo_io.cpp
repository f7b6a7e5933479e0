#include "demo/demo_io.hpp"

#include <fmt/format.h>

#include <iostream>

namespace axle::cli::demo {

void DemoIo::say(const std::string& line) const {
  if (!json()) std::cout << line << '\n' << std::flush;
}

void DemoIo::step(std::string_view title) { say(fmt::format("\n== {}. {}", ++step_, title)); }

}  // namespace axle::cli::demo
