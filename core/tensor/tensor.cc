#include "core/tensor/tensor.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace modelpress {

Tensor Tensor::Create(std::string name, DType dtype, Shape shape) {
  Tensor tensor;
  tensor.name_ = std::move(name);
  tensor.dtype_ = dtype;
  tensor.buffer_ = AlignedBuffer(static_cast<size_t>(NumElements(shape)) * ByteSize(dtype));
  tensor.shape_ = std::move(shape);
  return tensor;
}

absl::StatusOr<Tensor> Tensor::FromBytes(std::string name, DType dtype, Shape shape,
                                         std::span<const uint8_t> bytes) {
  const size_t expected = static_cast<size_t>(NumElements(shape)) * ByteSize(dtype);
  if (bytes.size() != expected) {
    return absl::InvalidArgumentError(absl::StrCat("tensor '", name, "' has ", bytes.size(),
                                                   " bytes but shape ", ShapeToString(shape),
                                                   " of ", DTypeName(dtype), " needs ", expected));
  }
  Tensor tensor = Create(std::move(name), dtype, std::move(shape));
  if (expected > 0) std::memcpy(tensor.bytes(), bytes.data(), expected);
  return tensor;
}

Tensor Tensor::Clone() const {
  Tensor copy = Create(name_, dtype_, shape_);
  if (size_bytes() > 0) std::memcpy(copy.bytes(), bytes(), size_bytes());
  return copy;
}

}  // namespace modelpress
