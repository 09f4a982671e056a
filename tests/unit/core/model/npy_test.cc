#include "core/model/npy.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"

namespace modelpress {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// A hand-built version 1.0 file, as numpy writes it.
std::string NpyImage(const std::string& dict, const std::string& data, int major = 1) {
  std::string header = dict;
  const size_t preamble = major == 1 ? 10 : 12;
  while ((preamble + header.size() + 1) % 64 != 0) header.push_back(' ');
  header.push_back('\n');
  std::string out = "\x93NUMPY";
  out.push_back(static_cast<char>(major));
  out.push_back(0);
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  if (major != 1) out.append(2, '\0');
  return out + header + data;
}

TEST(NpyTest, ParsesFloat32Matrix) {
  const float values[] = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f, 8.0f};
  const std::string image =
      NpyImage("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
               std::string(reinterpret_cast<const char*>(values), sizeof(values)));
  absl::StatusOr<Tensor> t = ParseNpy(Bytes(image), "w");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->dtype(), DType::kFloat32);
  EXPECT_EQ(t->shape(), (Shape{2, 3}));
  EXPECT_EQ(t->values<float>()[2], 3.25f);
}

TEST(NpyTest, ParsesVersion2AndOtherDtypes) {
  const int64_t longs[] = {-1, 1LL << 40};
  absl::StatusOr<Tensor> t =
      ParseNpy(Bytes(NpyImage("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }",
                              std::string(reinterpret_cast<const char*>(longs), sizeof(longs)), 2)),
               "l");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->dtype(), DType::kInt64);
  EXPECT_EQ(t->values<int64_t>()[1], 1LL << 40);
  t = ParseNpy(Bytes(NpyImage("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }",
                              std::string("\x01\x02\xff", 3))),
               "u");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->values<uint8_t>()[2], 255);
  t = ParseNpy(Bytes(NpyImage("{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
                              std::string(8, '\0'))),
               "scalar");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->rank(), 0);
}

TEST(NpyTest, RejectsFortranOrderBigEndianAndJunk) {
  const std::string data(24, '\0');
  absl::Status s =
      ParseNpy(Bytes(NpyImage("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", data)),
               "f")
          .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("fortran_order"), std::string::npos) << s;
  s = ParseNpy(Bytes(NpyImage("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", data)),
               "b")
          .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("big-endian"), std::string::npos) << s;
  s = ParseNpy(Bytes(NpyImage("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }", data)),
               "c")
          .status();
  EXPECT_NE(s.message().find("supported dtypes"), std::string::npos) << s;
  s = ParseNpy(Bytes(NpyImage("{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }", data)),
               "short")
          .status();
  EXPECT_NE(s.message().find("data bytes"), std::string::npos) << s;
  EXPECT_EQ(ParseNpy(Bytes(std::string("PK\x03\x04 not npy")), "zip").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadNpy("/nonexistent/file.npy").status().code(), absl::StatusCode::kNotFound);
}

TEST(NpyTest, WriteThenReadRoundTrips) {
  Tensor t = Tensor::Create("x", DType::kFloat32, {3, 5});
  for (int i = 0; i < 15; ++i) t.values<float>()[i] = 0.5f * static_cast<float>(i) - 2.0f;
  const std::string image = SerializeNpy(t);
  const size_t header_end = image.find('\n') + 1;
  EXPECT_EQ(header_end % 64, 0u);
  const std::string dir = ::testing::TempDir();
  const std::string path = dir + "/roundtrip.npy";
  ASSERT_TRUE(WriteNpy(t, path).ok());
  absl::StatusOr<Tensor> back = ReadNpy(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->name(), "roundtrip");
  EXPECT_EQ(back->shape(), t.shape());
  EXPECT_EQ(std::memcmp(back->bytes(), t.bytes(), t.size_bytes()), 0);
  std::filesystem::remove(path);
}

// numpy itself reads what we write (Debian's numpy, as the fixture scripts use).
TEST(NpyTest, NumpyReadsOurFiles) {
  // python3-numpy is a declared test dependency (deploy/install-deps.sh): absent is a failure.
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/python3")) << "run deploy/install-deps.sh";
  Tensor t = Tensor::Create("x", DType::kInt32, {2, 2});
  const int32_t v[] = {1, -2, 3, 400000};
  std::memcpy(t.bytes(), v, sizeof(v));
  const std::string path = ::testing::TempDir() + "/for_numpy.npy";
  ASSERT_TRUE(WriteNpy(t, path).ok());
  const std::string cmd = "/usr/bin/python3 -c \"import numpy as n, sys; a = n.load('" + path +
                          "'); sys.exit(0 if a.dtype == n.int32 and a.shape == (2, 2) and "
                          "a[1, 1] == 400000 else 1)\"";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace modelpress
