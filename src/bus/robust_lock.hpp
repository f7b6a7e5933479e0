// A scoped lock on a robust, process-shared pthread mutex in shared memory. When the previous
// owner died holding it, the kernel hands it over with EOWNERDEAD; the guard then runs the
// caller's repair function (which makes the guarded state consistent again) before marking the
// mutex consistent. Waits are bounded: a lock that cannot be had within the timeout is an error.
#pragma once

#include <pthread.h>

#include <cstdint>
#include <functional>

#include "axle/core/result.hpp"

namespace axle::bus::detail {

// Initializes a mutex in shared memory as robust and process-shared.
Result<void> init_robust_mutex(pthread_mutex_t& mutex);

class RobustLock {
 public:
  // Locks `mutex` within `timeout_ns`; on EOWNERDEAD calls `repair` first.
  static Result<RobustLock> acquire(pthread_mutex_t& mutex, std::int64_t timeout_ns,
                                    const std::function<void()>& repair);
  RobustLock(RobustLock&& other) noexcept : mutex_(other.mutex_) { other.mutex_ = nullptr; }
  RobustLock& operator=(RobustLock&&) = delete;
  RobustLock(const RobustLock&) = delete;
  RobustLock& operator=(const RobustLock&) = delete;
  ~RobustLock();

 private:
  explicit RobustLock(pthread_mutex_t* mutex) : mutex_(mutex) {}
  pthread_mutex_t* mutex_;
};

}  // namespace axle::bus::detail
