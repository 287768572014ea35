// fake_driver.cpp: a libcuda.so.1 that runs our kernels on the CPU (tests without a GPU; see README.md here).
//
// It implements the part of the CUDA driver API that the JCuda binding calls for CudaBackend: device and context
// queries, streams, events, modules (the PTX text is ignored; functions are looked up among the kernels compiled
// from kernels/cuda/*.cu), kernel launches, device and pinned memory, copies, and stream capture into graphs.
// Device pointers are host pointers. Work is asynchronous as on a GPU: launches and copies are queued on their
// stream and run at the next synchronisation (cuStreamSynchronize, cuEventSynchronize, cuMemFree), so a host buffer
// rewritten before its copy ran shows. A launch that fails makes the context's error sticky, as on a GPU.
// The emulated cuBLAS and cuDNN (fake_cublas.cpp, fake_cudnn.cpp) hand their work to it through emu_lib.h: queued
// and recorded like a launch, checked against the live allocations.
// Checks a GPU would not make plainly: new device and __shared__ memory is NaN bytes (0xFF); every allocation
// starts 256-byte aligned, is followed by canary bytes checked after every launch and then by a guard page; a
// barrier or shuffle reached at different call sites, a thread exiting while others wait at a barrier, a full-mask
// shuffle with exited lanes, or a deadlock fails the launch; every other block (alternating per launch) runs its
// threads in reverse order, so a missing barrier between a producer and its consumers shows.
#include "cuda_emu.h"
#include "emu_register.h"
#include "emu_lib.h"

#include <setjmp.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
enum {
    OK = 0, INVALID_VALUE = 1, NOT_INITIALIZED = 3, INVALID_HANDLE = 400, NOT_FOUND = 500, LAUNCH_FAILED = 719,
    CAPTURE_UNSUPPORTED = 900, CAPTURE_INVALIDATED = 901, CAPTURE_IMPLICIT = 906, ILLEGAL_STATE = 401
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
    const char* site;                    // where it waits (a barrier's or a shuffle's source line)
    bool started;
    jmp_buf jb;                          // where a parked fiber resumes
    char* stack;
};
static const size_t STACK = 256 * 1024;
emu_dim3 blockIdx_, blockDim_, gridDim_;
static Fiber* cur;
static emu_dim3 directTid;
static bool directMode;
static jmp_buf schedJb;                  // where the scheduler resumes when a fiber parks or ends
// Fixed storage: a ucontext_t points into itself (its saved FP state), so fibers must never move.
static Fiber fibers[1024];
static int fiberSlots;                   // slots with a stack and an initialised context
static int blockThreads;                 // threads of the running block
static bool reverseOrder;                // this block runs its threads n-1 .. 0 (every other block and launch)
static std::vector<uint64_t> slots;
static std::string failure;
static const KernelInfo* running;
static void** runningParams;

const emu_dim3& thread_idx() { return directMode ? directTid : cur->tid; }
int lane() { return directMode ? 0 : (cur->linear & 31); }

static bool sameSite(const char* a, const char* b) { return a == b || (a && b && std::strcmp(a, b) == 0); }

// Switching: a fiber is entered once through its ucontext (setcontext), after that only by _setjmp/_longjmp,
// which, unlike swapcontext, make no system call (swapcontext saves the signal mask every time).
static void park(State s) {
    cur->state = s;
    if (!_setjmp(cur->jb)) _longjmp(schedJb, 1);
}

void syncthreads(const char* site) {
    if (directMode) { failure = "__syncthreads in a file built without fibers"; return; }
    cur->site = site;
    park(AT_BLOCK);
}

uint64_t shuffle(unsigned mask, uint64_t bits, int j, bool valid, const char* site) {
    if (directMode) { failure = "warp shuffle in a file built without fibers"; return bits; }
    int l = cur->linear & 31, w = cur->linear >> 5;
    cur->mask = mask;
    cur->site = site;
    slots[w * 32 + l] = bits;
    park(AT_WARP);
    uint64_t r = valid ? slots[w * 32 + j] : bits;
    if (valid && w * 32 + j < blockThreads && fibers[w * 32 + j].state == DONE && failure.empty())
        failure = "shuffle at " + std::string(site) + " reads lane " + std::to_string(j) + ", which has exited";
    park(AT_WARP);
    return r;
}

static void trampoline() {
    running->invoke(running->fn, runningParams);
    cur->state = DONE;
    _longjmp(schedJb, 1);
}

/** Runs one block of n threads as fibers until all are done; sets failure on a broken barrier or a deadlock. */
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
        f.site = nullptr;
        f.started = false;
        f.ctx.uc_stack.ss_sp = f.stack;
        f.ctx.uc_stack.ss_size = STACK;
        f.ctx.uc_link = nullptr;             // trampoline never returns: it jumps back to the scheduler
        makecontext(&f.ctx, trampoline, 0);
    }
    while (true) {
        for (int i = 0; i < n; i++) {
            int t = reverseOrder ? n - 1 - i : i;
            if (fibers[t].state != READY) continue;
            cur = &fibers[t];
            if (!_setjmp(schedJb)) {
                if (!cur->started) { cur->started = true; setcontext(&cur->ctx); }
                _longjmp(cur->jb, 1);
            }
        }
        if (!failure.empty()) return;
        int live = 0, atBlock = 0, done = 0;
        for (int t = 0; t < n; t++) {
            live += fibers[t].state != DONE;
            atBlock += fibers[t].state == AT_BLOCK;
        }
        done = n - live;
        if (live == 0) return;
        bool released = false;
        for (int w = 0; w * 32 < n; w++) {                   // warps whose live lanes all wait at one shuffle
            int hi = std::min(n, w * 32 + 32), waiting = 0, alive = 0;
            unsigned exited = 0, mask = 0;
            const char* site = nullptr;
            for (int t = w * 32; t < hi; t++) {
                if (fibers[t].state == DONE) { exited |= 1u << (t & 31); continue; }
                alive++;
                if (fibers[t].state == AT_WARP) {
                    if (waiting++ == 0) site = fibers[t].site;
                    else if (!sameSite(site, fibers[t].site)) {
                        failure = std::string("divergent shuffles in warp ") + std::to_string(w) + ": " + site + " and "
                                + fibers[t].site;
                        return;
                    }
                    mask |= fibers[t].mask;
                }
            }
            for (int t = hi; t < w * 32 + 32; t++) exited |= 1u << (t & 31);   // lanes past the block's end
            if (alive == 0 || waiting != alive) continue;
            if ((mask & exited) != 0) {
                failure = std::string("full-mask shuffle at ") + site + " in warp " + std::to_string(w) + " with exited lanes";
                return;
            }
            for (int t = w * 32; t < hi; t++) if (fibers[t].state == AT_WARP) fibers[t].state = READY;
            released = true;
        }
        if (released) continue;
        if (atBlock == live) {
            if (done > 0) {
                failure = std::to_string(done) + " thread(s) exited while " + std::to_string(live)
                        + " wait at __syncthreads (" + fibers[0].site + "...)";
                for (int t = 0; t < n; t++) if (fibers[t].state == AT_BLOCK) { failure = std::to_string(done)
                        + " thread(s) exited while " + std::to_string(live) + " wait at __syncthreads, "
                        + fibers[t].site; break; }
                return;
            }
            const char* site = nullptr;
            for (int t = 0; t < n; t++) {
                if (site == nullptr) site = fibers[t].site;
                else if (!sameSite(site, fibers[t].site)) {
                    failure = std::string("divergent __syncthreads: thread 0 waits at ") + site + ", thread "
                            + std::to_string(t) + " at " + fibers[t].site;
                    return;
                }
            }
            for (int t = 0; t < n; t++) fibers[t].state = READY;
            continue;
        }
        failure = "deadlock: " + std::to_string(atBlock) + " of " + std::to_string(live)
                + " live threads wait at __syncthreads, the others at a warp shuffle";
        return;
    }
}

// ---------------------------------------------------------------- memory: 256-aligned, canary bytes, guard page
struct Mapping { void* base; size_t len; size_t bytes, padded; };
static std::map<CUdeviceptr, Mapping> mappings;
static const unsigned char CANARY = 0xA5;

static CUresult alloc_guarded(CUdeviceptr* out, size_t bytes) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE), padded = (bytes + 255) / 256 * 256;
    if (padded == 0) padded = 256;
    size_t pages = (padded + page - 1) / page, len = (pages + 1) * page;
    void* base = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return 2;   // CUDA_ERROR_OUT_OF_MEMORY
    mprotect(static_cast<char*>(base) + pages * page, page, PROT_NONE);
    char* start = static_cast<char*>(base) + pages * page - padded;
    std::memset(start, 0xFF, bytes);     // NaN in every float: reading memory never written shows
    std::memset(start + bytes, CANARY, padded - bytes);
    *out = (CUdeviceptr)start;
    mappings[*out] = {base, len, bytes, padded};
    return OK;
}

/** After a launch: the bytes between each allocation's end and its 256-byte boundary must be untouched. */
static void check_canaries() {
    for (auto& [p, m] : mappings) {
        const unsigned char* c = reinterpret_cast<const unsigned char*>(p) + m.bytes;
        for (size_t i = 0; i < m.padded - m.bytes; i++)
            if (c[i] != CANARY) {
                failure = "write past the end of a device allocation of " + std::to_string(m.bytes) + " bytes (at +"
                        + std::to_string(m.bytes + i) + ")";
                return;
            }
    }
}

// ---------------------------------------------------------------- launches
static int launchCount;
static CUresult sticky;                  // the first launch failure: every later call returns it, as on a GPU

static CUresult validate(const KernelInfo* k, const unsigned g[3], const unsigned b[3]) {
    long long threads = (long long)b[0] * b[1] * b[2];
    if (threads <= 0 || threads > k->maxThreads || b[0] > 1024 || b[1] > 1024 || b[2] > 64 || g[0] == 0 || g[1] == 0
        || g[2] == 0 || g[1] > 65535 || g[2] > 65535 || g[0] > 0x7fffffffu) {
        std::fprintf(stderr, "[cuda-emu] %s: invalid launch grid (%u,%u,%u) block (%u,%u,%u), at most %d threads\n",
                     k->name, g[0], g[1], g[2], b[0], b[1], b[2], k->maxThreads);
        return INVALID_VALUE;
    }
    return OK;
}

extern "C" char __start_emu_shared[] __attribute__((weak));
extern "C" char __stop_emu_shared[] __attribute__((weak));

static CUresult run(const KernelInfo* k, const unsigned g[3], const unsigned b[3], void** params) {
    int threads = (int)(b[0] * b[1] * b[2]);
    blockDim_ = {b[0], b[1], b[2]};
    gridDim_ = {g[0], g[1], g[2]};
    running = k;
    runningParams = params;
    directMode = k->direct;
    int parity = launchCount++ & 1;
    failure.clear();
    for (unsigned z = 0; z < g[2]; z++)
        for (unsigned y = 0; y < g[1]; y++)
            for (unsigned x = 0; x < g[0]; x++) {
                blockIdx_ = {x, y, z};
                reverseOrder = ((x + y + z + parity) & 1) != 0;
                if (__start_emu_shared != __stop_emu_shared)
                    std::memset(__start_emu_shared, 0xFF, __stop_emu_shared - __start_emu_shared);
                if (directMode) {
                    for (int i = 0; i < threads; i++) {
                        int t = reverseOrder ? threads - 1 - i : i;
                        directTid = {(unsigned)t % b[0], ((unsigned)t / b[0]) % b[1], (unsigned)t / (b[0] * b[1])};
                        k->invoke(k->fn, params);
                    }
                } else {
                    run_block(threads);
                }
                if (!failure.empty()) {
                    std::fprintf(stderr, "[cuda-emu] %s, block (%u,%u,%u) of (%u,%u,%u), %d threads: %s\n", k->name, x,
                                 y, z, g[0], g[1], g[2], threads, failure.c_str());
                    return LAUNCH_FAILED;
                }
            }
    check_canaries();
    if (!failure.empty()) {
        std::fprintf(stderr, "[cuda-emu] %s: %s\n", k->name, failure.c_str());
        return LAUNCH_FAILED;
    }
    return OK;
}

// ---------------------------------------------------------------- streams: queued work, graphs, events
struct Node {
    const KernelInfo* k;
    unsigned g[3], b[3];
    std::vector<char> args;
    std::vector<size_t> offsets;
    std::shared_ptr<LibraryWork> lib = nullptr;   // a cuBLAS/cuDNN call instead of a kernel (k is null then)
    const char* libName = nullptr;
};
struct Graph { std::vector<Node> nodes; };
struct Event { std::chrono::steady_clock::time_point t; long long seq = -1; };

/** Queued work: a launch (node), a copy (dst, src, bytes), an event to mark, or a graph to run. */
struct Op {
    enum Kind { LAUNCH, COPY, EVENT, GRAPH } kind;
    Node node;
    void* dst = nullptr;
    const void* src = nullptr;
    size_t bytes = 0;
    Event* event = nullptr;
    Graph* graph = nullptr;
    long long seq = 0;
};
struct Stream {
    bool capturing = false, invalidated = false;
    Graph* graph = nullptr;
    std::vector<Op> queue;
};
static std::vector<Stream*> streams;
static std::recursive_mutex lock;
static long long opSeq;

static Node make_node(const KernelInfo* k, const unsigned g[3], const unsigned b[3], void** params) {
    Node n{k, {g[0], g[1], g[2]}, {b[0], b[1], b[2]}, {}, {}};
    for (int i = 0; i < k->nparams; i++) {          // the arguments are copied at the call, as the driver does
        n.offsets.push_back(n.args.size());
        n.args.insert(n.args.end(), static_cast<char*>(params[i]), static_cast<char*>(params[i]) + k->sizes[i]);
        while (n.args.size() % 8) n.args.push_back(0);
    }
    return n;
}

static CUresult run_library(Node& n) {
    failure = (*n.lib)();
    if (failure.empty()) check_canaries();
    if (!failure.empty()) {
        std::fprintf(stderr, "[cuda-emu] %s: %s\n", n.libName, failure.c_str());
        return LAUNCH_FAILED;
    }
    return OK;
}

static CUresult run_node(Node& n) {
    if (n.lib) return run_library(n);
    std::vector<void*> p(n.offsets.size());
    for (size_t i = 0; i < p.size(); i++) p[i] = n.args.data() + n.offsets[i];
    return run(n.k, n.g, n.b, p.data());
}

/** Runs a stream's queued work up to and including the op numbered `upTo` (all of it for -1). */
static CUresult flush(Stream* s, long long upTo = -1) {
    size_t i = 0;
    CUresult r = OK;
    for (; i < s->queue.size() && r == OK; i++) {
        Op& op = s->queue[i];
        if (upTo >= 0 && op.seq > upTo) break;
        switch (op.kind) {
            case Op::LAUNCH: r = run_node(op.node); break;
            case Op::COPY: std::memcpy(op.dst, op.src, op.bytes); break;
            case Op::EVENT: op.event->t = std::chrono::steady_clock::now(); break;
            case Op::GRAPH:
                for (Node& n : op.graph->nodes) if ((r = run_node(n)) != OK) break;
                break;
        }
    }
    s->queue.erase(s->queue.begin(), s->queue.begin() + i);
    if (r != OK && sticky == OK) sticky = r;
    return r;
}
static CUresult flush_all() {
    for (Stream* s : streams) flush(s);
    return sticky;
}
static void enqueue(Stream* s, Op op) { op.seq = ++opSeq; s->queue.push_back(std::move(op)); }

// ---------------------------------------------------------------- the emulated libraries' entry points (emu_lib.h)
int library_call(void* stream, const char* name, LibraryWork work) {
    std::lock_guard<std::recursive_mutex> guard(lock);
    if (sticky != OK) return sticky;
    Node n{};
    n.lib = std::make_shared<LibraryWork>(std::move(work));
    n.libName = name;
    if (stream == nullptr) {
        for (Stream* s : streams)
            if (s->capturing) {
                s->invalidated = true;
                std::fprintf(stderr, "[cuda-emu] %s on the legacy default stream while a stream captures\n", name);
                return CAPTURE_IMPLICIT;
            }
        CUresult r = flush_all();
        if (r != OK) return r;
        if ((r = run_node(n)) != OK && sticky == OK) sticky = r;
        return r;
    }
    Stream* s = static_cast<Stream*>(stream);
    bool known = false;
    for (Stream* t : streams) known |= t == s;
    if (!known) {
        std::fprintf(stderr, "[cuda-emu] %s on %p, which is not a stream\n", name, stream);
        return INVALID_HANDLE;
    }
    if (s->capturing) { s->graph->nodes.push_back(std::move(n)); return OK; }
    Op op{Op::LAUNCH, std::move(n)};
    enqueue(s, std::move(op));
    return OK;
}

std::string device_range(const void* p, size_t bytes, const char* what) {
    std::lock_guard<std::recursive_mutex> guard(lock);
    CUdeviceptr a = (CUdeviceptr)p;
    auto it = mappings.upper_bound(a);
    if (it != mappings.begin()) {
        --it;
        if (a >= it->first && a + bytes <= it->first + it->second.bytes) return "";
        if (a >= it->first && a < it->first + it->second.bytes)
            return std::string(what) + " (" + std::to_string(bytes) + " bytes at +" + std::to_string(a - it->first)
                    + ") runs past the end of its allocation of " + std::to_string(it->second.bytes) + " bytes";
    }
    return std::string(what) + " (" + std::to_string(bytes) + " bytes at " + std::to_string(a)
            + ") is not in any live device allocation";
}

bool capturing(void* stream) {
    std::lock_guard<std::recursive_mutex> guard(lock);
    for (Stream* s : streams) if (s == stream) return s->capturing;
    return false;
}

int synchronize_all() {
    std::lock_guard<std::recursive_mutex> guard(lock);
    return flush_all();
}
}  // namespace emu

using namespace emu;

extern "C" {
#define GUARD std::lock_guard<std::recursive_mutex> guard(emu::lock)
#define STICKY if (sticky != OK) return sticky

CUresult cuInit(unsigned) { return OK; }
CUresult cuDriverGetVersion(int* v) { *v = 13000; return OK; }
CUresult cuDeviceGetCount(int* n) { *n = 1; return OK; }
CUresult cuDeviceGet(int* d, int ordinal) { if (ordinal != 0) return INVALID_VALUE; *d = 0; return OK; }
CUresult cuDeviceGetName(char* name, int len, int) {
    std::snprintf(name, len, "CPU emulator (kernels/emu, %zu kernels)", registry().size());
    return OK;
}
// Only the attribute the backend asks for: the SM count, which sizes split-K GEMMs (CudaKernels.splitK). The emulator
// reports an H200's 132, so the same shapes split here as there; any other attribute is refused, not invented.
CUresult cuDeviceGetAttribute(int* v, int attrib, int dev) {
    if (dev != 0) return INVALID_VALUE;
    if (attrib == 16) { *v = 132; return OK; }       // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
    return INVALID_VALUE;
}
CUresult cuDevicePrimaryCtxRetain(void** ctx, int) { static int c; *ctx = &c; return OK; }
CUresult cuDevicePrimaryCtxRelease_v2(int) { return OK; }
CUresult cuCtxSetCurrent(void*) { return OK; }

CUresult cuStreamCreate(void** s, unsigned) { GUARD; Stream* st = new Stream(); streams.push_back(st); *s = st; return OK; }
CUresult cuStreamDestroy_v2(void* s) {
    GUARD;
    Stream* st = static_cast<Stream*>(s);
    flush(st);
    for (size_t i = 0; i < streams.size(); i++) if (streams[i] == st) { streams.erase(streams.begin() + i); break; }
    delete st;
    return OK;
}
CUresult cuStreamSynchronize(void* s) {
    GUARD;
    Stream* st = static_cast<Stream*>(s);
    if (st->capturing) { st->invalidated = true; return CAPTURE_UNSUPPORTED; }
    STICKY;
    return flush(st);
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
    GUARD;
    STICKY;
    if (f == nullptr || extra != nullptr || stream == nullptr) return INVALID_VALUE;
    const KernelInfo* k = static_cast<const KernelInfo*>(f);
    unsigned g[3] = {gx, gy, gz}, b[3] = {bx, by, bz};
    CUresult v = validate(k, g, b);                   // configuration errors come back at the call, as on a GPU
    if (v != OK) return v;
    Stream* s = static_cast<Stream*>(stream);
    if (s->capturing) { s->graph->nodes.push_back(make_node(k, g, b, params)); return OK; }
    Op op{Op::LAUNCH, make_node(k, g, b, params)};
    enqueue(s, std::move(op));
    return OK;
}

CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t bytes) { GUARD; STICKY; return alloc_guarded(p, bytes); }
CUresult cuMemFree_v2(CUdeviceptr p) {
    GUARD;
    for (Stream* s : streams) if (!s->capturing) flush(s);   // cuMemFree waits for the work that may use the block
    auto it = mappings.find(p);
    if (it == mappings.end()) return INVALID_VALUE;
    munmap(it->second.base, it->second.len);
    mappings.erase(it);
    return OK;
}
CUresult cuMemHostAlloc(void** p, size_t bytes, unsigned) { *p = std::malloc(bytes ? bytes : 1); return *p ? OK : 2; }
CUresult cuMemFreeHost(void* p) { GUARD; flush_all(); std::free(p); return OK; }
// Copies are queued like launches: the host buffer is read when the copy runs, not when it is enqueued. (A GPU
// would record a copy into a capture; the emulator refuses it, and our backend never issues one there.)
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr d, const void* h, size_t n, void* s) {
    GUARD;
    Stream* st = static_cast<Stream*>(s);
    if (st->capturing) { st->invalidated = true; return CAPTURE_UNSUPPORTED; }
    STICKY;
    Op op{Op::COPY};
    op.dst = reinterpret_cast<void*>(d); op.src = h; op.bytes = n;
    enqueue(st, std::move(op));
    return OK;
}
CUresult cuMemcpyDtoHAsync_v2(void* h, CUdeviceptr d, size_t n, void* s) {
    GUARD;
    Stream* st = static_cast<Stream*>(s);
    if (st->capturing) { st->invalidated = true; return CAPTURE_UNSUPPORTED; }
    STICKY;
    Op op{Op::COPY};
    op.dst = h; op.src = reinterpret_cast<void*>(d); op.bytes = n;
    enqueue(st, std::move(op));
    return OK;
}

CUresult cuEventCreate(void** e, unsigned) { *e = new Event(); return OK; }
CUresult cuEventDestroy_v2(void* e) { GUARD; flush_all(); delete static_cast<Event*>(e); return OK; }
CUresult cuEventRecord(void* e, void* s) {
    GUARD;
    Stream* st = static_cast<Stream*>(s);
    if (st->capturing) { st->invalidated = true; return CAPTURE_UNSUPPORTED; }
    Op op{Op::EVENT};
    op.event = static_cast<Event*>(e);
    enqueue(st, std::move(op));
    op.event->seq = opSeq;
    return OK;
}
CUresult cuEventSynchronize(void* e) {
    GUARD;
    Event* ev = static_cast<Event*>(e);
    for (Stream* s : streams) {
        if (s->capturing) { s->invalidated = true; return CAPTURE_UNSUPPORTED; }
        for (const Op& op : s->queue)
            if (op.kind == Op::EVENT && op.event == ev) { flush(s, op.seq); break; }
    }
    return sticky;
}
CUresult cuEventElapsedTime(float* ms, void* a, void* b) {
    *ms = std::chrono::duration<float, std::milli>(static_cast<Event*>(b)->t - static_cast<Event*>(a)->t).count();
    return OK;
}

CUresult cuStreamBeginCapture_v2(void* stream, int) {
    GUARD;
    Stream* s = static_cast<Stream*>(stream);
    if (s == nullptr || s->capturing) return ILLEGAL_STATE;
    s->capturing = true;
    s->invalidated = false;
    s->graph = new Graph();
    return OK;
}
CUresult cuStreamEndCapture(void* stream, void** graph) {
    GUARD;
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
    GUARD;
    Stream* s = static_cast<Stream*>(stream);
    if (s->capturing) return CAPTURE_UNSUPPORTED;
    STICKY;
    Op op{Op::GRAPH};
    op.graph = static_cast<Graph*>(exec);
    enqueue(s, std::move(op));
    return OK;
}
CUresult cuGraphExecDestroy(void* exec) { GUARD; flush_all(); delete static_cast<Graph*>(exec); return OK; }
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
