// AlignedBuffer: an owned, 64-byte aligned byte buffer.
//
// Buffers of at least kHugePageThresholdBytes are 2 MiB aligned and advised with
// MADV_HUGEPAGE: on these VMs a fresh 4 KiB page costs ~14 us to fault in, a huge page
// ~50x less per byte. Such buffers are also recycled through BlockCache::Global(), so the
// next buffer of a similar size reuses memory that is already faulted in. Contents are
// uninitialised unless Zeroed() is used. Move-only.
#ifndef MODELPRESS_CORE_TENSOR_ALIGNED_BUFFER_H_
#define MODELPRESS_CORE_TENSOR_ALIGNED_BUFFER_H_

#include <cstddef>
#include <cstdint>

namespace modelpress {

class AlignedBuffer {
 public:
  static constexpr size_t kAlignmentBytes = 64;
  static constexpr size_t kHugePageThresholdBytes = size_t{4} << 20;

  AlignedBuffer() = default;
  // Allocates `size_bytes` uninitialised bytes. Aborts only if the allocator does.
  explicit AlignedBuffer(size_t size_bytes);
  static AlignedBuffer Zeroed(size_t size_bytes);

  AlignedBuffer(AlignedBuffer&& other) noexcept;
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer();

  // Grows (never shrinks) the allocation so that it holds at least `size_bytes`; the
  // contents are not preserved. Lets hot paths reuse one buffer across calls.
  void EnsureCapacity(size_t size_bytes);

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

  template <typename T>
  T* As() {
    return reinterpret_cast<T*>(data_);
  }
  template <typename T>
  const T* As() const {
    return reinterpret_cast<const T*>(data_);
  }

 private:
  void Release();

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_TENSOR_ALIGNED_BUFFER_H_
