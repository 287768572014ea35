// emu_register.h: registers the kernels of one .cu file with the emulated driver (appended by build.sh).
#pragma once
#include <cstddef>
#include <type_traits>
#include <utility>

namespace emu {
struct KernelInfo {
    const char* name;
    bool direct;                         // no barrier or shuffle in its file: threads run as plain calls
    int maxThreads;                      // __launch_bounds__, or 1024
    int nparams;
    size_t sizes[32];                    // byte size of each parameter, for copying them into a graph node
    void (*invoke)(void* fn, void** params);
    void* fn;
};
void register_kernel(const KernelInfo& k);

template <class... A, size_t... I>
void invoke_impl(void (*f)(A...), void** p, std::index_sequence<I...>) {
    f(*static_cast<std::remove_cv_t<A>*>(p[I])...);
}
template <class... A>
void invoke_fn(void* fn, void** p) { invoke_impl(reinterpret_cast<void (*)(A...)>(fn), p, std::index_sequence_for<A...>{}); }
template <class... A>
int reg(const char* name, void (*f)(A...), bool direct, int maxThreads) {
    static_assert(sizeof...(A) <= 32, "too many parameters");
    KernelInfo k{name, direct, maxThreads, (int)sizeof...(A), {sizeof(A)...}, &invoke_fn<A...>, reinterpret_cast<void*>(f)};
    register_kernel(k);
    return 0;
}
}  // namespace emu

#define EMU_REGISTER(f, maxThreads) static int emu_reg_##f = emu::reg(#f, &f, EMU_DIRECT, maxThreads);
