// Host memory for array bytes: literals and the CPU backend's arena. Blocks of 2 MiB and more are
// aligned to and advised for transparent huge pages, so that the GB-sized state of a training
// step costs hundreds of page faults and TLB entries, not hundreds of thousands; freed ones are
// kept for the next request of their size (see host_memory.cc). The bytes are not initialized:
// callers that need zeros write them.
#pragma once

#include <cstddef>
#include <new>
#include <utility>

namespace hlocc::ir {

/// At least 64-byte aligned; never null (throws std::bad_alloc).
void* allocate_host(size_t bytes);
/// `bytes` as given to allocate_host.
void free_host(void* block, size_t bytes);
/// Advises huge pages for [block, block + bytes) (2 MiB-aligned, from std::aligned_alloc) and maps
/// them writable now, for scratch that every run writes: the page faults come once, here, not
/// in whichever later run first reaches a page.
void populate_host(void* block, size_t bytes);

/// A std::vector allocator over allocate_host that default-initializes: resize() of a
/// vector<std::byte> leaves the new bytes unset instead of writing zeros over them.
template <class T>
struct HostAllocator {
  using value_type = T;
  HostAllocator() = default;
  template <class U>
  HostAllocator(const HostAllocator<U>&) {}  // NOLINT: allocators convert implicitly
  T* allocate(size_t n) { return static_cast<T*>(allocate_host(n * sizeof(T))); }
  void deallocate(T* block, size_t n) { free_host(block, n * sizeof(T)); }
  template <class U>
  void construct(U* at) {
    ::new (static_cast<void*>(at)) U;
  }
  template <class U, class... Args>
  void construct(U* at, Args&&... args) {
    ::new (static_cast<void*>(at)) U(std::forward<Args>(args)...);
  }
  template <class U>
  bool operator==(const HostAllocator<U>&) const { return true; }
};

}  // namespace hlocc::ir
