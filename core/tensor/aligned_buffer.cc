#include "core/tensor/aligned_buffer.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "core/tensor/block_cache.h"

namespace modelpress {
namespace {

constexpr size_t kHugePageBytes = size_t{2} << 20;

uint8_t* Allocate(size_t size_bytes, size_t* capacity) {
  if (size_bytes == 0) {
    *capacity = 0;
    return nullptr;
  }
  const bool huge = size_bytes >= AlignedBuffer::kHugePageThresholdBytes;
  if (huge) {
    if (uint8_t* block = BlockCache::Global().Take(size_bytes, capacity)) return block;
  }
  const size_t alignment = huge ? kHugePageBytes : AlignedBuffer::kAlignmentBytes;
  // aligned_alloc requires the size to be a multiple of the alignment.
  const size_t rounded = (size_bytes + alignment - 1) / alignment * alignment;
  void* memory = std::aligned_alloc(alignment, rounded);
  if (memory == nullptr) throw std::bad_alloc();
  if (huge) madvise(memory, rounded, MADV_HUGEPAGE);
  *capacity = rounded;
  return static_cast<uint8_t*>(memory);
}

}  // namespace

AlignedBuffer::AlignedBuffer(size_t size_bytes) : size_(size_bytes) {
  data_ = Allocate(size_bytes, &capacity_);
}

AlignedBuffer AlignedBuffer::Zeroed(size_t size_bytes) {
  AlignedBuffer buffer(size_bytes);
  if (size_bytes > 0) std::memset(buffer.data_, 0, size_bytes);
  return buffer;
}

AlignedBuffer::AlignedBuffer(AlignedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

AlignedBuffer::~AlignedBuffer() { Release(); }

void AlignedBuffer::EnsureCapacity(size_t size_bytes) {
  if (size_bytes > capacity_) {
    Release();
    data_ = Allocate(size_bytes, &capacity_);
  }
  size_ = size_bytes;
}

void AlignedBuffer::Release() {
  if (capacity_ >= kHugePageThresholdBytes) {
    BlockCache::Global().Put(data_, capacity_);
  } else {
    std::free(data_);
  }
  data_ = nullptr;
  size_ = 0;
  capacity_ = 0;
}

}  // namespace modelpress
