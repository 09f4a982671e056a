// ConfigureMallocForLargeMessages: glibc settings for a process that receives and sends
// tensors of many MiB. By default glibc serves every allocation over 128 KiB (raised
// adaptively up to 32 MiB) with a fresh mmap and unmaps it on free, so each request's
// protobuf strings fault their memory in again, 4 KiB at a time (~14 us per page on these
// VMs: a 16 MiB response costs ~60 ms of faults). This keeps allocations up to 32 MiB (the
// largest mmap threshold glibc accepts) on the heap and never trims the heap top below
// `retain_bytes`, so repeated requests reuse memory that is already faulted in. Allocations
// above 32 MiB are always mmapped by glibc; RestartWithHugePageMalloc below makes glibc back
// those with transparent huge pages (a 64 MiB request: 16385 faults -> 544, 279 ms -> 31 ms
// in bench/request_path_bench.cc). Returns false if glibc refused a setting.
#ifndef MODELPRESS_SERVER_MALLOC_TUNING_H_
#define MODELPRESS_SERVER_MALLOC_TUNING_H_

#include <cstddef>

namespace modelpress::server {

bool ConfigureMallocForLargeMessages(size_t retain_bytes);

// glibc reads its tunables only at process start. If GLIBC_TUNABLES does not mention
// glibc.malloc.hugetlb, this appends glibc.malloc.hugetlb=1 to it and re-executes the
// program (/proc/self/exe, same argv and pid); an explicit setting, e.g. =0, is left alone.
// Call first thing in main(), before any thread starts. Returns only if no restart was
// needed or the exec failed (the process then runs with glibc's defaults).
void RestartWithHugePageMalloc(char** argv);

}  // namespace modelpress::server

#endif  // MODELPRESS_SERVER_MALLOC_TUNING_H_
