// The owner of an engine's compute threads: a small persistent std::thread pool, one per engine (so
// two engines never serialise each other). OpenBLAS is pinned to a single thread
// (openblas_set_num_threads(1)) and runs inside the pools' threads on their row ranges.
// Compiled for the baseline ISA only; kernels of every ISA call it.
//
// parallel_for(n_tasks, fn) calls fn(task, task + 1, thread_id) for every task, each task run by
// whichever thread takes it next (the calling thread is thread 0 and takes tasks too); below the work
// threshold, or with one thread, it calls fn(0, n_tasks, 0) inline. Kernels pick task boundaries that
// depend only on the problem shape and give each task its own outputs, so results are bit-identical
// for any number of threads and any assignment of tasks to threads.
//
// Waiting spins before it sleeps. Waking a sleeping thread is slow on a VM (the futex wake becomes an
// IPI to a halted vCPU), while a training step makes ~20 parallel calls a few hundred microseconds
// apart: sleeping workers made the small layers slower on 2 threads than on 1 (docs/performance.md).
// So a worker polls for the next job for kSpinMicros before it blocks, and the caller polls for the
// workers to finish the same way. The caller waits only for workers that joined the job before it ran
// out of tasks: one that was descheduled in the meantime does not hold the step up.
#pragma once

#include <xmmintrin.h>  // _mm_getcsr / _mm_setcsr (SSE: every x86-64 CPU)

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace alphadrop::runtime {

// Subnormal floats are flushed to zero (FTZ) and read as zero (DAZ) while a kernel runs: on the calling
// thread for the call, and on the pool's workers, which take the caller's MXCSR for each job (so a kernel
// entry that does not flush, concrete_mask, does not flush on the workers either); the caller's MXCSR is
// restored on the way out, so the JVM's own arithmetic is untouched. Why: Intel cores take a microcode assist on
// every multiply with a subnormal operand, and weights fed only by weight decay (a constant input
// column, such as two of the naval set's) decay into the subnormal range; results differ from the
// exact ones by less than 2^-126 per operation.
class FlushDenormals {
public:
    FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | kFtzDaz); }
    ~FlushDenormals() { _mm_setcsr(saved_); }
    FlushDenormals(const FlushDenormals&) = delete;
    FlushDenormals& operator=(const FlushDenormals&) = delete;

    static constexpr unsigned kFtzDaz = 0x8040u;  // MXCSR bit 15 (flush to zero) and bit 6 (denormals are zero)

private:
    unsigned saved_;
};

class ThreadPool {
public:
    using TaskFn = void (*)(void* context, int64_t task_begin, int64_t task_end, int thread_id);

    // A pool of n >= 1 threads (the calling thread counts as one: n - 1 workers are started).
    explicit ThreadPool(int n);
    // Joins the workers; no parallel_for may be running.
    ~ThreadPool();

    int threads() const;

    // Below this much work (roughly flops or element touches), run inline on the calling thread: waking
    // workers costs tens of microseconds. Task boundaries are the same either way.
    static constexpr double kMinParallelWork = 1 << 16;

    // How long a waiting thread polls before it blocks; longer than the gaps between the kernel calls
    // of one training step, short enough that an idle pool stops using the cores almost at once.
    static constexpr int kSpinMicros = 1000;

    template <class F>
    void parallel_for(int64_t n_tasks, F&& fn, double work = kMinParallelWork) {
        using Fn = std::remove_reference_t<F>;
        run(n_tasks, work,
            [](void* context, int64_t begin, int64_t end, int thread_id) {
                (*static_cast<Fn*>(context))(begin, end, thread_id);
            },
            const_cast<void*>(static_cast<const void*>(&fn)));
    }

    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

private:
    void start_workers(int n);  // requires dispatch_ held, no workers running
    void stop_workers();        // requires dispatch_ held
    void worker_main(int thread_id, uint64_t seen_generation);
    void run(int64_t n_tasks, double work, TaskFn fn, void* context);
    void run_range(int thread_id);
    bool claim(uint64_t generation);  // joins the job of that generation unless it is closed or gone

    std::mutex dispatch_;            // one parallel_for at a time
    mutable std::mutex mutex_;       // guards sleeping, error_ and n_threads_
    std::condition_variable wake_;   // workers block here for a new generation (after spinning)
    std::condition_variable done_;   // the caller blocks here for its claimed workers (after spinning)
    std::vector<std::thread> workers_;
    int n_threads_ = 1;
    // A job is published by writing the fields below and job_, then bumping generation_ (release); a
    // worker that sees the new generation (acquire) sees the job.
    std::atomic<bool> stop_{false};
    std::atomic<uint64_t> generation_{0};
    // The current job's claims: (generation mod 2^32) << 32 | closed flag | workers that joined. Workers
    // claim before they touch the job; the caller closes it when no tasks are left and waits for the
    // claimed ones only (finished_ counts those done).
    static constexpr uint64_t kJobClosed = uint64_t(1) << 31;
    static constexpr uint64_t kJobClaims = kJobClosed - 1;
    std::atomic<uint64_t> job_{0};
    std::atomic<int> finished_{0};
    TaskFn fn_ = nullptr;
    void* context_ = nullptr;
    int64_t n_tasks_ = 0;
    std::atomic<unsigned> job_mxcsr_{0};  // the caller's MXCSR, which workers take for the job
    std::atomic<int64_t> next_task_{0};  // the next task to hand out
    std::exception_ptr error_;
};

}  // namespace alphadrop::runtime
