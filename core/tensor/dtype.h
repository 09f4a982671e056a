// DType: the element types modelpress stores and exchanges.
//
// Sub-byte integer types (kInt4, kUInt4, kInt2, kUInt2...) are not listed separately: a
// quantized tensor is stored as kInt8/kUInt8 codes, or packed two per byte (see
// core/quant/pack.h) when the scheme has at most 4 bits. ByteSize() is the size of one
// unpacked element.
#ifndef MODELPRESS_CORE_TENSOR_DTYPE_H_
#define MODELPRESS_CORE_TENSOR_DTYPE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace modelpress {

enum class DType : uint8_t {
  kFloat32,
  kInt8,
  kUInt8,
  kInt32,
  kInt64,
  kFloat64,
};

// Bytes per element.
size_t ByteSize(DType dtype);

// Lower-case name as used in reports and error messages ("float32", "int8", ...).
const char* DTypeName(DType dtype);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_TENSOR_DTYPE_H_
