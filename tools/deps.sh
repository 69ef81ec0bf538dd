#!/bin/sh
# Installs what building and testing idbpq needs and is missing: Debian packages (as root,
# with apt-get), the deb-src entries `make wasm` fetches the compression libraries' sources
# with, and the npm test oracles (npm ci against the committed lock file).
set -e
cd "$(dirname "$0")/.."
PKGS="gcc make clang libclang-rt-14-dev libzstd-dev zlib1g-dev liblz4-dev libsnappy-dev libbrotli-dev libleveldb-dev chromium sqlite3 libsqlite3-dev"
# make wasm: clang's wasm32-wasi target (wasi-libc, wasm-ld, compiler-rt, libc++ for snappy),
# llvm-ar for the LTO archives, dpkg-source to unpack Debian's source packages.
PKGS="$PKGS wasi-libc lld-14 libclang-rt-14-dev-wasm32 libc++-14-dev-wasm32 libc++abi-14-dev-wasm32 llvm-14 dpkg-dev"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node.js and npm run the test oracles; any installation will do (Debian's packages only when
# the commands are missing, since a Node.js from elsewhere conflicts with Debian's npm).
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
# tools/wasm_deps.sh runs `apt-get source`, which needs deb-src entries: add them beside the deb
# ones (deb822 .sources files: "Types: deb deb-src"; one-line sources.list: a deb-src copy of
# each deb line), then refresh the indexes.
update=""
if ! grep -Eqs '^[[:space:]]*(Types:.*deb-src|deb-src[[:space:]])' /etc/apt/sources.list \
        /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; then
    echo "deps: enabling deb-src in the apt sources"
    for f in /etc/apt/sources.list.d/*.sources; do
        if [ -f "$f" ]; then
            $SUDO sed -i 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb deb-src/' "$f"
        fi
    done
    if [ -f /etc/apt/sources.list ] && grep -q '^deb[[:space:]]' /etc/apt/sources.list; then
        sed -n 's/^deb\([[:space:]]\)/deb-src\1/p' /etc/apt/sources.list |
            $SUDO tee -a /etc/apt/sources.list >/dev/null
    fi
    update=1
fi
apt-cache showsrc zlib 2>/dev/null | grep -q '^Package:' || update=1
if [ -n "$missing" ] || [ -n "$update" ]; then
    $SUDO apt-get update -qq
fi
if [ -n "$missing" ]; then
    echo "deps: installing$missing"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
# npm packages of the test suites, each folder with its own committed lock file.
for d in tests/oracle tests/idb; do
    [ -f "$d/package-lock.json" ] || continue
    if [ ! -d "$d/node_modules" ] || [ "$d/package-lock.json" -nt "$d/node_modules" ]; then
        (cd "$d" && npm ci --no-audit --no-fund --loglevel=error)
        touch "$d/node_modules"
    fi
done
echo "deps: ok"
