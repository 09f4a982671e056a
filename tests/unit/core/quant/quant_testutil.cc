#include "tests/unit/core/quant/quant_testutil.h"

#include <cmath>
#include <cstring>

#include "core/quant/scale.h"

namespace modelpress::testing {

Tensor MakeFloatTensor(const Shape& shape, const std::vector<float>& values) {
  Tensor tensor = Tensor::Create("t", DType::kFloat32, shape);
  std::memcpy(tensor.bytes(), values.data(), values.size() * sizeof(float));
  return tensor;
}

Tensor RandomTensor(const Shape& shape, uint32_t seed, float stddev) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, stddev);
  Tensor tensor = Tensor::Create("t", DType::kFloat32, shape);
  for (float& v : tensor.values<float>()) v = dist(rng);
  return tensor;
}

Tensor LaplaceTensor(const Shape& shape, uint32_t seed, float b) {
  std::mt19937 rng(seed);
  std::exponential_distribution<float> expo(1.0f / b);
  std::bernoulli_distribution sign(0.5);
  Tensor tensor = Tensor::Create("t", DType::kFloat32, shape);
  for (float& v : tensor.values<float>()) v = sign(rng) ? expo(rng) : -expo(rng);
  return tensor;
}

int64_t ReferenceParamIndex(const QuantScheme& scheme, const Shape& shape, int64_t flat_index) {
  if (scheme.granularity == Granularity::kPerTensor) return 0;
  const int rank = static_cast<int>(shape.size());
  const int axis = NormalizeAxis(scheme.axis, rank);
  // Unravel the flat index into coordinates.
  std::vector<int64_t> coord(rank);
  int64_t rest = flat_index;
  for (int d = rank - 1; d >= 0; --d) {
    coord[d] = rest % shape[d];
    rest /= shape[d];
  }
  if (scheme.granularity == Granularity::kPerChannel) return coord[axis];
  Shape param_shape = shape;
  param_shape[axis] /= scheme.group_size;
  coord[axis] /= scheme.group_size;
  int64_t index = 0;
  for (int d = 0; d < rank; ++d) index = index * param_shape[d] + coord[d];
  return index;
}

std::vector<int32_t> ReferenceQuantize(const Tensor& input, const QuantScheme& scheme,
                                       const QuantParams& params) {
  std::vector<int32_t> out;
  const auto values = input.values<float>();
  for (int64_t j = 0; j < input.num_elements(); ++j) {
    const int64_t p = ReferenceParamIndex(scheme, input.shape(), j);
    out.push_back(QuantizeValue(values[j], params.scales[p], params.zero_points[p], QMin(scheme),
                                QMax(scheme)));
  }
  return out;
}

std::vector<int32_t> Codes(const Tensor& codes) {
  std::vector<int32_t> out;
  for (int64_t j = 0; j < codes.num_elements(); ++j) {
    out.push_back(codes.dtype() == DType::kInt8 ? codes.values<int8_t>()[j]
                                                : codes.values<uint8_t>()[j]);
  }
  return out;
}

}  // namespace modelpress::testing
