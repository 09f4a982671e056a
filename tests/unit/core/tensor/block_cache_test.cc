#include "core/tensor/block_cache.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>
#include <vector>

#include "core/tensor/aligned_buffer.h"

namespace modelpress {
namespace {

uint8_t* NewBlock(size_t bytes) { return static_cast<uint8_t*>(std::malloc(bytes)); }

TEST(BlockCacheTest, ReturnsTheSmallestBlockWithinTwiceTheRequest) {
  BlockCache cache(1 << 20);
  uint8_t* small = NewBlock(1000);
  uint8_t* medium = NewBlock(3000);
  cache.Put(small, 1000);
  cache.Put(medium, 3000);
  EXPECT_EQ(cache.cached_bytes(), 4000u);

  size_t capacity = 0;
  // 1000 is too small for 1200; 3000 is over twice 1200: nothing fits.
  EXPECT_EQ(cache.Take(1200, &capacity), nullptr);
  EXPECT_EQ(cache.Take(1600, &capacity), medium);
  EXPECT_EQ(capacity, 3000u);
  EXPECT_EQ(cache.Take(900, &capacity), small);
  EXPECT_EQ(capacity, 1000u);
  EXPECT_EQ(cache.Take(900, &capacity), nullptr);
  EXPECT_EQ(cache.cached_bytes(), 0u);
  EXPECT_EQ(cache.hits(), 2);
  EXPECT_EQ(cache.misses(), 2);
  std::free(small);
  std::free(medium);
}

TEST(BlockCacheTest, StaysWithinItsLimitByEvictingTheLargestFirst) {
  BlockCache cache(10000);
  uint8_t* a = NewBlock(6000);
  uint8_t* b = NewBlock(3000);
  cache.Put(a, 6000);
  cache.Put(b, 3000);
  // 9000 + 4000 > 10000: the 6000-byte block goes, the new one stays.
  cache.Put(NewBlock(4000), 4000);
  EXPECT_EQ(cache.cached_bytes(), 7000u);
  size_t capacity = 0;
  EXPECT_EQ(cache.Take(5000, &capacity), nullptr);
  EXPECT_EQ(cache.Take(3000, &capacity), b);
  std::free(b);

  // A block over the whole limit is freed at once rather than flushing the cache.
  cache.Put(NewBlock(20000), 20000);
  EXPECT_EQ(cache.cached_bytes(), 4000u);

  cache.SetLimitBytes(0);
  EXPECT_EQ(cache.cached_bytes(), 0u);
  cache.Put(NewBlock(100), 100);
  EXPECT_EQ(cache.cached_bytes(), 0u);
}

TEST(BlockCacheTest, LargeAlignedBuffersReuseReleasedMemory) {
  const size_t bytes = AlignedBuffer::kHugePageThresholdBytes * 2;
  const uint8_t* first = nullptr;
  {
    AlignedBuffer buffer(bytes);
    first = buffer.data();
    buffer.data()[bytes - 1] = 7;
  }
  AlignedBuffer again(bytes - 4096);
  EXPECT_EQ(again.data(), first);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(again.data()) % AlignedBuffer::kAlignmentBytes, 0u);
  // A much smaller request does not take the big block.
  AlignedBuffer small(AlignedBuffer::kHugePageThresholdBytes / 2);
  EXPECT_NE(small.data(), first);
}

TEST(BlockCacheTest, ConcurrentBuffersNeverShareMemory) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 50;
  const size_t bytes = AlignedBuffer::kHugePageThresholdBytes;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        AlignedBuffer buffer(bytes + 4096 * static_cast<size_t>(t));
        const uint8_t mark = static_cast<uint8_t>(t * kRounds + round);
        for (size_t i = 0; i < buffer.size(); i += 4096) buffer.data()[i] = mark;
        std::this_thread::yield();
        for (size_t i = 0; i < buffer.size(); i += 4096) failures[t] += buffer.data()[i] != mark;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace modelpress
