// A temporary directory for a benchmark's files, removed with everything in it when the object
// dies (also when the benchmark fails half-way).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace axle::bench {

class BenchTempDir {
 public:
  // Creates <parent>/<prefix>.XXXXXX; path() is empty when that failed.
  BenchTempDir(const std::filesystem::path& parent, const std::string& prefix) {
    std::string tmpl = (parent / (prefix + ".XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~BenchTempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  BenchTempDir(const BenchTempDir&) = delete;
  BenchTempDir& operator=(const BenchTempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace axle::bench
