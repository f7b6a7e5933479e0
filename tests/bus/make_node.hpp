// A Node for a test, or a test failure saying why it could not be created.
#pragma once

#include <gtest/gtest.h>

#include "axle/bus/node.hpp"

namespace axle::bus::test {

inline Node make_node(const char* name) {
  auto node = Node::create(name);
  EXPECT_TRUE(node.ok()) << node.error().to_string();
  return std::move(node).value();
}

}  // namespace axle::bus::test
