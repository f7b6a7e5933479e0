// Compiled by the ctest "core.secret_refuses_to_format", which passes only when this file FAILS to
// compile: a SecretBytes must never reach a log line or a formatted string.
#include <fmt/format.h>

#include "axle/core/secret.hpp"

std::string leak(const axle::SecretBytes& secret) { return fmt::format("{}", secret); }
