// fake_driver.cpp: a libcuda.so.1 that runs our kernels on the CPU (tests without a GPU; see README.md here).
//
// It implements the part of the CUDA driver API that the JCuda binding calls for CudaBackend: device and context
// queries, streams, events, modules (the PTX text is ignored; functions are looked up among the kernels compiled
// from kernels/cuda/*.cu), kernel launches, device and pinned memory, copies, and stream capture into graphs.
// Device pointers are host pointers. Everything is synchronous: a launch runs before it returns, so stream order
// holds trivially. Checks that a GPU would not make: new device memory is filled with NaN bytes (0xFF), each
// block ends at a guard page (an overrun by more than 16 bytes faults), a barrier some threads never reach or a
// full-mask shuffle with exited lanes fails the launch, and a synchronisation while capturing invalidates the capture
// (as on a GPU).
#include "cuda_emu.h"
#include "emu_register.h"

#include <setjmp.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
enum {
    OK = 0, INVALID_VALUE = 1, NOT_INITIALIZED = 3, INVALID_HANDLE = 400, NOT_FOUND = 500, LAUNCH_FAILED = 719,
    CAPTURE_UNSUPPORTED = 900, CAPTURE_INVALIDATED = 901, ILLEGAL_STATE = 401
};

namespace emu {
// ---------------------------------------------------------------- kernels
static std::map<std::string, KernelInfo>& registry() { static std::map<std::string, KernelInfo> r; return r; }
void register_kernel(const KernelInfo& k) { registry()[k.name] = k; }

// ---------------------------------------------------------------- threads of a block as fibers
enum State { READY, AT_BLOCK, AT_WARP, DONE };
struct Fiber {
    ucontext_t ctx;
    emu_dim3 tid;
    int linear;
    State state;
    unsigned mask;
    long barriers;                       // __syncthreads passed: all threads released together must agree
    void* site;                          // and the call site of the one they wait at
    bool started;
    jmp_buf jb;                          // where a parked fiber resumes
    char* stack;
};
static const size_t STACK = 256 * 1024;
Fiber* cur;
emu_dim3 blockIdx_, blockDim_, gridDim_;
static emu_dim3 directTid;
static bool directMode;
static ucontext_t schedCtx;
static jmp_buf schedJb;                  // where the scheduler resumes when a fiber parks or ends
// Fixed storage: a ucontext_t points into itself (its saved FP state), so fibers must never move.
static Fiber fibers[1024];
static int fiberSlots;                   // slots with a stack and an initialised context
static int blockThreads;                 // threads of the running block
static std::vector<uint64_t> slots;
static std::string failure;
static const KernelInfo* running;
static void** runningParams;

const emu_dim3& thread_idx() { return directMode ? directTid : cur->tid; }
int lane() { return directMode ? 0 : (cur->linear & 31); }

// Switching: a fiber is entered once through its ucontext (setcontext), after that only by _setjmp/_longjmp,
// which, unlike swapcontext, make no system call (swapcontext saves the signal mask every time).
static void park(State s) {
    cur->state = s;
    if (!_setjmp(cur->jb)) _longjmp(schedJb, 1);
}

__attribute__((noinline)) void syncthreads() {
    if (directMode) { failure = "__syncthreads in a file built without fibers"; return; }
    cur->barriers++;
    cur->site = __builtin_return_address(0);
    park(AT_BLOCK);
}

uint64_t shuffle(unsigned mask, uint64_t bits, int src, bool valid) {
    if (directMode) { failure = "warp shuffle in a file built without fibers"; return bits; }
    int l = cur->linear & 31, w = cur->linear >> 5;
    cur->mask = mask;
    slots[w * 32 + l] = bits;
    park(AT_WARP);
    uint64_t r = valid ? slots[w * 32 + src] : bits;
    if (valid && w * 32 + src < blockThreads && fibers[w * 32 + src].state == DONE && failure.empty())
        failure = "shuffle reads lane " + std::to_string(src) + " of warp " + std::to_string(w) + ", which has exited";
    park(AT_WARP);
    return r;
}

static void trampoline() {
    running->invoke(running->fn, runningParams);
    cur->state = DONE;
    _longjmp(schedJb, 1);
}

/** Runs one block of n threads as fibers until all are done; sets failure on a deadlock. */
static void run_block(int n) {
    blockThreads = n;
    for (; fiberSlots < n; fiberSlots++) {
        fibers[fiberSlots].stack = static_cast<char*>(std::malloc(STACK));
        getcontext(&fibers[fiberSlots].ctx); // once per fiber slot (it saves the signal mask: a system call)
    }
    slots.assign(((n + 31) / 32) * 32, 0);
    for (int t = 0; t < n; t++) {
        Fiber& f = fibers[t];
        f.linear = t;
        f.tid = {(unsigned)t % blockDim_.x, ((unsigned)t / blockDim_.x) % blockDim_.y, (unsigned)t / (blockDim_.x * blockDim_.y)};
        f.state = READY;
        f.mask = 0;
        f.barriers = 0;
        f.started = false;
        f.ctx.uc_stack.ss_sp = f.stack;
        f.ctx.uc_stack.ss_size = STACK;
        f.ctx.uc_link = nullptr;             // trampoline never returns: it jumps back to the scheduler
        makecontext(&f.ctx, trampoline, 0);
    }
    while (true) {
        for (int t = 0; t < n; t++) {
            if (fibers[t].state != READY) continue;
            cur = &fibers[t];
            if (!_setjmp(schedJb)) {
                if (!cur->started) { cur->started = true; setcontext(&cur->ctx); }
                _longjmp(cur->jb, 1);
            }
        }
        int live = 0;
        for (int t = 0; t < n; t++) live += fibers[t].state != DONE;
        if (live == 0 || !failure.empty()) return;
        bool released = false;
        for (int w = 0; w * 32 < n; w++) {                   // warps whose live lanes all wait at a shuffle
            int hi = std::min(n, w * 32 + 32), waiting = 0, alive = 0;
            unsigned exited = 0, mask = 0;
            for (int t = w * 32; t < hi; t++) {
                if (fibers[t].state == DONE) { exited |= 1u << (t & 31); continue; }
                alive++;
                if (fibers[t].state == AT_WARP) { waiting++; mask |= fibers[t].mask; }
            }
            for (int t = hi; t < w * 32 + 32; t++) exited |= 1u << (t & 31);   // lanes past the block's end
            if (alive == 0 || waiting != alive) continue;
            if ((mask & exited) != 0) {
                failure = "full-mask shuffle in warp " + std::to_string(w) + " with exited lanes";
                return;
            }
            for (int t = w * 32; t < hi; t++) if (fibers[t].state == AT_WARP) fibers[t].state = READY;
            released = true;
        }
        if (released) continue;
        int atBlock = 0;
        for (int t = 0; t < n; t++) atBlock += fibers[t].state == AT_BLOCK;
        if (atBlock == live) {
            long first = -1;
            void* site = nullptr;
            for (int t = 0; t < n; t++) {
                if (fibers[t].state != AT_BLOCK) continue;
                if (first < 0) { first = fibers[t].barriers; site = fibers[t].site; }
                if (fibers[t].site != site) {
                    failure = "divergent __syncthreads: thread " + std::to_string(t) + " waits at another call site "
                            "than the block's first waiting thread";
                    return;
                }
                if (fibers[t].barriers != first) {
                    failure = "divergent __syncthreads: thread " + std::to_string(t) + " waits at its barrier #"
                            + std::to_string(fibers[t].barriers) + ", thread 0's first waiter at #" + std::to_string(first);
                    return;
                }
            }
            for (int t = 0; t < n; t++) if (fibers[t].state == AT_BLOCK) fibers[t].state = READY;
            continue;
        }
        failure = "deadlock: " + std::to_string(atBlock) + " of " + std::to_string(live)
                + " live threads wait at __syncthreads, the others at a warp shuffle";
        return;
    }
}

static std::mutex launchLock;

static CUresult launch(const KernelInfo* k, const unsigned g[3], const unsigned b[3], void** params) {
    std::lock_guard<std::mutex> guard(launchLock);
    long long threads = (long long)b[0] * b[1] * b[2];
    if (threads <= 0 || threads > 1024 || b[0] > 1024 || b[1] > 1024 || b[2] > 64 || g[0] == 0 || g[1] == 0
        || g[2] == 0 || g[1] > 65535 || g[2] > 65535 || g[0] > 0x7fffffffu) {
        std::fprintf(stderr, "[cuda-emu] %s: invalid launch grid (%u,%u,%u) block (%u,%u,%u)\n", k->name, g[0], g[1],
                     g[2], b[0], b[1], b[2]);
        return INVALID_VALUE;
    }
    blockDim_ = {b[0], b[1], b[2]};
    gridDim_ = {g[0], g[1], g[2]};
    running = k;
    runningParams = params;
    directMode = k->direct;
    failure.clear();
    for (unsigned z = 0; z < g[2]; z++)
        for (unsigned y = 0; y < g[1]; y++)
            for (unsigned x = 0; x < g[0]; x++) {
                blockIdx_ = {x, y, z};
                if (directMode) {
                    for (int t = 0; t < threads; t++) {
                        directTid = {(unsigned)t % b[0], ((unsigned)t / b[0]) % b[1], (unsigned)t / (b[0] * b[1])};
                        k->invoke(k->fn, params);
                    }
                } else {
                    run_block((int)threads);
                }
                if (!failure.empty()) {
                    std::fprintf(stderr, "[cuda-emu] %s, block (%u,%u,%u) of (%u,%u,%u), %lld threads: %s\n", k->name, x,
                                 y, z, g[0], g[1], g[2], threads, failure.c_str());
                    return LAUNCH_FAILED;
                }
            }
    return OK;
}

// ---------------------------------------------------------------- graphs
struct Node {
    const KernelInfo* k;
    unsigned g[3], b[3];
    std::vector<char> args;
    std::vector<size_t> offsets;
};
struct Graph { std::vector<Node> nodes; };
struct Stream { bool capturing = false, invalidated = false; Graph* graph = nullptr; };
struct Event { std::chrono::steady_clock::time_point t; };

static CUresult run_graph(Graph* gr) {
    for (Node& n : gr->nodes) {
        std::vector<void*> p(n.offsets.size());
        for (size_t i = 0; i < p.size(); i++) p[i] = n.args.data() + n.offsets[i];
        CUresult r = launch(n.k, n.g, n.b, p.data());
        if (r != OK) return r;
    }
    return OK;
}

static bool anyCapturing(Stream* s) { return s != nullptr && s->capturing; }
static void invalidate(Stream* s) { if (s != nullptr && s->capturing) s->invalidated = true; }
static std::vector<Stream*> streams;
static bool captureActive() {
    for (Stream* s : streams) if (s->capturing) return true;
    return false;
}
static void invalidateAll() { for (Stream* s : streams) invalidate(s); }

// ---------------------------------------------------------------- memory with a guard page after each block
struct Mapping { void* base; size_t len; };
static std::map<CUdeviceptr, Mapping> mappings;
static CUresult alloc_guarded(CUdeviceptr* out, size_t bytes) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE), body = (bytes + 15) / 16 * 16;
    size_t pages = (body + page - 1) / page, len = (pages + 1) * page;
    void* base = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return 2;   // CUDA_ERROR_OUT_OF_MEMORY
    mprotect(static_cast<char*>(base) + pages * page, page, PROT_NONE);
    char* start = static_cast<char*>(base) + pages * page - body;
    std::memset(start, 0xFF, body);      // NaN in every float: reading memory never written shows
    *out = (CUdeviceptr)start;
    mappings[*out] = {base, len};
    return OK;
}
}  // namespace emu

using namespace emu;

extern "C" {
CUresult cuInit(unsigned) { return OK; }
CUresult cuDriverGetVersion(int* v) { *v = 13000; return OK; }
CUresult cuDeviceGetCount(int* n) { *n = 1; return OK; }
CUresult cuDeviceGet(int* d, int ordinal) { if (ordinal != 0) return INVALID_VALUE; *d = 0; return OK; }
CUresult cuDeviceGetName(char* name, int len, int) {
    std::snprintf(name, len, "CPU emulator (kernels/emu, %zu kernels)", registry().size());
    return OK;
}
CUresult cuDevicePrimaryCtxRetain(void** ctx, int) { static int c; *ctx = &c; return OK; }
CUresult cuDevicePrimaryCtxRelease_v2(int) { return OK; }
CUresult cuCtxSetCurrent(void*) { return OK; }

CUresult cuStreamCreate(void** s, unsigned) { Stream* st = new Stream(); streams.push_back(st); *s = st; return OK; }
CUresult cuStreamDestroy_v2(void* s) {
    for (size_t i = 0; i < streams.size(); i++) if (streams[i] == s) streams.erase(streams.begin() + i);
    delete static_cast<Stream*>(s);
    return OK;
}
CUresult cuStreamSynchronize(void* s) {
    if (anyCapturing(static_cast<Stream*>(s))) { invalidate(static_cast<Stream*>(s)); return CAPTURE_UNSUPPORTED; }
    return OK;
}

CUresult cuModuleLoadData(void** m, const void*) { static int mod; *m = &mod; return OK; }
CUresult cuModuleUnload(void*) { return OK; }
CUresult cuModuleGetFunction(void** f, void*, const char* name) {
    auto it = registry().find(name);
    if (it == registry().end()) return NOT_FOUND;
    *f = &it->second;
    return OK;
}

CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned, void* stream, void** params, void** extra) {
    if (f == nullptr || extra != nullptr) return INVALID_VALUE;
    const KernelInfo* k = static_cast<const KernelInfo*>(f);
    unsigned g[3] = {gx, gy, gz}, b[3] = {bx, by, bz};
    Stream* s = static_cast<Stream*>(stream);
    if (anyCapturing(s)) {                 // recorded with its arguments copied, as the driver does
        Node n{k, {gx, gy, gz}, {bx, by, bz}, {}, {}};
        for (int i = 0; i < k->nparams; i++) {
            n.offsets.push_back(n.args.size());
            n.args.insert(n.args.end(), static_cast<char*>(params[i]), static_cast<char*>(params[i]) + k->sizes[i]);
            while (n.args.size() % 8) n.args.push_back(0);
        }
        s->graph->nodes.push_back(std::move(n));
        return OK;
    }
    return launch(k, g, b, params);
}

CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t bytes) { return alloc_guarded(p, bytes); }
CUresult cuMemFree_v2(CUdeviceptr p) {
    if (captureActive()) invalidateAll();
    auto it = mappings.find(p);
    if (it == mappings.end()) return INVALID_VALUE;
    munmap(it->second.base, it->second.len);
    mappings.erase(it);
    return OK;
}
CUresult cuMemHostAlloc(void** p, size_t bytes, unsigned) { *p = std::malloc(bytes ? bytes : 1); return *p ? OK : 2; }
CUresult cuMemFreeHost(void* p) { std::free(p); return OK; }
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr d, const void* h, size_t n, void* s) {
    if (anyCapturing(static_cast<Stream*>(s))) { invalidate(static_cast<Stream*>(s)); return CAPTURE_UNSUPPORTED; }
    std::memcpy(reinterpret_cast<void*>(d), h, n);
    return OK;
}
CUresult cuMemcpyDtoHAsync_v2(void* h, CUdeviceptr d, size_t n, void* s) {
    if (anyCapturing(static_cast<Stream*>(s))) { invalidate(static_cast<Stream*>(s)); return CAPTURE_UNSUPPORTED; }
    std::memcpy(h, reinterpret_cast<void*>(d), n);
    return OK;
}

CUresult cuEventCreate(void** e, unsigned) { *e = new Event(); return OK; }
CUresult cuEventDestroy_v2(void* e) { delete static_cast<Event*>(e); return OK; }
CUresult cuEventRecord(void* e, void* s) {
    if (anyCapturing(static_cast<Stream*>(s))) { invalidate(static_cast<Stream*>(s)); return CAPTURE_UNSUPPORTED; }
    static_cast<Event*>(e)->t = std::chrono::steady_clock::now();
    return OK;
}
CUresult cuEventSynchronize(void*) { return captureActive() ? (invalidateAll(), CAPTURE_UNSUPPORTED) : OK; }
CUresult cuEventElapsedTime(float* ms, void* a, void* b) {
    *ms = std::chrono::duration<float, std::milli>(static_cast<Event*>(b)->t - static_cast<Event*>(a)->t).count();
    return OK;
}

CUresult cuStreamBeginCapture_v2(void* stream, int) {
    Stream* s = static_cast<Stream*>(stream);
    if (s == nullptr || s->capturing) return ILLEGAL_STATE;
    s->capturing = true;
    s->invalidated = false;
    s->graph = new Graph();
    return OK;
}
CUresult cuStreamEndCapture(void* stream, void** graph) {
    Stream* s = static_cast<Stream*>(stream);
    if (s == nullptr || !s->capturing) return ILLEGAL_STATE;
    s->capturing = false;
    if (s->invalidated) { delete s->graph; s->graph = nullptr; *graph = nullptr; return CAPTURE_INVALIDATED; }
    *graph = s->graph;
    s->graph = nullptr;
    return OK;
}
CUresult cuGraphInstantiateWithFlags(void** exec, void* graph, unsigned long long) {
    if (graph == nullptr) return INVALID_VALUE;
    *exec = new Graph(*static_cast<Graph*>(graph));
    return OK;
}
CUresult cuGraphGetNodes(void* graph, void** nodes, size_t* count) {
    Graph* g = static_cast<Graph*>(graph);
    if (nodes == nullptr) { *count = g->nodes.size(); return OK; }
    size_t n = std::min(*count, g->nodes.size());
    for (size_t i = 0; i < *count; i++) nodes[i] = i < n ? &g->nodes[i] : nullptr;
    *count = n;
    return OK;
}
CUresult cuGraphLaunch(void* exec, void* stream) {
    if (anyCapturing(static_cast<Stream*>(stream))) return CAPTURE_UNSUPPORTED;
    return run_graph(static_cast<Graph*>(exec));
}
CUresult cuGraphExecDestroy(void* exec) { delete static_cast<Graph*>(exec); return OK; }
CUresult cuGraphDestroy(void* graph) { delete static_cast<Graph*>(graph); return OK; }

CUresult cuGetErrorName(CUresult r, const char** s) {
    switch (r) {
        case OK: *s = "CUDA_SUCCESS"; break;
        case INVALID_VALUE: *s = "CUDA_ERROR_INVALID_VALUE"; break;
        case 2: *s = "CUDA_ERROR_OUT_OF_MEMORY"; break;
        case NOT_FOUND: *s = "CUDA_ERROR_NOT_FOUND"; break;
        case LAUNCH_FAILED: *s = "CUDA_ERROR_LAUNCH_FAILED"; break;
        case CAPTURE_UNSUPPORTED: *s = "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED"; break;
        case CAPTURE_INVALIDATED: *s = "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED"; break;
        case ILLEGAL_STATE: *s = "CUDA_ERROR_ILLEGAL_STATE"; break;
        default: *s = "CUDA_ERROR_UNKNOWN"; return INVALID_VALUE;
    }
    return OK;
}
CUresult cuGetErrorString(CUresult r, const char** s) { return cuGetErrorName(r, s); }
}  // extern "C"
