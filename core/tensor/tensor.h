// Tensor: a named, typed, row-major array that owns its bytes, or views someone else's.
//
// Tensor is the currency of core/: readers produce it, quantizers and pruners consume and
// produce it, the server converts it to and from the API's Tensor message. Construct
// through Tensor::Create (validates and allocates), Tensor::FromBytes (validates the byte
// count against the shape and copies) or Tensor::View (validates, does not copy).
#ifndef MODELPRESS_CORE_TENSOR_TENSOR_H_
#define MODELPRESS_CORE_TENSOR_TENSOR_H_

#include <cstdint>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "core/tensor/aligned_buffer.h"
#include "core/tensor/dtype.h"
#include "core/tensor/shape.h"

namespace modelpress {

class Tensor {
 public:
  Tensor() = default;

  // Allocates an uninitialised tensor. The shape must already be valid.
  static Tensor Create(std::string name, DType dtype, Shape shape);
  // Copies `bytes` (little-endian, row-major). INVALID_ARGUMENT if the byte count does not
  // equal NumElements(shape) * ByteSize(dtype).
  static absl::StatusOr<Tensor> FromBytes(std::string name, DType dtype, Shape shape,
                                          std::span<const uint8_t> bytes);
  // As FromBytes, but reads `bytes` in place: the Tensor must not outlive them. The first
  // non-const access copies them into a buffer of its own (copy on write), so a view never
  // writes through. Copies at once if `bytes` is not aligned for the dtype.
  static absl::StatusOr<Tensor> View(std::string name, DType dtype, Shape shape,
                                     std::span<const uint8_t> bytes);

  Tensor(Tensor&&) = default;
  Tensor& operator=(Tensor&&) = default;

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t num_elements() const { return NumElements(shape_); }
  size_t size_bytes() const { return view_.empty() ? buffer_.size() : view_.size(); }
  // True while the bytes are borrowed (see View).
  bool is_view() const { return !view_.empty(); }

  uint8_t* bytes() { return OwnedData(); }
  const uint8_t* bytes() const { return view_.empty() ? buffer_.data() : view_.data(); }
  template <typename T>
  std::span<T> values() {
    return {reinterpret_cast<T*>(OwnedData()), static_cast<size_t>(num_elements())};
  }
  template <typename T>
  std::span<const T> values() const {
    return {reinterpret_cast<const T*>(bytes()), static_cast<size_t>(num_elements())};
  }

  // Deep copy (Tensor is move-only to make copies of large buffers explicit).
  Tensor Clone() const;

 private:
  // The buffer, after copying borrowed bytes into it if this is a view.
  uint8_t* OwnedData();

  std::string name_;
  DType dtype_ = DType::kFloat32;
  Shape shape_;
  AlignedBuffer buffer_;
  std::span<const uint8_t> view_;  // non-empty only for a view
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_TENSOR_TENSOR_H_
