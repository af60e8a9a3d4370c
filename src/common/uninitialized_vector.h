#pragma once
/// A std::vector whose resize() leaves new elements of trivial types uninitialized: for buffers
/// that are written right after they grow (decoded pages), where zero-filling them first is a
/// wasted pass over fresh memory.

#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace floe {

template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
    using std::allocator<T>::allocator;
    template <typename U>
    struct rebind {
        using other = DefaultInitAllocator<U>;
    };
    DefaultInitAllocator() = default;
    template <typename U>
    DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)

    /// Value-initialization (what resize() asks for) becomes default-initialization.
    template <typename U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;
    }
    template <typename U, typename... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

template <typename T>
using UninitializedVector = std::vector<T, DefaultInitAllocator<T>>;

}  // namespace floe
