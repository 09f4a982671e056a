#include "core/tensor/block_cache.h"

#include <cstdlib>
#include <iterator>
#include <vector>

namespace modelpress {

BlockCache::~BlockCache() {
  for (auto& [capacity, block] : blocks_) std::free(block);
}

uint8_t* BlockCache::Take(size_t size_bytes, size_t* capacity) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = blocks_.lower_bound(size_bytes);
  if (it == blocks_.end() || it->first / 2 > size_bytes) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  uint8_t* block = it->second;
  *capacity = it->first;
  cached_bytes_ -= it->first;
  blocks_.erase(it);
  return block;
}

void BlockCache::Put(uint8_t* block, size_t capacity) {
  std::vector<uint8_t*> to_free;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (capacity > limit_bytes_) {
      to_free.push_back(block);
    } else {
      EvictLocked(limit_bytes_ - capacity, &to_free);
      blocks_.emplace(capacity, block);
      cached_bytes_ += capacity;
    }
  }
  // free() of a large block unmaps it, which can take a while: outside the lock.
  for (uint8_t* b : to_free) std::free(b);
}

void BlockCache::SetLimitBytes(size_t limit_bytes) {
  std::vector<uint8_t*> to_free;
  {
    std::lock_guard<std::mutex> lock(mu_);
    limit_bytes_ = limit_bytes;
    EvictLocked(limit_bytes_, &to_free);
  }
  for (uint8_t* b : to_free) std::free(b);
}

void BlockCache::EvictLocked(size_t target_bytes, std::vector<uint8_t*>* to_free) {
  // Largest first: they are the likeliest to be stale one-offs.
  while (cached_bytes_ > target_bytes) {
    auto largest = std::prev(blocks_.end());
    cached_bytes_ -= largest->first;
    to_free->push_back(largest->second);
    blocks_.erase(largest);
  }
}

size_t BlockCache::cached_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cached_bytes_;
}

int64_t BlockCache::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}

int64_t BlockCache::misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return misses_;
}

BlockCache& BlockCache::Global() {
  // Leaked on purpose: AlignedBuffers in static objects may be destroyed after it would be.
  static BlockCache* cache = new BlockCache(size_t{1} << 30);
  return *cache;
}

}  // namespace modelpress
