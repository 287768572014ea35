#!/usr/bin/env bash
# Builds the CUDA emulator: a libcuda.so.1 (fake_driver.cpp) that runs kernels/cuda/*.cu on the CPU, and the
# libcublas.so.13 and libcudnn.so.9 it serves (fake_cublas.cpp, fake_cudnn.cpp), into DIR
# (default kernels/target/cuda-emu). Needs g++ (C++20). Each .cu file is compiled on its own with cuda_emu.h
# force-included; a file without __syncthreads or warp shuffles is built with EMU_DIRECT=1 (its threads run as
# plain calls); every `extern "C" __global__` kernel is registered under its name.
set -euo pipefail
if ! command -v g++ >/dev/null 2>&1; then
  echo "[cuda-emu] not built: no g++ on this machine (the CUDA tests on the emulator will be skipped)"
  exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../target/cuda-emu}
mkdir -p "$out/src"
objs=()
for cu in "$here"/../cuda/*.cu; do
  op=$(basename "$cu" .cu)
  direct=1
  grep -qE '__syncthreads|__shfl_' "$cu" && direct=0
  if grep -q '__shared__' "$cu" && ! grep -q '__syncthreads' "$cu"; then
    echo "[cuda-emu] $cu uses __shared__ without __syncthreads: a race on any GPU" >&2; exit 1
  fi
  {
    echo "#include \"$cu\""
    echo "#include \"$here/emu_register.h\""
    grep -oE 'extern "C" __global__ void( __launch_bounds__\([0-9, ]*\))? [A-Za-z0-9_]+' "$cu" \
      | sed -E 's/.*__launch_bounds__\(([0-9]+)[^)]*\) ([A-Za-z0-9_]+)$/EMU_REGISTER(\2, \1)/; s/.*void ([A-Za-z0-9_]+)$/EMU_REGISTER(\1, 1024)/'
  } > "$out/src/$op.cpp"
  g++ -std=c++20 -O2 -fPIC -fno-strict-aliasing -Wno-unknown-pragmas -include "$here/cuda_emu.h" \
      -DEMU_DIRECT=$direct -c "$out/src/$op.cpp" -o "$out/src/$op.o"
  objs+=("$out/src/$op.o")
done
g++ -std=c++20 -O2 -fPIC -U_FORTIFY_SOURCE -I"$here" -c "$here/fake_driver.cpp" -o "$out/src/fake_driver.o"
g++ -shared -Wl,-soname,libcuda.so.1 -o "$out/libcuda.so.1" "$out/src/fake_driver.o" "${objs[@]}"
# the emulated cuBLAS and cuDNN: they queue their work through the emulated driver (emu_lib.h), found beside them
for lib in cublas:libcublas.so.13 cudnn:libcudnn.so.9; do
  g++ -std=c++20 -O2 -fPIC -shared -I"$here" -Wl,-soname,"${lib#*:}" -Wl,-rpath,'$ORIGIN' \
      -o "$out/${lib#*:}" "$here/fake_${lib%%:*}.cpp" "$out/libcuda.so.1"
done
echo "[cuda-emu] built $out/libcuda.so.1 ($(ls "$here"/../cuda/*.cu | wc -l) kernel files), libcublas.so.13, libcudnn.so.9"
