#!/usr/bin/env bash
# Unit tests, built normally and under ASan+UBSan.
cd "$(dirname "$0")/../.."
./build/unit_tests | sed 's/^\(not \)\{0,1\}ok - unit /&/'
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ./build-asan/unit_tests | sed -e 's/^ok - unit /ok - asan unit /' -e 's/^not ok - unit /not ok - asan unit /'
