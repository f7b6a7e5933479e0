// Strict PEM → DER for certificate fields (private to axle::identity): only "CERTIFICATE" blocks
// of plain base64 separated by whitespace. Anything else (explanatory text, headers, other
// labels) gives nullopt, and the verifier then takes its uncached path, which hands the text to
// OpenSSL's lenient PEM reader as before; so this reader can only make caching less frequent,
// never make a document verify differently.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace axle::identity::detail {

std::optional<std::vector<std::vector<std::uint8_t>>> pem_certificates_der(std::string_view pem);

}  // namespace axle::identity::detail
