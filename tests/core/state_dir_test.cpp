#include "axle/core/state_dir.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "support/test_support.hpp"

namespace axle {
namespace {

using test::TempDir;

TEST(StateDirTest, DefaultDependsOnUser) {
  auto dir = default_state_dir();
  if (::geteuid() == 0) {
    EXPECT_EQ(dir, "/var/lib/axle");
  } else {
    EXPECT_NE(dir.string().find("axle"), std::string::npos);
  }
}

TEST(StateDirTest, WritesAreAtomicAndPrivate) {
  TempDir tmp;
  auto state = StateDir::open(tmp.path() / "state");
  ASSERT_TRUE(state.ok()) << state.error().to_string();
  ASSERT_TRUE(state->write("keys/device.key", "k").ok());
  EXPECT_TRUE(state->exists("keys/device.key"));
  EXPECT_EQ(*state->read("keys/device.key"), "k");
  struct stat st {};
  ASSERT_EQ(::stat((tmp.path() / "state/keys/device.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((tmp.path() / "state/keys").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(StateDirTest, NamesMayNotEscape) {
  TempDir tmp;
  auto state = StateDir::open(tmp.path());
  ASSERT_TRUE(state.ok());
  EXPECT_FALSE(state->file("../etc/passwd").ok());
  EXPECT_FALSE(state->file("/etc/passwd").ok());
  EXPECT_FALSE(state->write("a/../../x", "y").ok());
  EXPECT_FALSE(state->file("").ok());
}

TEST(StateDirTest, RelativePathBecomesAbsolute) {
  TempDir tmp;
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(tmp.path());
  auto state = StateDir::open("rel");
  std::filesystem::current_path(cwd);
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->path().is_absolute());
}

}  // namespace
}  // namespace axle
