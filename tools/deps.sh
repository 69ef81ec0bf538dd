#!/bin/sh
# Installs what building and testing idbpq needs and is missing: Debian packages (as root,
# with apt-get) and the npm test oracles (npm ci against the committed lock file).
set -e
cd "$(dirname "$0")/.."
PKGS="gcc make clang libclang-rt-14-dev libzstd-dev zlib1g-dev liblz4-dev libsnappy-dev libbrotli-dev libleveldb-dev chromium sqlite3 libsqlite3-dev"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node.js and npm run the test oracles; any installation will do (Debian's packages only when
# the commands are missing, since a Node.js from elsewhere conflicts with Debian's npm).
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
    echo "deps: installing$missing"
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
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
