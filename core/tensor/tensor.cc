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

namespace {

absl::Status CheckByteCount(const std::string& name, DType dtype, const Shape& shape,
                            std::span<const uint8_t> bytes) {
  const size_t expected = static_cast<size_t>(NumElements(shape)) * ByteSize(dtype);
  if (bytes.size() != expected) {
    return absl::InvalidArgumentError(absl::StrCat("tensor '", name, "' has ", bytes.size(),
                                                   " bytes but shape ", ShapeToString(shape),
                                                   " of ", DTypeName(dtype), " needs ", expected));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Tensor> Tensor::FromBytes(std::string name, DType dtype, Shape shape,
                                         std::span<const uint8_t> bytes) {
  if (absl::Status status = CheckByteCount(name, dtype, shape, bytes); !status.ok()) return status;
  Tensor tensor = Create(std::move(name), dtype, std::move(shape));
  if (!bytes.empty()) std::memcpy(tensor.bytes(), bytes.data(), bytes.size());
  return tensor;
}

absl::StatusOr<Tensor> Tensor::View(std::string name, DType dtype, Shape shape,
                                    std::span<const uint8_t> bytes) {
  const bool aligned = reinterpret_cast<uintptr_t>(bytes.data()) % ByteSize(dtype) == 0;
  // An empty view would read as an owned empty buffer anyway.
  if (!aligned || bytes.empty()) return FromBytes(std::move(name), dtype, std::move(shape), bytes);
  if (absl::Status status = CheckByteCount(name, dtype, shape, bytes); !status.ok()) return status;
  Tensor tensor;
  tensor.name_ = std::move(name);
  tensor.dtype_ = dtype;
  tensor.shape_ = std::move(shape);
  tensor.view_ = bytes;
  return tensor;
}

uint8_t* Tensor::OwnedData() {
  if (!view_.empty()) {
    buffer_ = AlignedBuffer(view_.size());
    std::memcpy(buffer_.data(), view_.data(), view_.size());
    view_ = {};
  }
  return buffer_.data();
}

Tensor Tensor::Clone() const {
  Tensor copy = Create(name_, dtype_, shape_);
  if (size_bytes() > 0) std::memcpy(copy.bytes(), bytes(), size_bytes());
  return copy;
}

}  // namespace modelpress
