#include "ir/host_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <list>
#include <mutex>

namespace hlocc::ir {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kLine = 64;

size_t round_up(size_t bytes, size_t to) { return (bytes + to - 1) / to * to; }

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kKeepFreedBlocks = false;  // AddressSanitizer must see every use after free
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kKeepFreedBlocks = false;
#else
constexpr bool kKeepFreedBlocks = true;
#endif
#else
constexpr bool kKeepFreedBlocks = true;
#endif

// Freed huge-page blocks, kept to be handed out again for the same size. A training loop frees
// step k-1's weights and optimizer state as step k's arrive, and fresh memory costs a page fault
// per 2 MiB with the kernel zeroing it (~1.3 ms each on the 2-core VM: 0.3 s for VGG19's 411 MB
// classifier weights), where a kept block costs nothing. At most an eighth of the machine's
// memory is kept; the blocks freed longest ago go back first.
class FreedBlocks {
 public:
  void* take(size_t bytes) {
    const std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = blocks_.begin(); it != blocks_.end(); ++it) {
      if (it->bytes != bytes) continue;
      void* block = it->block;
      held_ -= bytes;
      blocks_.erase(it);
      return block;
    }
    return nullptr;
  }

  void keep(void* block, size_t bytes) {
    const std::lock_guard<std::mutex> lock(mutex_);
    blocks_.push_back({block, bytes});
    held_ += bytes;
    while (held_ > limit_) {
      std::free(blocks_.front().block);
      held_ -= blocks_.front().bytes;
      blocks_.pop_front();
    }
  }

 private:
  struct Block {
    void* block;
    size_t bytes;
  };
  std::mutex mutex_;
  std::list<Block> blocks_;
  size_t held_ = 0;
  const size_t limit_ = static_cast<size_t>(sysconf(_SC_PHYS_PAGES)) *
                        static_cast<size_t>(sysconf(_SC_PAGESIZE)) / 8;
};

FreedBlocks& freed_blocks() {
  static auto* blocks = new FreedBlocks;  // never destroyed: frees may come from static destructors
  return *blocks;
}

}  // namespace

void* allocate_host(size_t bytes) {
  if (bytes >= kHugePage) {
    const size_t size = round_up(bytes, kHugePage);
    if (kKeepFreedBlocks) {
      if (void* block = freed_blocks().take(size)) return block;
    }
    void* block = std::aligned_alloc(kHugePage, size);
    if (block == nullptr) throw std::bad_alloc();
    // Only advice: where the kernel has no huge pages to give, the block keeps small ones.
    madvise(block, size, MADV_HUGEPAGE);
    return block;
  }
  // aligned_alloc wants a multiple of the alignment; an empty request still gets a valid block.
  void* block = std::aligned_alloc(kLine, round_up(bytes == 0 ? 1 : bytes, kLine));
  if (block == nullptr) throw std::bad_alloc();
  return block;
}

void populate_host(void* block, size_t bytes) {
  madvise(block, bytes, MADV_HUGEPAGE);
  if (madvise(block, bytes, MADV_POPULATE_WRITE) == 0) return;
  // Kernels before 5.14 lack MADV_POPULATE_WRITE: a write per page faults it in.
  const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  for (size_t at = 0; at < bytes; at += page) static_cast<volatile char*>(block)[at] = 0;
}

void free_host(void* block, size_t bytes) {
  if (block == nullptr) return;
  if (kKeepFreedBlocks && bytes >= kHugePage) {
    freed_blocks().keep(block, round_up(bytes, kHugePage));
    return;
  }
  std::free(block);
}

}  // namespace hlocc::ir
