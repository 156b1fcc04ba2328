#include "thread_pool.h"

#include <chrono>
#include <stdexcept>
#include <string>

#include "openblas.h"

namespace alphadrop::runtime {

namespace {
// > 0 while this thread is inside the pool (a worker, or a caller running its share). A nested
// parallel_for then runs inline instead of deadlocking on dispatch_.
thread_local int tl_inside_pool = 0;

struct InsidePool {
    InsidePool() { ++tl_inside_pool; }
    ~InsidePool() { --tl_inside_pool; }
};

// Polls done() for up to ThreadPool::kSpinMicros; false if it never became true (then the caller blocks).
// No PAUSE in the loop: under KVM a PAUSE loop triggers pause-loop exits, and the hypervisor then
// deschedules the spinning vCPU, and a worker sees a new job much later (docs/performance.md).
template <class Done>
bool spin_until(Done done) {
    using Clock = std::chrono::steady_clock;
    const Clock::time_point deadline = Clock::now() + std::chrono::microseconds(ThreadPool::kSpinMicros);
    for (unsigned i = 1;; ++i) {
        if (done()) return true;
        if ((i & 63u) == 0 && Clock::now() > deadline) return done();
    }
}

}  // namespace

ThreadPool::ThreadPool(int n) {
    if (n < 1) throw std::invalid_argument("alphadrop::ThreadPool: threads must be >= 1, got " + std::to_string(n));
    openblas_set_num_threads(1);
    std::lock_guard<std::mutex> dispatch(dispatch_);
    start_workers(n);
}

ThreadPool::~ThreadPool() {
    std::lock_guard<std::mutex> dispatch(dispatch_);
    stop_workers();
}

int ThreadPool::threads() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return n_threads_;
}

void ThreadPool::start_workers(int n) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        n_threads_ = n;
    }
    stop_.store(false, std::memory_order_release);
    // Each worker starts from the generation current now, not from whenever it first gets scheduled:
    // a job published before a fresh worker runs must still be picked up by it.
    const uint64_t generation = generation_.load(std::memory_order_acquire);
    workers_.reserve(static_cast<size_t>(n - 1));
    for (int t = 1; t < n; ++t) workers_.emplace_back([this, t, generation] { worker_main(t, generation); });
}

void ThreadPool::stop_workers() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_.store(true, std::memory_order_release);
    }
    wake_.notify_all();
    for (std::thread& worker : workers_) worker.join();
    workers_.clear();
}

void ThreadPool::worker_main(int thread_id, uint64_t seen) {
    InsidePool inside;
    const auto has_work = [&] {
        return stop_.load(std::memory_order_acquire) || generation_.load(std::memory_order_acquire) != seen;
    };
    for (;;) {
        if (!spin_until(has_work)) {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, has_work);
        }
        if (stop_.load(std::memory_order_acquire)) return;
        seen = generation_.load(std::memory_order_acquire);
        if (!claim(seen)) continue;  // the caller finished this job without us
        // The caller's floating-point mode for this job (flushing subnormals or not): a worker computes
        // exactly what the caller would.
        _mm_setcsr(job_mxcsr_.load(std::memory_order_relaxed));
        run_range(thread_id);
        finished_.fetch_add(1, std::memory_order_acq_rel);
        // The caller may have stopped spinning; notifying under the mutex cannot be lost.
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_one();
    }
}

bool ThreadPool::claim(uint64_t generation) {
    const uint64_t id = (generation & 0xFFFFFFFFu) << 32;
    uint64_t v = job_.load(std::memory_order_acquire);
    for (;;) {
        if ((v & ~uint64_t(0xFFFFFFFFu)) != id || (v & kJobClosed) != 0) return false;
        if (job_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel, std::memory_order_acquire)) return true;
    }
}

void ThreadPool::run_range(int thread_id) {
    // Tasks are handed out one at a time, so a thread slowed by something else on its core (another
    // process, the JVM's own threads) simply takes fewer of them.
    for (;;) {
        const int64_t task = next_task_.fetch_add(1, std::memory_order_relaxed);
        if (task >= n_tasks_) return;
        try {
            fn_(context_, task, task + 1, thread_id);
        } catch (...) {
            next_task_.store(n_tasks_, std::memory_order_relaxed);  // no new tasks after a failure
            std::lock_guard<std::mutex> lock(mutex_);
            if (!error_) error_ = std::current_exception();
            return;
        }
    }
}

void ThreadPool::run(int64_t n_tasks, double work, TaskFn fn, void* context) {
    if (n_tasks <= 0) return;
    if (tl_inside_pool > 0 || n_tasks == 1 || work < kMinParallelWork) {
        fn(context, 0, n_tasks, 0);
        return;
    }
    std::lock_guard<std::mutex> dispatch(dispatch_);
    if (n_threads_ == 1) {
        InsidePool inside;
        fn(context, 0, n_tasks, 0);
        return;
    }
    fn_ = fn;
    context_ = context;
    n_tasks_ = n_tasks;
    next_task_.store(0, std::memory_order_relaxed);
    finished_.store(0, std::memory_order_relaxed);
    job_mxcsr_.store(_mm_getcsr(), std::memory_order_relaxed);  // published with the generation below
    {
        // Bumped under the mutex so a worker between its check and its wait cannot miss the notify.
        std::lock_guard<std::mutex> lock(mutex_);
        error_ = nullptr;
        const uint64_t generation = generation_.load(std::memory_order_relaxed) + 1;
        job_.store((generation & 0xFFFFFFFFu) << 32, std::memory_order_release);  // open, no claims yet
        generation_.store(generation, std::memory_order_release);
    }
    wake_.notify_all();
    {
        InsidePool inside;
        run_range(0);
    }
    // No tasks are left: close the job, then wait only for the workers that claimed it. A worker that
    // was descheduled (or asleep) before claiming is not waited for; it will find the job closed.
    const int claimed = static_cast<int>(job_.fetch_or(kJobClosed, std::memory_order_acq_rel) & kJobClaims);
    const auto all_done = [&] { return finished_.load(std::memory_order_acquire) == claimed; };
    if (!spin_until(all_done)) {
        std::unique_lock<std::mutex> lock(mutex_);
        done_.wait(lock, all_done);
    }
    std::exception_ptr error;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        error = error_;
        error_ = nullptr;
    }
    fn_ = nullptr;
    context_ = nullptr;
    if (error) std::rethrow_exception(error);
}

}  // namespace alphadrop::runtime
