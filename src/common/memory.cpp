#include "common/memory.h"

#include <malloc.h>

namespace floe {

void ConfigureAllocator() {
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
}

}  // namespace floe
