#include "core/model/npy.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace modelpress {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicBytes = 6;
// Far above any tensor this service handles; only guards the size arithmetic.
constexpr int64_t kMaxNpyElements = int64_t{1} << 40;

// Maps a descr string to a DType, or explains why it is not supported.
absl::StatusOr<DType> ParseDescr(absl::string_view descr, absl::string_view name) {
  if (descr.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": header field 'descr' is '", descr, "'; expected e.g. '<f4'"));
  }
  const char order = descr[0];
  const absl::string_view type = descr.substr(1);
  const bool single_byte = type == "u1" || type == "i1" || type == "b1";
  if (!single_byte && order == '>') {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": header field 'descr' is '", descr,
                     "': big-endian data is not supported; convert with "
                     "arr.astype(arr.dtype.newbyteorder('<'))"));
  }
  if (order != '<' && order != '|' && order != '=' && !(single_byte && order == '>')) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": header field 'descr' is '", descr,
                                                   "': unknown byte order '", std::string(1, order),
                                                   "'"));
  }
  if (type == "f4") return DType::kFloat32;
  if (type == "f8") return DType::kFloat64;
  if (type == "i8") return DType::kInt64;
  if (type == "i4") return DType::kInt32;
  if (type == "u1") return DType::kUInt8;
  if (type == "i1") return DType::kInt8;
  return absl::InvalidArgumentError(
      absl::StrCat(name, ": header field 'descr' is '", descr,
                   "'; supported dtypes are <f4, <f8, <i8, <i4, |u1, |i1"));
}

absl::string_view DescrFor(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return "<f4";
    case DType::kFloat64:
      return "<f8";
    case DType::kInt64:
      return "<i8";
    case DType::kInt32:
      return "<i4";
    case DType::kUInt8:
      return "|u1";
    case DType::kInt8:
      return "|i1";
  }
  return "<f4";
}

// Returns the text that follows `'key':` in the header dict, with leading blanks removed.
std::optional<absl::string_view> FindValue(absl::string_view header, absl::string_view key) {
  for (const char quote : {'\'', '"'}) {
    const std::string needle = absl::StrCat(std::string(1, quote), key, std::string(1, quote));
    size_t pos = header.find(needle);
    if (pos == absl::string_view::npos) continue;
    pos = header.find(':', pos + needle.size());
    if (pos == absl::string_view::npos) return std::nullopt;
    return absl::StripLeadingAsciiWhitespace(header.substr(pos + 1));
  }
  return std::nullopt;
}

absl::StatusOr<absl::string_view> ParseQuoted(absl::string_view value, absl::string_view name,
                                              absl::string_view field) {
  if (value.empty() || (value[0] != '\'' && value[0] != '"')) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": header field '", field, "' is not a string"));
  }
  const size_t end = value.find(value[0], 1);
  if (end == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": header field '", field, "' is an unterminated string"));
  }
  return value.substr(1, end - 1);
}

absl::StatusOr<Shape> ParseShape(absl::string_view value, absl::string_view name) {
  if (value.empty() || value[0] != '(') {
    return absl::InvalidArgumentError(absl::StrCat(name, ": header field 'shape' is not a tuple"));
  }
  const size_t end = value.find(')');
  if (end == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": header field 'shape' is an unterminated tuple"));
  }
  Shape shape;
  absl::string_view body = value.substr(1, end - 1);
  while (!body.empty()) {
    const size_t comma = body.find(',');
    absl::string_view item = absl::StripAsciiWhitespace(body.substr(0, comma));
    // Python longs may carry an 'L' suffix in version 1.0 files written by Python 2.
    if (!item.empty() && (item.back() == 'L' || item.back() == 'l')) item.remove_suffix(1);
    if (!item.empty()) {
      int64_t dim = 0;
      if (!absl::SimpleAtoi(item, &dim)) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": header field 'shape' has a non-integer dimension '", item, "'"));
      }
      shape.push_back(dim);
    }
    if (comma == absl::string_view::npos) break;
    body.remove_prefix(comma + 1);
  }
  return shape;
}

}  // namespace

absl::StatusOr<Tensor> ParseNpy(std::span<const uint8_t> bytes, std::string name) {
  if (bytes.size() < kMagicBytes + 4 || std::memcmp(bytes.data(), kMagic, kMagicBytes) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": not a .npy file (missing the \\x93NUMPY magic)"));
  }
  const uint8_t major = bytes[6];
  size_t header_len = 0;
  size_t header_start = 0;
  if (major == 1) {
    header_len = bytes[8] | (size_t{bytes[9]} << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": truncated .npy preamble"));
    }
    header_len =
        bytes[8] | (size_t{bytes[9]} << 8) | (size_t{bytes[10]} << 16) | (size_t{bytes[11]} << 24);
    header_start = 12;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(name, ": .npy format version is ", major,
                                                   "; supported versions are 1, 2 and 3"));
  }
  if (bytes.size() < header_start + header_len) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": header is ", header_len,
                                                   " bytes but the file has only ",
                                                   bytes.size() - header_start, " left"));
  }
  const absl::string_view header(reinterpret_cast<const char*>(bytes.data()) + header_start,
                                 header_len);

  const std::optional<absl::string_view> descr_value = FindValue(header, "descr");
  const std::optional<absl::string_view> order_value = FindValue(header, "fortran_order");
  const std::optional<absl::string_view> shape_value = FindValue(header, "shape");
  if (!descr_value || !order_value || !shape_value) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": header must have 'descr', 'fortran_order' and 'shape'; got ", header));
  }
  absl::StatusOr<absl::string_view> descr = ParseQuoted(*descr_value, name, "descr");
  if (!descr.ok()) return descr.status();
  absl::StatusOr<DType> dtype = ParseDescr(*descr, name);
  if (!dtype.ok()) return dtype.status();
  if (absl::StartsWith(*order_value, "True")) {
    return absl::InvalidArgumentError(
        absl::StrCat(name,
                     ": header field 'fortran_order' is True; only C order is "
                     "supported (save np.ascontiguousarray(arr))"));
  }
  if (!absl::StartsWith(*order_value, "False")) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": header field 'fortran_order' must be True or False"));
  }
  absl::StatusOr<Shape> shape = ParseShape(*shape_value, name);
  if (!shape.ok()) return shape.status();
  absl::StatusOr<int64_t> count =
      ValidateShape(*shape, absl::StrCat(name, ": shape"), kMaxNpyElements);
  if (!count.ok()) return count.status();

  const size_t data_start = header_start + header_len;
  const size_t expected = static_cast<size_t>(*count) * ByteSize(*dtype);
  const size_t available = bytes.size() - data_start;
  if (available != expected) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": shape ", ShapeToString(*shape), " of ",
                                                   DTypeName(*dtype), " needs ", expected,
                                                   " data bytes but the file has ", available));
  }
  return Tensor::FromBytes(std::move(name), *dtype, *std::move(shape),
                           bytes.subspan(data_start, expected));
}

absl::StatusOr<Tensor> ReadNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open .npy file '", path, "'"));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) return absl::DataLossError(absl::StrCat("error reading '", path, "'"));
  absl::StatusOr<Tensor> tensor = ParseNpy(bytes, path);
  if (!tensor.ok()) return tensor.status();
  tensor->set_name(std::filesystem::path(path).stem().string());
  return tensor;
}

std::string SerializeNpy(const Tensor& tensor) {
  std::vector<std::string> dims;
  for (const int64_t d : tensor.shape()) dims.push_back(absl::StrCat(d));
  // A one-element tuple needs the trailing comma: (5,).
  const std::string shape_text = dims.size() == 1
                                     ? absl::StrCat("(", dims[0], ",)")
                                     : absl::StrCat("(", absl::StrJoin(dims, ", "), ")");
  std::string header = absl::StrCat("{'descr': '", DescrFor(tensor.dtype()),
                                    "', 'fortran_order': False, 'shape': ", shape_text, ", }");
  // Pad with spaces and a final newline so the data starts on a 64-byte boundary.
  size_t preamble = kMagicBytes + 2 + 2;
  int major = 1;
  if (header.size() + 1 + preamble + 64 > 65535) {
    major = 2;
    preamble = kMagicBytes + 2 + 4;
  }
  const size_t total = preamble + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');

  std::string out(kMagic, kMagicBytes);
  out.push_back(static_cast<char>(major));
  out.push_back(0);
  const size_t len = header.size();
  out.push_back(static_cast<char>(len & 0xff));
  out.push_back(static_cast<char>((len >> 8) & 0xff));
  if (major == 2) {
    out.push_back(static_cast<char>((len >> 16) & 0xff));
    out.push_back(static_cast<char>((len >> 24) & 0xff));
  }
  out += header;
  out.append(reinterpret_cast<const char*>(tensor.bytes()), tensor.size_bytes());
  return out;
}

absl::Status WriteNpy(const Tensor& tensor, const std::string& path) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot create '", tmp, "'"));
    const std::string image = SerializeNpy(tensor);
    out.write(image.data(), static_cast<std::streamsize>(image.size()));
    out.flush();
    if (!out) return absl::DataLossError(absl::StrCat("error writing '", tmp, "'"));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return absl::InternalError(absl::StrCat("cannot rename '", tmp, "' to '", path, "'"));
  }
  return absl::OkStatus();
}

}  // namespace modelpress
