// BlockCache: keeps large freed blocks (already faulted in) for the next allocation of a
// similar size, so a service that quantizes the same layer shapes again and again does not
// pay the page faults of fresh memory on every request (~14 us per 4 KiB page on these VMs).
//
// Blocks are keyed by their capacity. Take(size) returns the smallest cached block whose
// capacity is in [size, 2 * size] (so a small request never pins a huge block), or null.
// Put() keeps a block while the cache stays within its byte limit; otherwise it evicts the
// largest cached blocks first, and frees the block itself if it alone is over the limit.
// Thread-safe. Blocks must come from std::aligned_alloc / std::malloc (they are freed with
// std::free).
#ifndef MODELPRESS_CORE_TENSOR_BLOCK_CACHE_H_
#define MODELPRESS_CORE_TENSOR_BLOCK_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

namespace modelpress {

class BlockCache {
 public:
  explicit BlockCache(size_t limit_bytes) : limit_bytes_(limit_bytes) {}
  ~BlockCache();
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  // A cached block of capacity in [size_bytes, 2 * size_bytes] (written to *capacity), or
  // null when none fits.
  uint8_t* Take(size_t size_bytes, size_t* capacity);
  // Hands `block` (of `capacity` bytes) to the cache, which keeps or frees it.
  void Put(uint8_t* block, size_t capacity);

  // Changes the limit; evicts down to it at once. 0 disables caching.
  void SetLimitBytes(size_t limit_bytes);
  size_t cached_bytes() const;
  // Takes that found a block / found none, since construction.
  int64_t hits() const;
  int64_t misses() const;

  // The process-wide cache behind AlignedBuffer (limit 1 GiB until changed).
  static BlockCache& Global();

 private:
  // Moves the largest blocks to *to_free until at most target_bytes stay cached.
  void EvictLocked(size_t target_bytes, std::vector<uint8_t*>* to_free);

  mutable std::mutex mu_;
  std::multimap<size_t, uint8_t*> blocks_;
  size_t cached_bytes_ = 0;
  size_t limit_bytes_;
  int64_t hits_ = 0;
  int64_t misses_ = 0;
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_TENSOR_BLOCK_CACHE_H_
