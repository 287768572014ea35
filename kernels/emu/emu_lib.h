// emu_lib.h: what the emulated libraries (fake_cublas.cpp, fake_cudnn.cpp) use from the emulated driver.
//
// A library call checks its arguments at the call (and returns its library's status, as the real one does), then
// hands its work to the driver as a closure. The driver runs it like a kernel: queued on the library handle's
// stream, recorded into the graph while that stream captures (the closure is replayed with every graph launch), and
// a failure (an out-of-bounds operand, a freed workspace) is reported on stderr and becomes the context's sticky
// error. The closure copies every scalar at the call, as cuBLAS and cuDNN read host-side alpha/beta at the call.
#pragma once
#include <cstddef>
#include <functional>
#include <string>

namespace emu {
/** One library call's device work: returns "" or why it failed. */
using LibraryWork = std::function<std::string()>;

/**
 * Queues work on stream; a CUresult. A null stream is the legacy default stream: it waits for all other streams
 * (flushes them) and runs at once, and while any stream captures it invalidates that capture (the driver's
 * CUDA_ERROR_STREAM_CAPTURE_IMPLICIT). A stream that does not exist is CUDA_ERROR_INVALID_HANDLE.
 */
int library_call(void* stream, const char* name, LibraryWork work);

/** "" when [p, p + bytes) lies inside one live device allocation (within its requested size), else why not. */
std::string device_range(const void* p, size_t bytes, const char* what);

/** Whether stream is a stream that is capturing into a graph now. */
bool capturing(void* stream);

/** Runs every stream's queued work (a library's destroy waits for its work, as the real ones synchronise). */
int synchronize_all();
}  // namespace emu
