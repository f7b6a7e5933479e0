// The fixed sysfs/procfs trees of tests/identity/fixtures, copied into a temporary directory so
// that a test can change them.
#pragma once

#include <filesystem>
#include <string>

#include "axle/identity/fingerprint.hpp"
#include "support/test_support.hpp"

namespace axle::identity::test {

inline std::filesystem::path fixtures_dir() { return AXLE_IDENTITY_FIXTURES; }

class FixtureTree {
 public:
  explicit FixtureTree(const std::string& name = "tree_a") {
    std::filesystem::copy(fixtures_dir() / name, root(), std::filesystem::copy_options::recursive);
  }
  [[nodiscard]] std::filesystem::path root() const { return dir_.path() / "root"; }
  [[nodiscard]] std::filesystem::path state() const { return dir_.path() / "state"; }
  void write(const std::string& relative, const std::string& content) const {
    std::filesystem::create_directories((root() / relative).parent_path());
    axle::test::write_file(root() / relative, content);
  }
  void remove(const std::string& relative) const { std::filesystem::remove_all(root() / relative); }

  // Options reading this tree with no TPM (the default device below the root does not exist).
  [[nodiscard]] FingerprintOptions options() const {
    FingerprintOptions o;
    o.context.root = root();
    return o;
  }

 private:
  axle::test::TempDir dir_;
};

}  // namespace axle::identity::test
