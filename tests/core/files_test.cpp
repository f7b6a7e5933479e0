#include "axle/core/files.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/test_support.hpp"

namespace axle {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 07777;
}

TEST(FilesTest, AtomicWriteCreatesFileWithRequestedMode) {
  TempDir dir;
  auto path = dir.path() / "secret.key";
  ASSERT_TRUE(write_file_atomic(path, std::string_view("hello"), 0600).ok());
  EXPECT_EQ(mode_of(path), 0600u);
  auto content = read_file(path);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(*content, "hello");
}

TEST(FilesTest, AtomicWriteReplacesAndLeavesNoTemporaryFiles) {
  TempDir dir;
  auto path = dir.path() / "doc.json";
  ASSERT_TRUE(write_file_atomic(path, std::string_view("one"), 0644).ok());
  ASSERT_TRUE(write_file_atomic(path, std::string_view("two"), 0644).ok());
  EXPECT_EQ(*read_file(path), "two");
  EXPECT_EQ(mode_of(path), 0644u);
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(FilesTest, AtomicWriteIntoMissingDirectoryFailsWithPath) {
  auto r = write_file_atomic("/nonexistent-dir/x", std::string_view("a"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("/nonexistent-dir"), std::string::npos);
}

TEST(FilesTest, ReadRefusesOversizedFile) {
  TempDir dir;
  test::write_file(dir.path() / "big", std::string(100, 'x'));
  auto r = read_file(dir.path() / "big", 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(FilesTest, ReadMissingFileIsNotFound) {
  auto r = read_file("/nonexistent-file-for-axle");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

TEST(FilesTest, PrivateDirIsCreatedWith0700) {
  TempDir dir;
  auto p = dir.path() / "a" / "state";
  ASSERT_TRUE(ensure_private_dir(p).ok());
  EXPECT_EQ(mode_of(p), 0700u);
}

TEST(FilesTest, WorldWritableDirIsRefusedWithFix) {
  TempDir dir;
  auto p = dir.path() / "open";
  fs::create_directory(p);
  ::chmod(p.c_str(), 0777);
  auto r = ensure_private_dir(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(r.error().message.find("chmod 700"), std::string::npos);
}

TEST(FilesTest, FileInPlaceOfDirIsRefused) {
  TempDir dir;
  test::write_file(dir.path() / "f", "x");
  auto r = ensure_private_dir(dir.path() / "f");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace axle
