#include "core/tensor/tensor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

namespace modelpress {
namespace {

using ::testing::HasSubstr;

TEST(ValidateShape, CountsElements) {
  absl::StatusOr<int64_t> count = ValidateShape({2, 3, 4}, "tensor.shape", 1000);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 24);
  EXPECT_EQ(*ValidateShape({}, "tensor.shape", 1), 1);  // scalar
}

TEST(ValidateShape, NamesTheBadDimension) {
  absl::Status status = ValidateShape({2, -1}, "tensor.shape", 1000).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("tensor.shape[1] is -1"));
}

TEST(ValidateShape, RejectsOverflowWithoutWrapping) {
  const int64_t big = int64_t{1} << 40;
  absl::Status status =
      ValidateShape({big, big, big}, "x", std::numeric_limits<int64_t>::max()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("more than"));
}

TEST(SplitAroundAxis, OuterAxisInner) {
  AxisSplit split = SplitAroundAxis({2, 3, 4, 5}, 2);
  EXPECT_EQ(split.outer, 6);
  EXPECT_EQ(split.axis_len, 4);
  EXPECT_EQ(split.inner, 5);
}

TEST(Tensor, FromBytesChecksTheByteCount) {
  std::vector<uint8_t> bytes(11);
  absl::Status status = Tensor::FromBytes("w", DType::kFloat32, {3}, bytes).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("has 11 bytes"));
  EXPECT_THAT(status.message(), HasSubstr("needs 12"));
}

TEST(Tensor, CloneIsDeep) {
  std::vector<float> values = {1, 2, 3};
  absl::StatusOr<Tensor> tensor = Tensor::FromBytes(
      "w", DType::kFloat32, {3},
      {reinterpret_cast<const uint8_t*>(values.data()), values.size() * sizeof(float)});
  ASSERT_TRUE(tensor.ok());
  Tensor copy = tensor->Clone();
  copy.values<float>()[0] = 42;
  EXPECT_EQ(tensor->values<float>()[0], 1.0f);
  EXPECT_EQ(copy.name(), "w");
}

std::span<const uint8_t> AsBytes(const std::vector<float>& values) {
  return {reinterpret_cast<const uint8_t*>(values.data()), values.size() * sizeof(float)};
}

TEST(Tensor, ViewReadsInPlaceAndCopiesOnWrite) {
  std::vector<float> values = {1, 2, 3};
  absl::StatusOr<Tensor> view = Tensor::View("w", DType::kFloat32, {3}, AsBytes(values));
  ASSERT_TRUE(view.ok()) << view.status();
  const Tensor& reader = *view;
  EXPECT_TRUE(reader.is_view());
  EXPECT_EQ(reader.values<float>().data(), values.data());  // no copy
  EXPECT_EQ(reader.size_bytes(), 12u);
  Tensor copy = reader.Clone();
  EXPECT_FALSE(copy.is_view());
  EXPECT_NE(copy.values<float>().data(), values.data());

  // A write goes to the Tensor's own copy, never to the borrowed bytes.
  view->values<float>()[0] = 42;
  EXPECT_FALSE(view->is_view());
  EXPECT_EQ(values[0], 1.0f);
  EXPECT_EQ(view->values<float>()[0], 42.0f);
  EXPECT_EQ(view->values<float>()[2], 3.0f);
  EXPECT_EQ(view->size_bytes(), 12u);
}

TEST(Tensor, ViewChecksTheByteCountAndCopiesMisalignedBytes) {
  std::vector<uint8_t> bytes(13);
  absl::Status status =
      Tensor::View("w", DType::kFloat32, {3}, std::span<const uint8_t>(bytes).first(11)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("has 11 bytes"));
  // Floats that do not start on a 4-byte boundary are copied (to an aligned buffer).
  const uint8_t* start = bytes.data();
  while (reinterpret_cast<uintptr_t>(start) % 4 != 1) ++start;
  absl::StatusOr<Tensor> copied =
      Tensor::View("w", DType::kFloat32, {2}, std::span<const uint8_t>(start, 8));
  ASSERT_TRUE(copied.ok()) << copied.status();
  EXPECT_FALSE(copied->is_view());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(std::as_const(*copied).bytes()) % 4, 0u);
}

TEST(AlignedBuffer, AlignsSmallAndHugeBuffers) {
  AlignedBuffer small(100);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(small.data()) % AlignedBuffer::kAlignmentBytes, 0u);
  AlignedBuffer huge(AlignedBuffer::kHugePageThresholdBytes + 1);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(huge.data()) % (2u << 20), 0u);
  huge.data()[huge.size() - 1] = 7;  // the whole range is writable
  EXPECT_EQ(huge.data()[huge.size() - 1], 7);
}

TEST(AlignedBuffer, EnsureCapacityReusesTheAllocation) {
  AlignedBuffer buffer(1 << 20);
  const uint8_t* first = buffer.data();
  buffer.EnsureCapacity(1000);
  EXPECT_EQ(buffer.data(), first);
  EXPECT_EQ(buffer.size(), 1000u);
  buffer.EnsureCapacity(4 << 20);
  EXPECT_EQ(buffer.size(), size_t{4} << 20);
}

TEST(AlignedBuffer, ZeroedIsZero) {
  AlignedBuffer buffer = AlignedBuffer::Zeroed(4096);
  for (size_t i = 0; i < buffer.size(); ++i) ASSERT_EQ(buffer.data()[i], 0);
}

}  // namespace
}  // namespace modelpress
