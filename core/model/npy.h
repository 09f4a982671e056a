// NumPy .npy files <-> Tensor.
//
// Reads format versions 1.0, 2.0 and 3.0 (the header is an ASCII/UTF-8 Python dict literal
// with 'descr', 'fortran_order' and 'shape'). Supported dtypes are the little-endian
// '<f4' '<f8' '<i8' '<i4' and the single-byte '|u1' '|i1' ('<u1', '>i1'... are accepted for
// single bytes since byte order is meaningless there). Data must be C order.
//
// Errors (INVALID_ARGUMENT, naming the file and the field): bad magic, truncated header or
// data, 'fortran_order': True, big-endian multi-byte dtypes, unsupported dtypes, shapes with
// a zero or negative dimension. NOT_FOUND when the file cannot be opened.
//
// Writing always produces version 1.0 (2.0 if the header would exceed 65535 bytes), C
// order, little-endian, with the header padded so the data starts on a 64-byte boundary.
// A rank-0 tensor is written and read as shape ().
#ifndef MODELPRESS_CORE_MODEL_NPY_H_
#define MODELPRESS_CORE_MODEL_NPY_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/tensor/tensor.h"

namespace modelpress {

// Parses an in-memory .npy image. `name` becomes the tensor's name and prefixes errors.
absl::StatusOr<Tensor> ParseNpy(std::span<const uint8_t> bytes, std::string name);

// Reads `path`. The tensor is named after the file's stem ("w1" for ".../w1.npy").
absl::StatusOr<Tensor> ReadNpy(const std::string& path);

// Serialises `tensor` as a .npy image.
std::string SerializeNpy(const Tensor& tensor);

// Writes `tensor` to `path` (via a temporary file renamed over the target).
absl::Status WriteNpy(const Tensor& tensor, const std::string& path);

}  // namespace modelpress

#endif  // MODELPRESS_CORE_MODEL_NPY_H_
