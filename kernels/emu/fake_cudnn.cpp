// fake_cudnn.cpp: a libcudnn.so.9 for the CUDA emulator: the 24 legacy functions Cudnn.java binds, with cuDNN 9's
// documented semantics and enum values (gpu-stack.md §3), so that our FFM binding, descriptors, algorithm choice,
// workspace handling and stream are exercised in CI without a GPU.
//
// Layouts: x (n, c, h, w), w (k, c, kh, kw), y (n, k, oh, ow), NCHW float only (anything else: NOT_SUPPORTED here);
// oh = 1 + (h + 2 pad_h - ((kh - 1) dil_h + 1)) / u, likewise ow. Mode CUDNN_CROSS_CORRELATION (1) computes
// y[o][oy][ox] = sum x[ci][oy u - pad + ki dil][ox v - pad + kj dil] w[o][ci][ki][kj]; CUDNN_CONVOLUTION (0) the
// same with the filter flipped (w[o][ci][kh-1-ki][kw-1-kj]). Forward: y = alpha conv(x, w) + beta y; BackwardData:
// dx = alpha conv^T(w, dy) + beta dx; BackwardFilter: dw = alpha (x-patches . dy) + beta dw; beta == 0: the output
// is not read (it may hold NaN). A descriptor whose dimensions do not fit the others is CUDNN_STATUS_BAD_PARAM.
//
// What makes it a checker, each mirroring a real behaviour:
// - math type: unless the convolution descriptor says CUDNN_FMA_MATH, inputs are rounded to TF32 (10 mantissa bits),
//   as Ampere and later GPUs may do under CUDNN_DEFAULT_MATH: an error of ~1e-3 that float32 tolerances catch;
// - the algorithm lists (_v7) put non-deterministic, unsupported and huge-workspace entries first, as real
//   heuristics may; the non-deterministic algorithms here really are (they sum in a random order each call);
// - an algorithm's workspace must be passed (pointer inside a live allocation, size at least what
//   Get*WorkspaceSize said); the call fills it with NaN bytes, as another call sharing it would leave it;
// - the work runs on the handle's stream (cudnnSetStream; none = the legacy default stream, which a capture refuses);
// - a destroyed or never-created handle or descriptor is CUDNN_STATUS_BAD_PARAM.
#include "emu_lib.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <numeric>
#include <random>
#include <map>
#include <vector>

namespace {
enum { SUCCESS = 0, NOT_INITIALIZED = 1001, BAD_PARAM = 2000, NOT_SUPPORTED = 3000, EXECUTION_FAILED = 5000 };
enum { CONVOLUTION = 0, CROSS_CORRELATION = 1, FMA_MATH = 3 };

struct Handle { static constexpr char KIND = 'h'; void* stream = nullptr; };
struct Dims { bool set = false; int n = 0, c = 0, h = 0, w = 0; };     // a tensor (n c h w) or a filter (k c h w)
struct Tensor : Dims { static constexpr char KIND = 't'; };
struct Filter : Dims { static constexpr char KIND = 'f'; };
struct Conv { static constexpr char KIND = 'c'; bool set = false; int padH, padW, u, v, dilH, dilW, mode; int math = 0; };

std::mutex lock;
std::map<void*, char> live;               // every handle and descriptor created and not destroyed, with its kind

/** p as a T when it is a live object of that kind (a filter descriptor passed as a tensor's is not). */
template <class T> T* get(void* p) {
    std::lock_guard<std::mutex> g(lock);
    auto it = live.find(p);
    return it != live.end() && it->second == T::KIND ? static_cast<T*>(p) : nullptr;
}
template <class T> int create(void** out) {
    if (out == nullptr) return BAD_PARAM;
    T* t = new T();
    std::lock_guard<std::mutex> g(lock);
    live[t] = T::KIND;
    *out = t;
    return SUCCESS;
}
template <class T> int destroy(void* p) {
    std::lock_guard<std::mutex> g(lock);
    auto it = live.find(p);
    if (it == live.end() || it->second != T::KIND) return BAD_PARAM;
    live.erase(it);
    delete static_cast<T*>(p);
    return SUCCESS;
}
int bad(const char* fn, const std::string& why) {
    std::fprintf(stderr, "[cuda-emu] %s: %s\n", fn, why.c_str());
    return BAD_PARAM;
}
int unsupported(const char* fn, int algo) {
    std::fprintf(stderr, "[cuda-emu] %s: algorithm %d is not supported here\n", fn, algo);
    return NOT_SUPPORTED;
}

/** The three operations; their algorithm tables and the workspace each algorithm needs. */
enum Op { FWD, BWD_DATA, BWD_FILTER };
struct Algo { int algo, status; bool deterministic; bool hugeWorkspace; bool usesWorkspace; };
// Best first, as the heuristics would rank them; the first entries are the ones a careful caller skips.
const std::vector<Algo> TABLE[3] = {
    {{6, NOT_SUPPORTED, true, false, false}, {2, SUCCESS, true, true, true}, {1, SUCCESS, true, false, true},
     {0, SUCCESS, true, false, false}},                                   // WINOGRAD, GEMM, IMPLICIT_PRECOMP, IMPLICIT
    {{0, SUCCESS, false, false, false}, {4, NOT_SUPPORTED, true, false, false}, {1, SUCCESS, true, false, true}},
    {{3, SUCCESS, false, false, true}, {0, SUCCESS, false, false, false}, {1, SUCCESS, true, false, true},
     {6, NOT_SUPPORTED, true, false, false}},
};
const char* NAME[3] = {"cudnnConvolutionForward", "cudnnConvolutionBackwardData", "cudnnConvolutionBackwardFilter"};

const Algo* find(Op op, int algo) {
    for (const Algo& a : TABLE[op]) if (a.algo == algo) return &a;
    return nullptr;
}

/** Checks that x, w, y and the convolution fit together; "" or why not. */
std::string fits(const Dims& x, const Dims& w, const Conv& cv, const Dims& y) {
    if (!x.set || !w.set || !y.set || !cv.set) return "a descriptor was never set";
    if (x.c != w.c) return "x has " + std::to_string(x.c) + " channels, the filter " + std::to_string(w.c);
    if (x.h + 2 * cv.padH < (w.h - 1) * cv.dilH + 1 || x.w + 2 * cv.padW < (w.w - 1) * cv.dilW + 1)
        return "the filter does not fit the padded input";    // (C++ division would round a negative size to 0)
    int oh = 1 + (x.h + 2 * cv.padH - ((w.h - 1) * cv.dilH + 1)) / cv.u;
    int ow = 1 + (x.w + 2 * cv.padW - ((w.w - 1) * cv.dilW + 1)) / cv.v;
    if (y.n != x.n || y.c != w.n || y.h != oh || y.w != ow)
        return "y is (" + std::to_string(y.n) + "," + std::to_string(y.c) + "," + std::to_string(y.h) + ","
             + std::to_string(y.w) + "), the convolution gives (" + std::to_string(x.n) + "," + std::to_string(w.n)
             + "," + std::to_string(oh) + "," + std::to_string(ow) + ")";
    return "";
}

/** What algorithm a needs as workspace for filter w and output (or output gradient) y. */
size_t workspaceBytes(const Algo& a, const Dims& w, const Dims& y) {
    if (a.hugeWorkspace) return (size_t)1 << 40;
    if (!a.usesWorkspace) return 0;
    return (size_t)w.c * w.h * w.w * y.h * y.w * sizeof(float);   // one image's patches, as an im2col would
}

float tf32(float f) {                      // round to nearest even on the 13 dropped mantissa bits
    uint32_t b;
    std::memcpy(&b, &f, 4);
    if ((b & 0x7f800000u) != 0x7f800000u) b = (b + 0xfffu + ((b >> 13) & 1)) & ~0x1fffu;
    std::memcpy(&f, &b, 4);
    return f;
}

size_t count(const Dims& d) { return (size_t)d.n * d.c * d.h * d.w; }

/**
 * The three operations as one loop nest over (image, o, oy, ox, ci, ki, kj); each call adds its products into a
 * double buffer in an order that is fixed (deterministic algorithms) or shuffled per call (the others), then
 * out = alpha sum + beta out.
 */
std::string convolve(Op op, const Dims x, const Dims w, const Conv cv, const Dims y, const float* in1,
                     const float* in2, float* out, float alpha, float beta, const Algo algo, void* ws,
                     size_t wsNeeded) {
    std::string why;
    const float *X = nullptr, *W = nullptr, *DY = nullptr;
    size_t outCount;
    if (op == FWD) { X = in1; W = in2; outCount = count(y); }
    else if (op == BWD_DATA) { W = in1; DY = in2; outCount = count(x); }
    else { X = in1; DY = in2; outCount = count(w); }
    if (X && !(why = emu::device_range(X, count(x) * 4, "x")).empty()) return why;
    if (W && !(why = emu::device_range(W, count(w) * 4, "w")).empty()) return why;
    if (DY && !(why = emu::device_range(DY, count(y) * 4, "dy")).empty()) return why;
    if (!(why = emu::device_range(out, outCount * 4, "the output")).empty()) return why;
    if (wsNeeded > 0) {
        if (!(why = emu::device_range(ws, wsNeeded, "the workspace")).empty()) return why;
        std::memset(ws, 0xFF, wsNeeded);     // what another call sharing the workspace might have left
    }
    bool round = cv.math != FMA_MATH;
    auto rd = [round](float f) { return round ? tf32(f) : f; };
    // Deterministic algorithms add every product into a double, in a fixed order; the others add floats with the
    // image and output-channel loops in a new random order each call (as atomics on a GPU do).
    std::vector<int> imgs(x.n), outs(w.n);
    std::iota(imgs.begin(), imgs.end(), 0);
    std::iota(outs.begin(), outs.end(), 0);
    if (!algo.deterministic) {
        static std::mt19937_64 rng(std::random_device{}());
        std::shuffle(imgs.begin(), imgs.end(), rng);
        std::shuffle(outs.begin(), outs.end(), rng);
    }
    std::vector<double> sum(outCount, 0.0);
    std::vector<float> fsum(outCount, 0.f);
    for (int img : imgs)
        for (int o : outs)
            for (int oy = 0; oy < y.h; oy++)
                for (int ox = 0; ox < y.w; ox++)
                    for (int ci = 0; ci < x.c; ci++)
                        for (int ki = 0; ki < w.h; ki++)
                            for (int kj = 0; kj < w.w; kj++) {
                                int iy = oy * cv.u - cv.padH + ki * cv.dilH, ix = ox * cv.v - cv.padW + kj * cv.dilW;
                                if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;
                                int fki = cv.mode == CONVOLUTION ? w.h - 1 - ki : ki;
                                int fkj = cv.mode == CONVOLUTION ? w.w - 1 - kj : kj;
                                size_t xi = (((size_t)img * x.c + ci) * x.h + iy) * x.w + ix;
                                size_t wi = (((size_t)o * w.c + ci) * w.h + fki) * w.w + fkj;
                                size_t yi = (((size_t)img * y.c + o) * y.h + oy) * y.w + ox;
                                size_t i;
                                double v;
                                if (op == FWD) { i = yi; v = (double)rd(X[xi]) * rd(W[wi]); }
                                else if (op == BWD_DATA) { i = xi; v = (double)rd(W[wi]) * rd(DY[yi]); }
                                else { i = wi; v = (double)rd(X[xi]) * rd(DY[yi]); }
                                if (algo.deterministic) sum[i] += v;
                                else fsum[i] += (float)v;
                            }
    std::vector<float> acc(outCount);
    for (size_t i = 0; i < outCount; i++) acc[i] = algo.deterministic ? (float)sum[i] : fsum[i];
    for (size_t i = 0; i < outCount; i++)
        out[i] = (float)((double)alpha * acc[i] + (beta == 0 ? 0.0 : (double)beta * out[i]));
    return "";
}

/** The descriptors of one call, x, w, y by role: each operation passes them in its own order (d1, d2, d3). */
struct Descs { Tensor* x; Filter* w; Tensor* y; Conv* cv; };

/** Resolves and checks the descriptors of a call of op; "" or why they cannot be used. */
std::string resolve(Op op, void* handle, void* d1, void* d2, void* convDesc, void* d3, Descs& d) {
    if (get<Handle>(handle) == nullptr) return "not a live cudnnHandle_t";
    d.cv = get<Conv>(convDesc);
    d.x = get<Tensor>(op == BWD_DATA ? d3 : d1);
    d.w = get<Filter>(op == FWD ? d2 : op == BWD_DATA ? d1 : d3);
    d.y = get<Tensor>(op == FWD ? d3 : d2);
    const char* dead = !d.cv ? "the convolution descriptor" : !d.w ? "the filter descriptor"
                     : !d.x ? (op == BWD_DATA ? "dxDesc" : "xDesc") : !d.y ? (op == FWD ? "yDesc" : "dyDesc") : nullptr;
    if (dead) return std::string(dead) + " is not live (destroyed, never created, or of another kind)";
    return fits(*d.x, *d.w, *d.cv, *d.y);
}

/** The checks and the queued work shared by the three cudnnConvolution* calls. */
int run(Op op, void* handle, const float* alpha, void* d1, const void* p1, void* d2, const void* p2, void* convDesc,
        int algo, void* ws, size_t wsBytes, const float* beta, void* d3, void* p3) {
    const char* fn = NAME[op];
    Descs d;
    std::string why = resolve(op, handle, d1, d2, convDesc, d3, d);
    if (!why.empty()) return bad(fn, why);
    Handle* h = get<Handle>(handle);
    if (alpha == nullptr || beta == nullptr || p1 == nullptr || p2 == nullptr || p3 == nullptr)
        return bad(fn, "a null pointer");
    const Algo* a = find(op, algo);
    if (a == nullptr || a->status != SUCCESS) return unsupported(fn, algo);
    size_t needed = workspaceBytes(*a, *d.w, *d.y);
    if (wsBytes < needed)
        return bad(fn, "workspace of " + std::to_string(wsBytes) + " bytes, algorithm " + std::to_string(algo)
                     + " needs " + std::to_string(needed));
    if (needed > 0 && ws == nullptr) return bad(fn, "null workspace");
    Dims X = *d.x, W = *d.w, Y = *d.y;
    Conv C = *d.cv;
    Algo A = *a;
    float al = *alpha, be = *beta;                            // host pointers: read at the call
    int r = emu::library_call(h->stream, fn, [=]() {
        return convolve(op, X, W, C, Y, static_cast<const float*>(p1), static_cast<const float*>(p2),
                        static_cast<float*>(p3), al, be, A, ws, needed);
    });
    return r == 0 ? SUCCESS : EXECUTION_FAILED;
}

int algorithms(Op op, void* handle, void* d1, void* d2, void* convDesc, void* d3, int requested, int* returned,
               void* perf) {
    const char* fns[3] = {"cudnnGetConvolutionForwardAlgorithm_v7", "cudnnGetConvolutionBackwardDataAlgorithm_v7",
                          "cudnnGetConvolutionBackwardFilterAlgorithm_v7"};
    Descs d;
    std::string why = resolve(op, handle, d1, d2, convDesc, d3, d);
    if (!why.empty()) return bad(fns[op], why);
    if (requested < 1 || returned == nullptr || perf == nullptr) return bad(fns[op], "requested < 1 or a null pointer");
    int n = std::min<int>(requested, (int)TABLE[op].size());
    char* rec = static_cast<char*>(perf);
    for (int i = 0; i < n; i++, rec += 48) {                  // cudnnConvolution*AlgoPerf_t, 48 bytes
        const Algo& a = TABLE[op][i];
        int determinism = a.deterministic ? 1 : 0, math = d.cv->math;
        float time = 0.1f * (i + 1);
        size_t memory = workspaceBytes(a, *d.w, *d.y);
        std::memset(rec, 0, 48);
        std::memcpy(rec + 0, &a.algo, 4);
        std::memcpy(rec + 4, &a.status, 4);
        std::memcpy(rec + 8, &time, 4);
        std::memcpy(rec + 16, &memory, 8);
        std::memcpy(rec + 24, &determinism, 4);
        std::memcpy(rec + 28, &math, 4);
    }
    *returned = n;
    return SUCCESS;
}

int workspace(Op op, void* handle, void* d1, void* d2, void* convDesc, void* d3, int algo, size_t* bytes) {
    const char* fns[3] = {"cudnnGetConvolutionForwardWorkspaceSize", "cudnnGetConvolutionBackwardDataWorkspaceSize",
                          "cudnnGetConvolutionBackwardFilterWorkspaceSize"};
    Descs d;
    std::string why = resolve(op, handle, d1, d2, convDesc, d3, d);
    if (!why.empty()) return bad(fns[op], why);
    const Algo* a = find(op, algo);
    if (a == nullptr || a->status != SUCCESS) return unsupported(fns[op], algo);
    if (bytes == nullptr) return bad(fns[op], "null size pointer");
    *bytes = workspaceBytes(*a, *d.w, *d.y);
    return SUCCESS;
}

int set4d(const char* fn, Dims* d, int format, int dataType, int n, int c, int h, int w) {
    if (d == nullptr) return bad(fn, "not a live descriptor");
    if (format != 0 || dataType != 0) {
        std::fprintf(stderr, "[cuda-emu] %s: format %d, data type %d: the emulator has NCHW float only\n", fn, format, dataType);
        return NOT_SUPPORTED;
    }
    if (n <= 0 || c <= 0 || h <= 0 || w <= 0) return bad(fn, "a dimension <= 0");
    *d = Dims{true, n, c, h, w};
    return SUCCESS;
}
}  // namespace

extern "C" {
size_t cudnnGetVersion() { return 92400; }

const char* cudnnGetErrorString(int status) {
    switch (status) {
        case SUCCESS: return "CUDNN_STATUS_SUCCESS";
        case NOT_INITIALIZED: return "CUDNN_STATUS_NOT_INITIALIZED";
        case BAD_PARAM: return "CUDNN_STATUS_BAD_PARAM";
        case NOT_SUPPORTED: return "CUDNN_STATUS_NOT_SUPPORTED";
        case EXECUTION_FAILED: return "CUDNN_STATUS_EXECUTION_FAILED";
        default: return "CUDNN_STATUS_UNKNOWN (emulator)";
    }
}

int cudnnCreate(void** h) { return create<Handle>(h); }
int cudnnDestroy(void* h) {
    if (get<Handle>(h) == nullptr) return BAD_PARAM;
    emu::synchronize_all();                     // cudnnDestroy synchronises the device
    return destroy<Handle>(h);
}
int cudnnSetStream(void* handle, void* stream) {
    Handle* h = get<Handle>(handle);
    if (h == nullptr) return BAD_PARAM;
    h->stream = stream;
    return SUCCESS;
}

int cudnnCreateTensorDescriptor(void** d) { return create<Tensor>(d); }
int cudnnCreateFilterDescriptor(void** d) { return create<Filter>(d); }
int cudnnCreateConvolutionDescriptor(void** d) { return create<Conv>(d); }
int cudnnDestroyTensorDescriptor(void* d) { return destroy<Tensor>(d); }
int cudnnDestroyFilterDescriptor(void* d) { return destroy<Filter>(d); }
int cudnnDestroyConvolutionDescriptor(void* d) { return destroy<Conv>(d); }

int cudnnSetTensor4dDescriptor(void* d, int format, int dataType, int n, int c, int h, int w) {
    return set4d("cudnnSetTensor4dDescriptor", get<Tensor>(d), format, dataType, n, c, h, w);
}
int cudnnSetFilter4dDescriptor(void* d, int dataType, int format, int k, int c, int h, int w) {   // type first
    return set4d("cudnnSetFilter4dDescriptor", get<Filter>(d), format, dataType, k, c, h, w);
}
int cudnnSetConvolution2dDescriptor(void* d, int padH, int padW, int u, int v, int dilH, int dilW, int mode,
                                    int computeType) {
    const char* fn = "cudnnSetConvolution2dDescriptor";
    Conv* c = get<Conv>(d);
    if (c == nullptr) return bad(fn, "not a live descriptor");
    if (padH < 0 || padW < 0 || u <= 0 || v <= 0 || dilH <= 0 || dilW <= 0) return bad(fn, "pad < 0, stride or dilation <= 0");
    if (mode != CONVOLUTION && mode != CROSS_CORRELATION) return bad(fn, "mode " + std::to_string(mode));
    if (computeType != 0) {
        std::fprintf(stderr, "[cuda-emu] %s: compute type %d: the emulator has float only\n", fn, computeType);
        return NOT_SUPPORTED;
    }
    int math = c->math;
    *c = Conv{true, padH, padW, u, v, dilH, dilW, mode, math};
    return SUCCESS;
}
int cudnnSetConvolutionMathType(void* d, int math) {
    Conv* c = get<Conv>(d);
    if (c == nullptr || math < 0 || math > 3) return bad("cudnnSetConvolutionMathType", "bad descriptor or math type");
    c->math = math;
    return SUCCESS;
}

int cudnnGetConvolutionForwardAlgorithm_v7(void* h, void* x, void* w, void* c, void* y, int req, int* ret, void* perf) {
    return algorithms(FWD, h, x, w, c, y, req, ret, perf);
}
int cudnnGetConvolutionBackwardDataAlgorithm_v7(void* h, void* w, void* dy, void* c, void* dx, int req, int* ret, void* perf) {
    return algorithms(BWD_DATA, h, w, dy, c, dx, req, ret, perf);
}
int cudnnGetConvolutionBackwardFilterAlgorithm_v7(void* h, void* x, void* dy, void* c, void* dw, int req, int* ret, void* perf) {
    return algorithms(BWD_FILTER, h, x, dy, c, dw, req, ret, perf);
}
int cudnnGetConvolutionForwardWorkspaceSize(void* h, void* x, void* w, void* c, void* y, int algo, size_t* b) {
    return workspace(FWD, h, x, w, c, y, algo, b);
}
int cudnnGetConvolutionBackwardDataWorkspaceSize(void* h, void* w, void* dy, void* c, void* dx, int algo, size_t* b) {
    return workspace(BWD_DATA, h, w, dy, c, dx, algo, b);
}
int cudnnGetConvolutionBackwardFilterWorkspaceSize(void* h, void* x, void* dy, void* c, void* dw, int algo, size_t* b) {
    return workspace(BWD_FILTER, h, x, dy, c, dw, algo, b);
}

int cudnnConvolutionForward(void* h, const float* alpha, void* xd, const void* x, void* wd, const void* w, void* c,
                            int algo, void* ws, size_t wsBytes, const float* beta, void* yd, void* y) {
    return run(FWD, h, alpha, xd, x, wd, w, c, algo, ws, wsBytes, beta, yd, y);
}
int cudnnConvolutionBackwardData(void* h, const float* alpha, void* wd, const void* w, void* dyd, const void* dy,
                                 void* c, int algo, void* ws, size_t wsBytes, const float* beta, void* dxd, void* dx) {
    return run(BWD_DATA, h, alpha, wd, w, dyd, dy, c, algo, ws, wsBytes, beta, dxd, dx);
}
int cudnnConvolutionBackwardFilter(void* h, const float* alpha, void* xd, const void* x, void* dyd, const void* dy,
                                   void* c, int algo, void* ws, size_t wsBytes, const float* beta, void* dwd, void* dw) {
    return run(BWD_FILTER, h, alpha, xd, x, dyd, dy, c, algo, ws, wsBytes, beta, dwd, dw);
}
}  // extern "C"
