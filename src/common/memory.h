#pragma once
/// Process-wide memory settings. Fresh pages cost about 0.4 s per GiB to fault in, and glibc
/// gives freed memory back to the kernel eagerly (large blocks are mmapped and unmapped each
/// time, the heap top is trimmed): a query that allocates and frees the same buffers chunk after
/// chunk would pay that cost again and again. ConfigureAllocator keeps freed memory in the
/// process instead (blocks up to 64 MiB come from the heap; up to 512 MiB of free heap is kept).

namespace floe {

void ConfigureAllocator();

}  // namespace floe
