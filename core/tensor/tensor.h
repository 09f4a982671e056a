// Tensor: a named, typed, row-major array that owns its bytes.
//
// Tensor is the currency of core/: readers produce it, quantizers and pruners consume and
// produce it, the server converts it to and from the API's Tensor message. Construct
// through Tensor::Create (validates and allocates) or Tensor::FromBytes (validates the
// byte count against the shape).
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

  Tensor(Tensor&&) = default;
  Tensor& operator=(Tensor&&) = default;

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t num_elements() const { return NumElements(shape_); }
  size_t size_bytes() const { return buffer_.size(); }

  uint8_t* bytes() { return buffer_.data(); }
  const uint8_t* bytes() const { return buffer_.data(); }
  template <typename T>
  std::span<T> values() {
    return {buffer_.As<T>(), static_cast<size_t>(num_elements())};
  }
  template <typename T>
  std::span<const T> values() const {
    return {buffer_.As<T>(), static_cast<size_t>(num_elements())};
  }

  // Deep copy (Tensor is move-only to make copies of large buffers explicit).
  Tensor Clone() const;

 private:
  std::string name_;
  DType dtype_ = DType::kFloat32;
  Shape shape_;
  AlignedBuffer buffer_;
};

}  // namespace modelpress

#endif  // MODELPRESS_CORE_TENSOR_TENSOR_H_
