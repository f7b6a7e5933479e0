// Executor: runs callbacks for samples, readable file descriptors, timers, deadline misses and
// liveliness changes, one at a time on the thread that spins it (docs/bus.md, "Executor").
// It sleeps in a WaitSet; timers, deadlines and liveliness scans only shorten that sleep.
//
//   AXLE_TRY(auto exec, axle::bus::Executor::create());
//   AXLE_TRY(auto id, exec.add_subscription(std::move(sub), [](const Sample& s) { use(s); }));
//   AXLE_TRY(auto tick, exec.add_timer(std::chrono::milliseconds(100), [] { report(); }));
//   AXLE_RETURN_IF_ERROR(exec.spin_for(std::chrono::seconds(10)));   // or spin() until stop()
//
// Callbacks must not throw (an exception is caught and returned as kInternal by the spin call)
// and must not add or remove entries of the executor that runs them (kFailedPrecondition).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "axle/bus/status.hpp"
#include "axle/bus/subscriber.hpp"
#include "axle/core/result.hpp"

namespace axle::bus {

namespace detail {
class ExecutorState;
}

class Executor {
 public:
  using Id = std::uint32_t;
  using SampleCallback = std::function<void(const Sample&)>;
  using FdCallback = std::function<void(int fd)>;
  using TimerCallback = std::function<void()>;
  using DeadlineCallback = std::function<void(const DeadlineMissed&)>;
  using LivelinessCallback = std::function<void(const LivelinessChange&)>;

  struct SubscriptionCallbacks {
    SampleCallback on_sample;  // each sample, in queue order; the sample is released after it
    // Optional: SubscriberOptions::deadline elapsed without a sample (needs a deadline set).
    DeadlineCallback on_deadline_missed;
    // Optional: a publisher appeared or was lost; scans every SubscriberOptions::liveliness_check.
    LivelinessCallback on_liveliness_changed;
  };

  static Result<Executor> create();
  Executor(Executor&&) noexcept;
  Executor& operator=(Executor&&) noexcept;
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;
  ~Executor();

  // Takes ownership of `subscriber`; get it back with remove_subscription().
  Result<Id> add_subscription(Subscriber&& subscriber, SubscriptionCallbacks callbacks);
  Result<Id> add_subscription(Subscriber&& subscriber, SampleCallback on_sample);
  // The subscriber of a subscription (for its counters), or nullptr for an unknown id.
  [[nodiscard]] Subscriber* subscriber(Id id) noexcept;
  Result<Subscriber> remove_subscription(Id id);
  // `fd` stays the caller's and must stay open until removed; called while it is readable.
  Result<Id> add_fd(int fd, FdCallback on_readable);
  // First call one period from now, then every period (a late executor skips missed periods
  // rather than bursting).
  Result<Id> add_timer(std::chrono::nanoseconds period, TimerCallback on_tick);
  // Removes an fd or timer entry.
  Result<void> remove(Id id);

  // Waits up to `timeout` for work, then runs what is ready, in this order: due timers (by due
  // time), samples (subscriptions in the order added, up to queue-depth samples each), readable
  // descriptors (in the order added), deadline misses, liveliness changes. Returns the number
  // of callbacks run (0 on timeout).
  Result<std::size_t> spin_once(std::chrono::nanoseconds timeout);
  // spin_once() until `duration` has passed or stop() is called.
  Result<void> spin_for(std::chrono::nanoseconds duration);
  // spin_once() until stop() is called.
  Result<void> spin();
  // Makes spin()/spin_for() return soon (a stop that comes while not spinning ends the next
  // spin at once). Any thread, or a signal handler: an atomic store and a futex wake.
  void stop() noexcept;

 private:
  explicit Executor(std::unique_ptr<detail::ExecutorState> state);
  std::unique_ptr<detail::ExecutorState> state_;
};

}  // namespace axle::bus
