// Fuzzes what a log's auditors read: signed notes, the checkpoint text inside them and verifier
// keys. Any bytes give a result or an error, never a crash; a checkpoint that parses formats back
// to text that parses to the same checkpoint.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "axle/audit/checkpoint.hpp"
#include "fuzz_support.hpp"

namespace {

// A fixed verifier: fuzzed notes are opened against a real key (they never verify, but every
// line of the note is parsed on the way).
const axle::audit::NoteVerifier& verifier() {
  static const auto v = [] {
    auto key = axle::crypto::PrivateKey::generate(axle::crypto::KeyType::kEd25519);
    axle::fuzz::require(key.ok());
    auto pub = key->public_key();
    axle::fuzz::require(pub.ok());
    auto made = axle::audit::NoteVerifier::create("axle/fuzz", *pub);
    axle::fuzz::require(made.ok());
    return *made;
  }();
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = axle::fuzz::as_text(data, size);
  (void)verifier().open(text);
  (void)axle::audit::NoteVerifier::from_vkey(text);
  auto parsed = axle::audit::parse_checkpoint(text);
  if (!axle::fuzz::accepted(parsed)) return 0;
  auto formatted = axle::audit::format_checkpoint(*parsed);
  axle::fuzz::require(formatted.ok());  // what the parser accepts, the formatter writes
  auto again = axle::audit::parse_checkpoint(*formatted);
  axle::fuzz::require(again.ok() && again->origin == parsed->origin &&
                      again->size == parsed->size && again->root == parsed->root &&
                      again->extensions == parsed->extensions);
  return 0;
}
