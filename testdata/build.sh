#!/bin/sh
# Rebuilds every fixture in testdata/ from its source, with Debian's toolchain:
#   apt-get install -y clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32 libstd-rust-dev-wasm32 rustc
# Debian's wasi-libc installs its headers and libraries under the multiarch paths /usr/include/wasm32-wasi and
# /usr/lib/wasm32-wasi, which Debian's clang-19 finds for --target=wasm32-wasi without a --sysroot.
# .wat fixtures are converted with wabt.js from node_modules (npm ci first).
set -eu
cd "$(dirname "$0")"

# clang runs `wasm-opt` after linking when it is on PATH, and wasm-opt drops the `name` section; rustup's rustc in
# ~/.cargo/bin would shadow Debian's. So build with a PATH that holds neither.
PATH=/usr/bin:/bin
export PATH
if command -v wasm-opt >/dev/null 2>&1; then
  echo "build.sh: wasm-opt is on PATH ($(command -v wasm-opt)); it would strip the name section" >&2
  exit 1
fi

CC=clang-19
CFLAGS="--target=wasm32-wasi -O2 -fuse-ld=lld -Wall -Wextra"

# WASI commands (they export _start).
for name in hello args_env file_io exit_code trap loop stdin_echo tcp_echo stale_dir_escape wasi_tour; do
  $CC $CFLAGS -o "$name.wasm" "$name.c"
done

# Source lines in trap backtraces (issue 20): trap_lines.c with DWARF line tables, version 5 (clang-19's default)
# and version 4. -O0 keeps every call in its own frame on its own line; -fdebug-prefix-map records the build
# directory as `testdata`, so the fixtures' paths do not depend on where they were built.
for version in 5 4; do
  out=trap_lines.wasm
  [ "$version" = 4 ] && out=trap_lines_dwarf4.wasm
  $CC $CFLAGS -O0 -g -gdwarf-$version -fdebug-prefix-map="$(pwd)"=testdata -o "$out" trap_lines.c
done

# The guest profiler's known program (issue 20): -O1 keeps each loop in its own noinline function, -g gives the
# profile source lines.
$CC $CFLAGS -O1 -g -fdebug-prefix-map="$(pwd)"=testdata -o profile_hot.wasm profile_hot.c

# A reactor: no main, exports _initialize and its functions.
$CC $CFLAGS -mexec-model=reactor -o compute.wasm compute.c

# WebAssembly 3.0 features a C compiler can use: tail calls (musttail), extended constants, multiple memories.
# C++ exceptions (-fwasm-exceptions) cannot be built here: Debian's libc++abi for wasm32 has no exception runtime
# (__cxa_throw, _Unwind_CallPersonality and __wasm_lpad_context are undefined at link time).
$CC $CFLAGS -mexec-model=reactor -mtail-call -mextended-const -mmultimemory -o wasm3.wasm wasm3.c

# SIMD (issue 16). simd_auto.c is plain C that clang autovectorizes: built with and without -msimd128 from the one
# source, the pair compares an engine's SIMD with its scalar code on the same work (both print the same output).
# simd_intrinsics.c uses wasm_simd128.h directly and covers every fixed-width SIMD instruction; simd_relaxed.c the
# 20 relaxed SIMD instructions, on inputs where every result the proposal allows is the same.
$CC $CFLAGS -O3 -msimd128 -o simd_auto.wasm simd_auto.c
$CC $CFLAGS -O3 -o simd_auto_scalar.wasm simd_auto.c
$CC $CFLAGS -msimd128 -o simd_intrinsics.wasm simd_intrinsics.c
$CC $CFLAGS -msimd128 -mrelaxed-simd -o simd_relaxed.wasm simd_relaxed.c
# Their expected stdout (default arguments), from the host's native WebAssembly and node:wasi under Deno: Debian's
# Node 20 runs relaxed SIMD only behind a flag, and its V8 gives i32x4.relaxed_dot_i8x16_i7x16_add_s a pre-standard
# result (Deno's V8 and Bun's JavaScriptCore agree with each other and with the final proposal).
for name in simd_auto simd_auto_scalar simd_intrinsics simd_relaxed; do
  ../node_modules/.bin/deno run -A --quiet native_stdout.mjs "$name.wasm" >"$name.stdout" 2>/dev/null
done
cmp simd_auto.stdout simd_auto_scalar.stdout
# The SIMD builds really are SIMD: every 0xfd instruction, counted by name (simd_intrinsics has all 236 fixed-width
# ones, simd_relaxed all 20 relaxed ones). The scalar build has none.
node simd_ops.mjs simd_auto.wasm simd_intrinsics.wasm simd_relaxed.wasm simd_auto_scalar.wasm

# Rust: hello.rs exactly as Wasmtime's README builds it (`rustc hello.rs --target wasm32-wasi`, which writes
# hello.wasm), in a scratch directory so it does not replace the C hello.wasm; renamed hello_rs.wasm. Debian's
# libstd ships with DWARF, so this fixture is 6.8 MB, mostly .debug_* custom sections: kept, as a user gets it.
# panic.rs is a test fixture only: -C strip=debuginfo drops just the .debug_* sections.
scratch=$(mktemp -d)
cp hello.rs "$scratch/"
(cd "$scratch" && /usr/bin/rustc hello.rs --target wasm32-wasi)
cp "$scratch/hello.wasm" hello_rs.wasm
rm -rf "$scratch"
/usr/bin/rustc panic.rs --target wasm32-wasi -C strip=debuginfo -o panic_rs.wasm

# Text-format fixtures, for tests that should not depend on the text-format parser.
node --input-type=module -e '
import { readFileSync, writeFileSync } from "node:fs";
const wabt = await (await import("../node_modules/wabt/index.js")).default();
for (const name of ["invoke", "wat_hello"]) {
  const module = wabt.parseWat(`${name}.wat`, readFileSync(`${name}.wat`, "utf8"), {});
  writeFileSync(`${name}.wasm`, module.toBinary({}).buffer);
}
'

# The trap report prints function names from the name section: check that they survived linking.
for file in hello.wasm trap.wasm hello_rs.wasm compute.wasm; do
  node dump_names.mjs "$file" >/dev/null
done
node dump_names.mjs trap.wasm | grep -q ' trap_inner$'
node dump_names.mjs trap.wasm | grep -q ' trap_outer$'
echo "build.sh: all fixtures built"
