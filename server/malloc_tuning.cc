#include "server/malloc_tuning.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>

namespace modelpress::server {

bool ConfigureMallocForLargeMessages(size_t retain_bytes) {
  constexpr int kMaxMmapThresholdBytes = 32 << 20;
  const int trim_bytes = static_cast<int>(std::min<size_t>(retain_bytes, INT_MAX));
  // mallopt returns 1 on success. Setting either also stops glibc's adaptive thresholds.
  const bool mmap_ok = mallopt(M_MMAP_THRESHOLD, kMaxMmapThresholdBytes) == 1;
  const bool trim_ok = mallopt(M_TRIM_THRESHOLD, trim_bytes) == 1;
  return mmap_ok && trim_ok;
}

void RestartWithHugePageMalloc(char** argv) {
  constexpr const char* kTunable = "glibc.malloc.hugetlb";
  const char* current = std::getenv("GLIBC_TUNABLES");
  if (current != nullptr && std::strstr(current, kTunable) != nullptr) return;
  std::string tunables = current != nullptr && *current != '\0' ? std::string(current) + ":" : "";
  tunables += std::string(kTunable) + "=1";
  if (setenv("GLIBC_TUNABLES", tunables.c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv);
}

}  // namespace modelpress::server
