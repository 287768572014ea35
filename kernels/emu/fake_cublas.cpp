// fake_cublas.cpp: a libcublas.so.13 for the CUDA emulator: the five functions Cublas.java binds, with cuBLAS's
// documented semantics (column-major, BLAS argument rules) and stricter checks, so that our FFM binding, the
// row-major transpose trick, the stream and the workspace are exercised in CI without a GPU.
//
// cublasSgemm_v2: C = alpha op(A) op(B) + beta C, column-major; op(A) is m x k, op(B) k x n, C m x n (ldc >= m);
// A is stored m x k (lda >= m) for CUBLAS_OP_N, k x m (lda >= k) for CUBLAS_OP_T; B likewise with k, n.
// beta == 0 means C is not read (it may hold NaN), as documented. A and B are always read, even when alpha == 0
// (reference BLAS skips them then, cuBLAS documents nothing: a NaN there gives NaN here, the stricter reading).
// Arguments are checked at the call (CUBLAS_STATUS_INVALID_VALUE, as cuBLAS does); the operands' extents are
// checked against the live device allocations when the work runs (the emulator's stricter check: a wrong leading
// dimension that stays inside the allocation on a GPU reads the wrong numbers, here it also fails when it leaves it).
// The work runs on the handle's stream (cublasSetStream_v2; none set = the legacy default stream, which a stream
// capture refuses). cublasSetStream_v2 drops a workspace set before it, as the cuBLAS documentation says; the
// workspace must be 256-byte aligned, and it must still be allocated whenever a call (or a graph replaying one) runs.
// Our backend promises that a call recorded into a CUDA graph uses the workspace we gave it, never cuBLAS's own
// pool; the emulator holds it to that: a call captured with no workspace set fails (EXECUTION_FAILED).
// Math: float32 products accumulated in double (cuBLAS accumulates in float; our tolerances cover both).
#include "emu_lib.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <vector>

namespace {
enum { SUCCESS = 0, NOT_INITIALIZED = 1, INVALID_VALUE = 7, EXECUTION_FAILED = 13 };
enum { OP_N = 0, OP_T = 1, OP_C = 2 };

struct Handle {
    void* stream = nullptr;
    void* workspace = nullptr;
    size_t workspaceBytes = 0;
};
std::set<Handle*> handles;
std::mutex lock;

Handle* valid(void* h) {
    std::lock_guard<std::mutex> g(lock);
    return handles.count(static_cast<Handle*>(h)) ? static_cast<Handle*>(h) : nullptr;
}

int invalid(const char* fn, const std::string& why) {
    std::fprintf(stderr, "[cuda-emu] %s: %s\n", fn, why.c_str());
    return INVALID_VALUE;
}
}  // namespace

extern "C" {
int cublasCreate_v2(void** handle) {
    if (handle == nullptr) return INVALID_VALUE;
    Handle* h = new Handle();
    std::lock_guard<std::mutex> g(lock);
    handles.insert(h);
    *handle = h;
    return SUCCESS;
}

int cublasDestroy_v2(void* handle) {
    Handle* h = valid(handle);
    if (h == nullptr) return NOT_INITIALIZED;
    emu::synchronize_all();                       // cublasDestroy waits for the work issued through the handle
    std::lock_guard<std::mutex> g(lock);
    handles.erase(h);
    delete h;
    return SUCCESS;
}

int cublasGetVersion_v2(void*, int* version) {     // documented as callable with a null handle
    if (version == nullptr) return INVALID_VALUE;
    *version = 130000;                           // "13.0.0": major * 10000 + minor * 100 + patch
    return SUCCESS;
}

int cublasSetStream_v2(void* handle, void* stream) {
    Handle* h = valid(handle);
    if (h == nullptr) return NOT_INITIALIZED;
    h->stream = stream;
    h->workspace = nullptr;                      // "unconditionally resets the cuBLAS library workspace"
    h->workspaceBytes = 0;
    return SUCCESS;
}

int cublasSetWorkspace_v2(void* handle, void* workspace, size_t bytes) {
    Handle* h = valid(handle);
    if (h == nullptr) return NOT_INITIALIZED;
    if (((uintptr_t)workspace & 255) != 0) return invalid("cublasSetWorkspace_v2", "workspace not 256-byte aligned");
    if (workspace != nullptr) {
        std::string why = emu::device_range(workspace, bytes, "the workspace");
        if (!why.empty()) return invalid("cublasSetWorkspace_v2", why);
    }
    h->workspace = workspace;
    h->workspaceBytes = bytes;
    return SUCCESS;
}

int cublasSgemm_v2(void* handle, int transa, int transb, int m, int n, int k, const float* alpha, const float* A,
                   int lda, const float* B, int ldb, const float* beta, float* C, int ldc) {
    const char* fn = "cublasSgemm_v2";
    Handle* h = valid(handle);
    if (h == nullptr) return NOT_INITIALIZED;
    if (transa < OP_N || transa > OP_C || transb < OP_N || transb > OP_C)
        return invalid(fn, "transa/transb must be CUBLAS_OP_N, _T or _C");
    if (m < 0 || n < 0 || k < 0) return invalid(fn, "negative m, n or k");
    bool ta = transa != OP_N, tb = transb != OP_N;   // _C is _T for real numbers
    int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
    if (lda < std::max(1, aRows)) return invalid(fn, "lda " + std::to_string(lda) + " < " + std::to_string(aRows));
    if (ldb < std::max(1, bRows)) return invalid(fn, "ldb " + std::to_string(ldb) + " < " + std::to_string(bRows));
    if (ldc < std::max(1, m)) return invalid(fn, "ldc " + std::to_string(ldc) + " < " + std::to_string(m));
    if (alpha == nullptr || beta == nullptr) return invalid(fn, "alpha or beta is null");
    if (m == 0 || n == 0) return SUCCESS;
    if (h->workspace == nullptr && emu::capturing(h->stream)) {
        std::fprintf(stderr, "[cuda-emu] %s: recorded into a CUDA graph with no workspace of ours (none set, or "
                     "cublasSetStream_v2 dropped it after cublasSetWorkspace_v2)\n", fn);
        return EXECUTION_FAILED;
    }
    float al = *alpha, be = *beta;                // host pointer mode: read at the call
    void* ws = h->workspace;
    size_t wsBytes = h->workspaceBytes;
    auto extent = [](int rows, int cols, int ld) { return ((size_t)(cols - 1) * ld + rows) * sizeof(float); };
    int r = emu::library_call(h->stream, fn, [=]() -> std::string {
        std::string why;
        if (ws != nullptr && !(why = emu::device_range(ws, wsBytes, "the workspace set by cublasSetWorkspace_v2")).empty())
            return why;
        bool readAB = k > 0;
        if (readAB && !(why = emu::device_range(A, extent(aRows, aCols, lda), "A")).empty()) return why;
        if (readAB && !(why = emu::device_range(B, extent(bRows, bCols, ldb), "B")).empty()) return why;
        if (!(why = emu::device_range(C, extent(m, n, ldc), "C")).empty()) return why;
        std::vector<float> out((size_t)m * n);
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++) {
                double s = 0;
                if (readAB)
                    for (int p = 0; p < k; p++)
                        s += (double)(ta ? A[i * (size_t)lda + p] : A[p * (size_t)lda + i])
                           * (double)(tb ? B[p * (size_t)ldb + j] : B[j * (size_t)ldb + p]);
                double c = be == 0 ? 0.0 : (double)be * C[j * (size_t)ldc + i];
                out[(size_t)j * m + i] = (float)(al * s + c);
            }
        for (int j = 0; j < n; j++) std::memcpy(C + j * (size_t)ldc, &out[(size_t)j * m], m * sizeof(float));
        return "";
    });
    return r == 0 ? SUCCESS : EXECUTION_FAILED;
}
}  // extern "C"
