#include "axle/bus/executor.hpp"

#include <algorithm>
#include <atomic>
#include <climits>
#include <exception>
#include <map>
#include <utility>
#include <vector>

#include "axle/bus/wait_set.hpp"
#include "axle/core/clock.hpp"
#include "endpoint.hpp"
#include "futex.hpp"
#include "subscriber_status.hpp"

namespace axle::bus {

namespace detail {

class ExecutorState {
 public:
  struct Subscription {
    Subscriber subscriber;
    Executor::SubscriptionCallbacks callbacks;
    WaitSet::Id wait_id;
    std::int64_t next_liveliness_ns;
  };
  struct Fd {
    int fd;
    Executor::FdCallback callback;
    WaitSet::Id wait_id;
  };
  struct Timer {
    std::int64_t period_ns;
    std::int64_t next_due_ns;
    Executor::TimerCallback callback;
  };

  explicit ExecutorState(WaitSet set) : wait_set(std::move(set)) {}

  WaitSet wait_set;
  // Ordered by id, which is the order of registration.
  std::map<Executor::Id, Subscription> subscriptions;
  std::map<Executor::Id, Fd> fds;
  std::map<Executor::Id, Timer> timers;
  Executor::Id next_id = 1;
  std::atomic<bool> stop_requested{false};
  bool spinning = false;  // only the spinning thread reads or writes it
};

}  // namespace detail

using detail::ExecutorState;

namespace {

Error in_callback() {
  return make_error(ErrorCode::kFailedPrecondition,
                    "an executor's entries cannot change while it runs a callback");
}

// Clears the spinning flag however spin_once() ends.
struct SpinGuard {
  bool& flag;
  explicit SpinGuard(bool& f) : flag(f) { flag = true; }
  ~SpinGuard() { flag = false; }
};

}  // namespace

Result<Executor> Executor::create() {
  AXLE_TRY(WaitSet set, WaitSet::create());
  return Executor(std::make_unique<ExecutorState>(std::move(set)));
}

Executor::Executor(std::unique_ptr<ExecutorState> state) : state_(std::move(state)) {}
Executor::Executor(Executor&&) noexcept = default;
Executor& Executor::operator=(Executor&&) noexcept = default;
Executor::~Executor() = default;

Result<Executor::Id> Executor::add_subscription(Subscriber&& subscriber,
                                                SubscriptionCallbacks callbacks) {
  if (state_->spinning) return in_callback();
  if (subscriber.endpoint_ == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, "the subscriber was moved from");
  }
  if (!callbacks.on_sample) {
    return make_error(ErrorCode::kInvalidArgument, "a subscription needs a sample callback");
  }
  if (callbacks.on_deadline_missed && subscriber.options_.deadline.count() <= 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a deadline callback needs SubscriberOptions::deadline > 0");
  }
  if (callbacks.on_liveliness_changed && subscriber.options_.liveliness_check.count() <= 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a liveliness callback needs SubscriberOptions::liveliness_check > 0");
  }
  AXLE_TRY(const WaitSet::Id wait_id, state_->wait_set.add(subscriber));
  const Id id = state_->next_id++;
  // The first liveliness scan runs at the next spin and reports the publishers already there.
  state_->subscriptions.emplace(
      id, ExecutorState::Subscription{std::move(subscriber), std::move(callbacks), wait_id,
                                      monotonic_ns()});
  return id;
}

Result<Executor::Id> Executor::add_subscription(Subscriber&& subscriber, SampleCallback on_sample) {
  SubscriptionCallbacks callbacks;
  callbacks.on_sample = std::move(on_sample);
  return add_subscription(std::move(subscriber), std::move(callbacks));
}

Subscriber* Executor::subscriber(Id id) noexcept {
  auto it = state_->subscriptions.find(id);
  return it == state_->subscriptions.end() ? nullptr : &it->second.subscriber;
}

Result<Subscriber> Executor::remove_subscription(Id id) {
  if (state_->spinning) return in_callback();
  auto it = state_->subscriptions.find(id);
  if (it == state_->subscriptions.end()) {
    return make_error(ErrorCode::kNotFound, "no subscription " + std::to_string(id));
  }
  AXLE_RETURN_IF_ERROR(state_->wait_set.remove(it->second.wait_id));
  Subscriber out = std::move(it->second.subscriber);
  state_->subscriptions.erase(it);
  return out;
}

Result<Executor::Id> Executor::add_fd(int fd, FdCallback on_readable) {
  if (state_->spinning) return in_callback();
  if (!on_readable) return make_error(ErrorCode::kInvalidArgument, "an fd needs a callback");
  AXLE_TRY(const WaitSet::Id wait_id, state_->wait_set.add_fd(fd));
  const Id id = state_->next_id++;
  state_->fds.emplace(id, ExecutorState::Fd{fd, std::move(on_readable), wait_id});
  return id;
}

Result<Executor::Id> Executor::add_timer(std::chrono::nanoseconds period, TimerCallback on_tick) {
  if (state_->spinning) return in_callback();
  if (period.count() <= 0 || !on_tick) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a timer needs a positive period and a callback");
  }
  const Id id = state_->next_id++;
  state_->timers.emplace(
      id,
      ExecutorState::Timer{period.count(), detail::deadline_after(monotonic_ns(), period.count()),
                           std::move(on_tick)});
  return id;
}

Result<void> Executor::remove(Id id) {
  if (state_->spinning) return in_callback();
  if (state_->timers.erase(id) > 0) return axle::ok();
  auto it = state_->fds.find(id);
  if (it == state_->fds.end()) {
    return make_error(ErrorCode::kNotFound, "no fd or timer entry " + std::to_string(id));
  }
  AXLE_RETURN_IF_ERROR(state_->wait_set.remove(it->second.wait_id));
  state_->fds.erase(it);
  return axle::ok();
}

Result<std::size_t> Executor::spin_once(std::chrono::nanoseconds timeout) {
  ExecutorState& st = *state_;
  if (st.spinning) return in_callback();
  const SpinGuard guard(st.spinning);

  // Sleep until the first of: the caller's timeout, a timer, a deadline miss, a liveliness scan.
  const std::int64_t start = monotonic_ns();
  std::int64_t wake_at = detail::deadline_after(start, timeout.count());
  for (const auto& [id, t] : st.timers) wake_at = std::min(wake_at, t.next_due_ns);
  for (auto& [id, s] : st.subscriptions) {
    if (s.callbacks.on_deadline_missed) {
      wake_at = std::min(wake_at, s.subscriber.status_->next_deadline_check());
    }
    if (s.callbacks.on_liveliness_changed) wake_at = std::min(wake_at, s.next_liveliness_ns);
  }
  AXLE_TRY(const WaitSet::Ready ready,
           st.wait_set.wait(std::chrono::nanoseconds(std::max<std::int64_t>(0, wake_at - start))));

  std::size_t calls = 0;
  try {
    // 1. Due timers, earliest first.
    std::int64_t now = monotonic_ns();
    std::vector<std::pair<std::int64_t, Id>> due;
    for (const auto& [id, t] : st.timers) {
      if (t.next_due_ns <= now) due.emplace_back(t.next_due_ns, id);
    }
    std::sort(due.begin(), due.end());
    for (const auto& [when, id] : due) {
      ExecutorState::Timer& t = st.timers.at(id);
      t.next_due_ns = detail::deadline_after(t.next_due_ns, t.period_ns);
      if (t.next_due_ns <= now) t.next_due_ns = detail::deadline_after(now, t.period_ns);
      t.callback();
      ++calls;
    }
    // 2. Samples, bounded per subscription so that one busy topic cannot starve the others.
    for (auto& [id, s] : st.subscriptions) {
      if (!ready.has(s.wait_id)) continue;
      const std::uint32_t budget = s.subscriber.endpoint_->segment().params().queue_depth;
      for (std::uint32_t i = 0; i < budget; ++i) {
        AXLE_TRY(auto sample, s.subscriber.try_take());
        if (!sample) break;
        s.callbacks.on_sample(*sample);
        ++calls;
      }
    }
    // 3. Readable descriptors.
    for (auto& [id, f] : st.fds) {
      if (!ready.has(f.wait_id)) continue;
      f.callback(f.fd);
      ++calls;
    }
    // 4. Deadline misses (after taking, so samples just taken count as arrived), 5. liveliness.
    now = monotonic_ns();
    for (auto& [id, s] : st.subscriptions) {
      const detail::Endpoint& ep = *s.subscriber.endpoint_;
      if (s.callbacks.on_deadline_missed) {
        const DeadlineMissed missed =
            s.subscriber.status_->poll_deadline(ep.segment(), ep.slot(), now);
        if (missed.added > 0) {
          s.callbacks.on_deadline_missed(missed);
          ++calls;
        }
      }
      if (s.callbacks.on_liveliness_changed && s.next_liveliness_ns <= now) {
        s.next_liveliness_ns =
            detail::deadline_after(now, s.subscriber.options_.liveliness_check.count());
        for (const LivelinessChange& change : s.subscriber.status_->scan_liveliness(ep.segment())) {
          s.callbacks.on_liveliness_changed(change);
          ++calls;
        }
      }
    }
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("an executor callback threw: ") + e.what());
  } catch (...) {
    return make_error(ErrorCode::kInternal, "an executor callback threw a non-standard exception");
  }
  return calls;
}

Result<void> Executor::spin_for(std::chrono::nanoseconds duration) {
  const std::int64_t deadline = detail::deadline_after(monotonic_ns(), duration.count());
  while (true) {
    if (state_->stop_requested.exchange(false, std::memory_order_seq_cst)) return axle::ok();
    const std::int64_t now = monotonic_ns();
    if (now >= deadline) return axle::ok();
    AXLE_RETURN_IF_ERROR(spin_once(std::chrono::nanoseconds(deadline - now)));
  }
}

Result<void> Executor::spin() { return spin_for(std::chrono::nanoseconds(INT64_MAX)); }

void Executor::stop() noexcept {
  if (state_ == nullptr) return;
  state_->stop_requested.store(true, std::memory_order_seq_cst);
  state_->wait_set.notify();
}

}  // namespace axle::bus
