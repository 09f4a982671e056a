// Helpers shared by the core/quant unit tests: tensor builders and a scalar reference
// quantizer that walks (o, a, i) explicitly, independent of ParamLayout's segments.
#ifndef MODELPRESS_TESTS_UNIT_CORE_QUANT_QUANT_TESTUTIL_H_
#define MODELPRESS_TESTS_UNIT_CORE_QUANT_QUANT_TESTUTIL_H_

#include <cstdint>
#include <random>
#include <vector>

#include "core/quant/quant_params.h"
#include "core/quant/quant_scheme.h"
#include "core/tensor/tensor.h"

namespace modelpress::testing {

Tensor MakeFloatTensor(const Shape& shape, const std::vector<float>& values);
// Gaussian values with standard deviation `stddev`.
Tensor RandomTensor(const Shape& shape, uint32_t seed, float stddev = 1.0f);
// Laplace (heavy-tailed) values with scale b.
Tensor LaplaceTensor(const Shape& shape, uint32_t seed, float b = 1.0f);

// Element (o, a, i)'s param index, computed from first principles.
int64_t ReferenceParamIndex(const QuantScheme& scheme, const Shape& shape, int64_t flat_index);

// Scalar QuantizeValue per element with the reference param index.
std::vector<int32_t> ReferenceQuantize(const Tensor& input, const QuantScheme& scheme,
                                       const QuantParams& params);

// Decoded codes (int8 or uint8 tensor) as int32.
std::vector<int32_t> Codes(const Tensor& codes);

}  // namespace modelpress::testing

#endif  // MODELPRESS_TESTS_UNIT_CORE_QUANT_QUANT_TESTUTIL_H_
