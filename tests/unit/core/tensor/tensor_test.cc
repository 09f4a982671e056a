#include "core/tensor/tensor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
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
