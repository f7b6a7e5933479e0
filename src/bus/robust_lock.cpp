#include "robust_lock.hpp"

#include <time.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace axle::bus::detail {

Result<void> init_robust_mutex(pthread_mutex_t& mutex) {
  pthread_mutexattr_t attr;
  if (pthread_mutexattr_init(&attr) != 0) {
    return make_error(ErrorCode::kInternal, "cannot initialize a mutex attribute");
  }
  int rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  if (rc == 0) rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  if (rc == 0) rc = pthread_mutex_init(&mutex, &attr);
  pthread_mutexattr_destroy(&attr);
  if (rc != 0) {
    return make_error(
        ErrorCode::kInternal,
        std::string("cannot create a robust process-shared mutex: ") + std::strerror(rc));
  }
  return axle::ok();
}

Result<RobustLock> RobustLock::acquire(pthread_mutex_t& mutex, std::int64_t timeout_ns,
                                       const std::function<void()>& repair) {
  // The uncontended case needs no deadline; and a holder that is already dead is reported here
  // (ThreadSanitizer models EOWNERDEAD for trylock and lock, not for timedlock).
  int rc = pthread_mutex_trylock(&mutex);
  if (rc == EBUSY) {
    // pthread_mutex_timedlock takes an absolute CLOCK_REALTIME deadline.
    timespec deadline{};
    clock_gettime(CLOCK_REALTIME, &deadline);
    const std::int64_t ns = static_cast<std::int64_t>(deadline.tv_nsec) + timeout_ns;
    deadline.tv_sec += static_cast<time_t>(ns / 1'000'000'000);
    deadline.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    rc = pthread_mutex_timedlock(&mutex, &deadline);
  }
  if (rc == EOWNERDEAD) {
    if (repair) repair();
    pthread_mutex_consistent(&mutex);
    return RobustLock(&mutex);
  }
  if (rc == 0) return RobustLock(&mutex);
  if (rc == ETIMEDOUT) {
    return make_error(
        ErrorCode::kTimeout,
        "a bus queue lock stayed held past the timeout; a participant may be stopped");
  }
  if (rc == ENOTRECOVERABLE) {
    return make_error(ErrorCode::kCorrupt,
                      "a bus queue lock is unrecoverable; remove the topic's segment and restart");
  }
  return make_error(ErrorCode::kInternal,
                    std::string("locking a bus queue failed: ") + std::strerror(rc));
}

RobustLock::~RobustLock() {
  if (mutex_ != nullptr) pthread_mutex_unlock(mutex_);
}

}  // namespace axle::bus::detail
