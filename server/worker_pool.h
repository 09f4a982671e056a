// WorkerPool: a fixed set of threads running submitted tasks from a bounded FIFO queue.
//
// TrySubmit never blocks: it returns false when the queue is full (the caller answers
// RESOURCE_EXHAUSTED) or the pool is stopping. Stop() lets queued tasks finish, then
// joins the threads; it is idempotent and run by the destructor. Thread-safe.
#ifndef MODELPRESS_SERVER_WORKER_POOL_H_
#define MODELPRESS_SERVER_WORKER_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace modelpress::server {

class WorkerPool {
 public:
  WorkerPool(int num_threads, int queue_capacity);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  bool TrySubmit(std::function<void()> task);
  void Stop();

  int queue_capacity() const { return queue_capacity_; }

 private:
  void RunWorker();

  const int queue_capacity_;
  absl::Mutex mutex_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace modelpress::server

#endif  // MODELPRESS_SERVER_WORKER_POOL_H_
