// ONNX backend node tests for QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear
// (Debian's libonnx-testdata), run bit-exactly through the core API:
//   QuantizeLinear(x, y_scale, y_zero_point)  -> QuantizeTensor with explicit params
//   DequantizeLinear(x, x_scale, x_zero_point) -> DequantizeTensor
//   DynamicQuantizeLinear(x)                   -> QuantizeTensor, uint8 asymmetric min-max
// A scalar scale means per tensor, a 1-D scale per channel along the node's `axis`
// (default 1). Expanded variants use the same data and are checked the same way.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/quant/quantize_tensor.h"

namespace modelpress {
namespace {

namespace fs = std::filesystem;

const char kNodeTestRoot[] = "/usr/share/libonnx-testdata/data/node";

onnx::TensorProto ReadTensorProto(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  onnx::TensorProto proto;
  EXPECT_TRUE(proto.ParseFromString(bytes.str())) << path;
  return proto;
}

onnx::ModelProto ReadModel(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  onnx::ModelProto model;
  EXPECT_TRUE(model.ParseFromString(bytes.str())) << path;
  return model;
}

Shape ShapeOf(const onnx::TensorProto& proto) {
  return Shape(proto.dims().begin(), proto.dims().end());
}

std::vector<float> Floats(const onnx::TensorProto& proto) {
  EXPECT_EQ(proto.data_type(), onnx::TensorProto::FLOAT);
  if (!proto.raw_data().empty()) {
    std::vector<float> out(proto.raw_data().size() / sizeof(float));
    std::memcpy(out.data(), proto.raw_data().data(), proto.raw_data().size());
    return out;
  }
  return {proto.float_data().begin(), proto.float_data().end()};
}

// uint8/int8 payloads as int32 (raw bytes, or ONNX's int32_data for 8-bit types).
std::vector<int32_t> Ints(const onnx::TensorProto& proto) {
  const bool is_signed = proto.data_type() == onnx::TensorProto::INT8;
  std::vector<int32_t> out;
  if (!proto.raw_data().empty()) {
    for (char c : proto.raw_data()) {
      out.push_back(is_signed ? static_cast<int32_t>(static_cast<int8_t>(c))
                              : static_cast<int32_t>(static_cast<uint8_t>(c)));
    }
    return out;
  }
  return {proto.int32_data().begin(), proto.int32_data().end()};
}

std::vector<int32_t> CodesOf(const Tensor& codes) {
  std::vector<int32_t> out;
  for (int64_t j = 0; j < codes.num_elements(); ++j) {
    out.push_back(codes.dtype() == DType::kInt8 ? codes.values<int8_t>()[j]
                                                : codes.values<uint8_t>()[j]);
  }
  return out;
}

int NodeAxis(const fs::path& dir) {
  const onnx::ModelProto model = ReadModel(dir / "model.onnx");
  for (const onnx::NodeProto& node : model.graph().node()) {
    for (const onnx::AttributeProto& attr : node.attribute()) {
      if (attr.name() == "axis") return static_cast<int>(attr.i());
    }
  }
  return 1;  // ONNX's default for QuantizeLinear / DequantizeLinear
}

QuantScheme SchemeFor(const onnx::TensorProto& zero_point, const onnx::TensorProto& scale,
                      int axis) {
  QuantScheme scheme;
  scheme.symmetric = false;  // explicit zero points of any value
  scheme.is_signed = zero_point.data_type() == onnx::TensorProto::INT8;
  if (scale.dims_size() == 1) {
    scheme.granularity = Granularity::kPerChannel;
    scheme.axis = axis;
  }
  return scheme;
}

std::vector<fs::path> CaseDirs(const std::string& prefix) {
  std::vector<fs::path> dirs;
  for (const fs::directory_entry& entry : fs::directory_iterator(kNodeTestRoot)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

std::vector<fs::path> DataSets(const fs::path& dir) {
  std::vector<fs::path> sets;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("test_data_set_", 0) == 0) {
      sets.push_back(entry.path());
    }
  }
  std::sort(sets.begin(), sets.end());
  return sets;
}

Tensor FloatTensor(const onnx::TensorProto& proto) {
  const std::vector<float> values = Floats(proto);
  absl::StatusOr<Tensor> t = Tensor::FromBytes(
      "x", DType::kFloat32, ShapeOf(proto),
      {reinterpret_cast<const uint8_t*>(values.data()), values.size() * sizeof(float)});
  EXPECT_TRUE(t.ok()) << t.status();
  return std::move(*t);
}

// The tensors of one QuantizeLinear / DequantizeLinear data set, in the node's input order.
struct LinearNodeData {
  onnx::TensorProto x, scale, zero_point, expected;
};

LinearNodeData ReadLinearNodeData(const fs::path& set) {
  return {ReadTensorProto(set / "input_0.pb"), ReadTensorProto(set / "input_1.pb"),
          ReadTensorProto(set / "input_2.pb"), ReadTensorProto(set / "output_0.pb")};
}

class OnnxNodeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(fs::exists(kNodeTestRoot)) << "install libonnx-testdata";
  }
};

TEST_F(OnnxNodeTest, QuantizeLinear) {
  int cases = 0;
  for (const fs::path& dir : CaseDirs("test_quantizelinear")) {
    const int axis = NodeAxis(dir);
    for (const fs::path& set : DataSets(dir)) {
      SCOPED_TRACE(set.string());
      const auto [x, scale, zero_point, expected] = ReadLinearNodeData(set);
      QuantizeOptions options;
      options.scheme = SchemeFor(zero_point, scale, axis);
      options.explicit_params = QuantParams{ShapeOf(scale), Floats(scale), Ints(zero_point)};
      absl::StatusOr<QuantizeResult> result = QuantizeTensor(FloatTensor(x), options);
      ASSERT_TRUE(result.ok()) << result.status();
      EXPECT_EQ(result->codes.shape(), ShapeOf(expected));
      EXPECT_EQ(CodesOf(result->codes), Ints(expected));
      ++cases;
    }
  }
  EXPECT_GE(cases, 2);
}

TEST_F(OnnxNodeTest, DequantizeLinear) {
  int cases = 0;
  for (const fs::path& dir : CaseDirs("test_dequantizelinear")) {
    const int axis = NodeAxis(dir);
    for (const fs::path& set : DataSets(dir)) {
      SCOPED_TRACE(set.string());
      const auto [x, scale, zero_point, expected] = ReadLinearNodeData(set);
      const QuantScheme scheme = SchemeFor(zero_point, scale, axis);
      const std::vector<int32_t> codes = Ints(x);
      Tensor code_tensor =
          Tensor::Create("x", scheme.is_signed ? DType::kInt8 : DType::kUInt8, ShapeOf(x));
      for (size_t j = 0; j < codes.size(); ++j)
        code_tensor.bytes()[j] = static_cast<uint8_t>(codes[j]);
      absl::StatusOr<Tensor> out =
          DequantizeTensor(code_tensor, scheme, {ShapeOf(scale), Floats(scale), Ints(zero_point)});
      ASSERT_TRUE(out.ok()) << out.status();
      const std::vector<float> want = Floats(expected);
      ASSERT_EQ(out->num_elements(), static_cast<int64_t>(want.size()));
      for (size_t j = 0; j < want.size(); ++j) {
        EXPECT_EQ(out->values<float>()[j], want[j]) << j;  // bit-exact
      }
      ++cases;
    }
  }
  EXPECT_GE(cases, 2);
}

TEST_F(OnnxNodeTest, DynamicQuantizeLinear) {
  int cases = 0;
  for (const fs::path& dir : CaseDirs("test_dynamicquantizelinear")) {
    for (const fs::path& set : DataSets(dir)) {
      SCOPED_TRACE(set.string());
      const onnx::TensorProto x = ReadTensorProto(set / "input_0.pb");
      const onnx::TensorProto y = ReadTensorProto(set / "output_0.pb");
      const onnx::TensorProto y_scale = ReadTensorProto(set / "output_1.pb");
      const onnx::TensorProto y_zero_point = ReadTensorProto(set / "output_2.pb");
      // DynamicQuantizeLinear is uint8, asymmetric, per tensor, over [min(x, 0), max(x, 0)]
      // with Z = round_half_even(0 - min / S): exactly ComputeScaleZeroPoint's asymmetric rule.
      QuantizeOptions options;
      options.scheme.is_signed = false;
      options.scheme.symmetric = false;
      absl::StatusOr<QuantizeResult> result = QuantizeTensor(FloatTensor(x), options);
      ASSERT_TRUE(result.ok()) << result.status();
      EXPECT_EQ(result->params.scales[0], Floats(y_scale)[0]);  // bit-exact float
      EXPECT_EQ(result->params.zero_points[0], Ints(y_zero_point)[0]);
      EXPECT_EQ(CodesOf(result->codes), Ints(y));
      ++cases;
    }
  }
  EXPECT_GE(cases, 6);
}

}  // namespace
}  // namespace modelpress
