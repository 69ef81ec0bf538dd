#!/bin/sh
# wasm_deps.sh — the compression libraries of the wasm build (zstd, zlib, snappy) as static
# wasm32-wasi libraries, built from Debian's source packages: no copy of them lives in this
# repository. `apt-get source --download-only` fetches each package once into build-wasm/src/
# (it needs deb-src entries: `make deps` adds them), dpkg-source unpacks it with Debian's
# patches applied, and clang compiles it into build-wasm/deps/{include,lib}. A library is
# rebuilt only when its source package, its flags or this script change. Why these flags:
# docs/internals/wasm.md.
set -e
cd "$(dirname "$0")/.."
# Part of every library's stamp: editing this script rebuilds them.
RECIPE=$(cksum < "tools/$(basename "$0")" | cut -d' ' -f1)

B=${WASM_BUILD:-build-wasm}
SRC=$B/src
DEPS=$B/deps
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
CC=${WASM_CC:-clang}
CXX=${WASM_CXX:-clang++}
AR=${WASM_AR:-$(command -v llvm-ar-14 || echo llvm-ar)}
SYSINC=${WASM_SYSINC:-/usr/include/wasm32-wasi}
# Shared by every library; the Makefile passes the same -flto so the final link optimises
# across them. -nostdlibinc: clang's wasm32-wasi search path ends in /usr/include, whose
# native zlib.h or zstd.h must never stand in for the ones built here.
OPT=${WASM_DEPS_OPT:--O2}
LTO=${WASM_LTO--flto}
BASE="--target=wasm32-wasi $OPT $LTO -ffunction-sections -fdata-sections"
C_INC="-nostdlibinc -isystem $SYSINC"
CXX_INC="-nostdlibinc -isystem $SYSINC/c++/v1 -isystem $SYSINC"
# zstd: no legacy formats (lib/legacy is not compiled either), one Huffman and one sequence
# decoder (lib/README.md, "Modular build"). Multithreading is off unless asked for.
ZSTD_DEFS="-DZSTD_LEGACY_SUPPORT=0 -DHUF_FORCE_DECOMPRESS_X1 -DZSTD_FORCE_DECOMPRESS_SEQUENCES_SHORT"
# The block compressors of levels 5 and up (greedy, lazy, binary-tree and optimal parsers, long
# distance matching) are half of zstd's code, in always-inline templates: built for size
# without forced inlining. Levels 1-4 (fast, double-fast: the default 3) and the decoder stay
# as they are.
ZSTD_SMALL=${WASM_ZSTD_SMALL-"-Os -DZSTD_NO_INLINE"}
# snappy: C++ without exceptions or RTTI against Debian's wasm32 libc++; only snappy-c.h is
# called.
SNAPPY_FLAGS="-std=c++11 -fno-exceptions -fno-rtti -DNDEBUG"

mkdir -p "$SRC" "$DEPS/include" "$DEPS/lib"

# ---- fetch: once, into build-wasm/src/ ----------------------------------------------------------
# Source package names: zstd's is libzstd; `apt-get source` maps binary names to them.
dsc() { ls "$SRC/$1"_*.dsc 2>/dev/null | sort -V | tail -n 1; }
want=""
[ -n "$(dsc libzstd)" ] || want="$want zstd"
[ -n "$(dsc zlib)" ] || want="$want zlib"
[ -n "$(dsc snappy)" ] || want="$want snappy"
if [ -n "$want" ]; then
    echo "wasm_deps: apt-get source --download-only$want"
    # As root apt would hand the download to its _apt user, who may not reach this folder.
    asroot=""
    [ "$(id -u)" != 0 ] || asroot="-o APT::Sandbox::User=root"
    if ! (cd "$SRC" && apt-get source -qq $asroot --download-only $want); then
        echo "wasm_deps: apt-get source failed; it needs deb-src entries and dpkg-dev (make deps)" >&2
        exit 1
    fi
fi

# ---- unpack with Debian's patches ------------------------------------------------------------
# build-wasm/src/<name> holds the tree; .version records which .dsc it came from.
unpack() { # name source-package
    d=$(dsc "$2")
    [ -n "$d" ] || { echo "wasm_deps: no $2 source package in $SRC" >&2; exit 1; }
    if [ "$(cat "$SRC/$1/.version" 2>/dev/null)" != "$(basename "$d")" ]; then
        rm -rf "$SRC/$1" "$SRC/$1.tmp"
        dpkg-source -q --no-check -x "$d" "$SRC/$1.tmp" >/dev/null
        basename "$d" > "$SRC/$1.tmp/.version"
        mv "$SRC/$1.tmp" "$SRC/$1"
    fi
}
unpack zstd libzstd
unpack zlib zlib
unpack snappy snappy

# ---- build ---------------------------------------------------------------------------------------
# up_to_date LIB TREE FLAGS...: libLIB.a exists and was built from the source package unpacked
# in build-wasm/src/TREE with these flags.
up_to_date() {
    n=$1
    t=$2
    shift 2
    stamp="$(cat "$SRC/$t/.version") $RECIPE $*"
    [ -f "$DEPS/lib/lib$n.a" ] && [ "$(cat "$DEPS/.$n.flags" 2>/dev/null)" = "$stamp" ]
}
built() { # name
    echo "$stamp" > "$DEPS/.$1.flags"
    echo "wasm_deps: built $DEPS/lib/lib$1.a"
}

# compile NAME COMPILER FLAGS -- FILES...: objects into build-wasm/deps/obj/NAME (basenames
# are unique within each library); archive NAME: build-wasm/deps/lib/libNAME.a from them.
compile() {
    obj=$DEPS/obj/$1
    cc=$2
    flags=$3
    shift 4
    mkdir -p "$obj"
    for f in "$@"; do
        o=$(basename "$f")
        echo "$cc $flags -c $f -o $obj/${o%.*}.o"
    done | xargs -P "$JOBS" -I % sh -c '%'
}
archive() {
    rm -f "$DEPS/lib/lib$1.a"
    "$AR" rcs "$DEPS/lib/lib$1.a" "$DEPS/obj/$1"/*.o
}

Z=$SRC/zstd/lib
if ! up_to_date zstd zstd "$BASE $ZSTD_DEFS | $ZSTD_SMALL"; then
    # Common, compression and decompression; not the dictionary builder, the deprecated
    # streaming API, legacy decoders or the multithreaded compressor.
    small="$Z/compress/zstd_lazy.c $Z/compress/zstd_opt.c $Z/compress/zstd_ldm.c"
    rm -rf "$DEPS/obj/zstd"
    compile zstd "$CC" "$BASE $C_INC -std=c99 $ZSTD_DEFS" -- \
        "$Z"/common/*.c \
        $(ls "$Z"/compress/*.c | grep -v -e zstdmt_compress -e zstd_lazy -e zstd_opt -e zstd_ldm) \
        "$Z"/decompress/*.c
    compile zstd "$CC" "$BASE $C_INC -std=c99 $ZSTD_DEFS $ZSTD_SMALL" -- $small
    archive zstd
    cp "$Z/zstd.h" "$Z/zstd_errors.h" "$DEPS/include/"
    built zstd
fi

ZL=$SRC/zlib
if ! up_to_date z zlib "$BASE"; then
    # The deflate and inflate engines; not the gz* file functions (stdio), compress.c,
    # uncompr.c or infback.c.
    rm -rf "$DEPS/obj/z"
    compile z "$CC" "$BASE $C_INC" -- \
        "$ZL"/adler32.c "$ZL"/crc32.c "$ZL"/deflate.c "$ZL"/inffast.c "$ZL"/inflate.c \
        "$ZL"/inftrees.c "$ZL"/trees.c "$ZL"/zutil.c
    archive z
    cp "$ZL/zlib.h" "$ZL/zconf.h" "$DEPS/include/"
    built z
fi

S=$SRC/snappy
if ! up_to_date snappy snappy "$BASE $SNAPPY_FLAGS"; then
    # The two headers CMake would generate, for wasm32-wasi: sys/uio.h exists, no SSSE3 or
    # BMI2, little-endian; the version from the source package.
    v=$(sed -n 's/^project(Snappy VERSION \([0-9.]*\).*/\1/p' "$S/CMakeLists.txt")
    [ -n "$v" ] || { echo "wasm_deps: no version in $S/CMakeLists.txt" >&2; exit 1; }
    gen=$DEPS/obj/snappy-gen
    mkdir -p "$gen"
    sed -e 's/\${HAVE_SYS_UIO_H_01}/1/' \
        -e "s/\${PROJECT_VERSION_MAJOR}/$(echo "$v" | cut -d. -f1)/" \
        -e "s/\${PROJECT_VERSION_MINOR}/$(echo "$v" | cut -d. -f2)/" \
        -e "s/\${PROJECT_VERSION_PATCH}/$(echo "$v" | cut -d. -f3)/" \
        "$S/snappy-stubs-public.h.in" > "$gen/snappy-stubs-public.h"
    sed -E -e 's/^#cmakedefine (HAVE_ATTRIBUTE_ALWAYS_INLINE|HAVE_BUILTIN_CTZ|HAVE_BUILTIN_EXPECT|HAVE_SYS_UIO_H|HAVE_UNISTD_H) 1/#define \1 1/' \
        -e 's/^#cmakedefine01 (.*)/#define \1 0/' \
        -e 's/^#cmakedefine (.*) 1/\/* #undef \1 *\//' \
        "$S/cmake/config.h.in" > "$gen/config.h"
    # libc++ without exceptions makes operator new return NULL when malloc fails, and snappy
    # would write through it: these replacements abort (a trap in wasm) instead.
    cat > "$gen/snappy_new.cc" <<'EOF'
#include <cstdlib>
#include <new>
static void *alloc_or_abort(std::size_t n)
{
    void *p = std::malloc(n ? n : 1);
    if (!p) std::abort();
    return p;
}
void *operator new(std::size_t n) { return alloc_or_abort(n); }
void *operator new[](std::size_t n) { return alloc_or_abort(n); }
void operator delete(void *p) noexcept { std::free(p); }
void operator delete[](void *p) noexcept { std::free(p); }
EOF
    rm -rf "$DEPS/obj/snappy"
    compile snappy "$CXX" "$BASE $CXX_INC $SNAPPY_FLAGS -DHAVE_CONFIG_H -I$gen -I$S" -- \
        "$S"/snappy.cc "$S"/snappy-c.cc "$S"/snappy-sinksource.cc "$S"/snappy-stubs-internal.cc \
        "$gen/snappy_new.cc"
    archive snappy
    cp "$S/snappy-c.h" "$DEPS/include/"
    built snappy
fi
