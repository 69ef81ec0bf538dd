# idbpq — GNU Makefile. `make` builds libidbpq.a, libidbpq.so and the idbpq CLI;
# `make test` runs every test (also under AddressSanitizer + UndefinedBehaviorSanitizer);
# `make deps` installs what is missing (Debian packages, the npm test oracles).

CC      ?= cc
AR      ?= ar
PREFIX  ?= /usr/local
BUILD   ?= build
WERROR  ?= -Werror

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wpointer-arith -Wundef \
           -Wcast-align -Wswitch-enum -Wno-switch-default $(WERROR)
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
OPT     ?= -O2 -g
CFLAGS_ALL := $(CSTD) $(OPT) $(WARN) -fPIC -fvisibility=hidden -DIDBPQ_BUILDING \
              -Iinclude -Isrc $(CFLAGS)
LIBS    := -lsqlite3 -lzstd -lz -llz4 -lsnappy -lbrotlienc -lbrotlidec -lm

LIB_SRC := $(sort $(wildcard src/*/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
UNIT_SRC:= $(sort $(wildcard tests/unit/*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_OBJ:= $(UNIT_SRC:%.c=$(BUILD)/obj/%.o)

.PHONY: all lib cli test unit asan deps demo bench fuzz clean install pc check wasm serve
all: lib cli

lib: $(BUILD)/libidbpq.a $(BUILD)/libidbpq.so $(BUILD)/idbpq.pc
cli: idbpq

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/libidbpq.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/libidbpq.so: $(LIB_OBJ)
	$(CC) -shared -o $@ $^ $(LIBS) $(LDFLAGS)

$(BUILD)/idbpq.pc: idbpq.pc.in
	@mkdir -p $(BUILD)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|0.1.0|' $< > $@

$(BUILD)/idbpq: $(CLI_OBJ) $(BUILD)/libidbpq.a
	$(CC) $(OPT) $(CFLAGS) -pthread -o $@ $(CLI_OBJ) $(BUILD)/libidbpq.a $(LIBS) $(LDFLAGS)

# The CLI at the top of the tree, for the README's commands.
idbpq: $(BUILD)/idbpq
	cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/unit_tests: $(UNIT_OBJ) $(BUILD)/libidbpq.a
	$(CC) $(OPT) $(CFLAGS) -o $@ $(UNIT_OBJ) $(BUILD)/libidbpq.a $(LIBS) $(LDFLAGS)

unit: $(BUILD)/unit_tests

# Sanitizer build: same sources, separate tree. clang when installed: its UBSan also checks
# pointer arithmetic (NULL + 0), which gcc's does not.
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_CC ?= $(shell command -v clang >/dev/null 2>&1 && echo clang || echo $(CC))
asan:
	$(MAKE) CC=$(ASAN_CC) BUILD=build-asan OPT="-O1 -g $(SAN)" LDFLAGS="$(SAN)" \
	    build-asan/idbpq build-asan/unit_tests build-asan/fuzz_replay

$(BUILD)/fuzz_replay: $(sort $(wildcard fuzz/fuzz_*.c)) fuzz/replay_main.c $(BUILD)/libidbpq.a
	@mkdir -p $(BUILD)
	sh fuzz/build_replay.sh "$(CC)" "$(CSTD) $(OPT) -Iinclude -Isrc $(CFLAGS)" \
	    "$(BUILD)/libidbpq.a $(LIBS) $(LDFLAGS)" $(BUILD)

deps:
	sh tools/deps.sh

test: all unit $(BUILD)/fuzz_replay asan wasm
	bash tests/run_all.sh

check: test

demo: all
	sh tools/demo.sh

bench: all
	bash bench/run.sh
	bash bench/value/run.sh
	bash bench/mapping/run.sh
	bash bench/profile/run.sh
	bash bench/browser/run.sh
	bash bench/sync/run.sh

fuzz:
	sh fuzz/run_libfuzzer.sh

# WebAssembly: clang + Debian's wasi-libc, a reactor module with a few WASI imports
# (docs/internals/wasm.md). zstd, zlib and snappy are built from Debian's source packages by
# tools/wasm_deps.sh; Brotli and LZ4 are left out. The glue exporting functions to JavaScript
# is wasm/*.c (WASM_GLUE adds more files).
WASM_BUILD  := build-wasm
WASM_CC     ?= clang
WASM_SYSINC ?= /usr/include/wasm32-wasi
WASM_OPT    ?= -O2
WASM_LTO    ?= -flto
WASM_BUDGET ?= 358400
WASM_GLUE   ?=
WASM_SRC    := $(sort $(wildcard $(addsuffix /*.c,$(addprefix src/,common codec encoding thrift \
                   parquet value idb mapping))) src/stores/idb_value.c \
                   $(filter-out wasm/sync_%.c,$(wildcard wasm/*.c))) $(WASM_GLUE)
WASM_OBJ    := $(WASM_SRC:%.c=$(WASM_BUILD)/obj/%.o)
# The sync module (web/idbpq_sync.wasm, loaded only by web/sync.js): the same library plus the
# sync layer (not io_dir.c, which is POSIX); wasm/sync_api.c includes wasm/api.c and
# wasm/sync_table.c.
WASM_SYNC_SRC := $(filter-out wasm/api.c,$(WASM_SRC)) \
               $(sort $(filter-out src/sync/io_dir.c,$(wildcard src/sync/*.c))) wasm/sync_api.c
WASM_SYNC_OBJ := $(WASM_SYNC_SRC:%.c=$(WASM_BUILD)/obj/%.o)
WASM_SYNC_BUDGET ?= 460800
WASM_SYNC_JS := web/sync.js web/sync_state.js web/sync_tables.js web/v8wire.js web/wasi_shim.js
WASM_LIBS   := $(addprefix $(WASM_BUILD)/deps/lib/lib,zstd.a z.a snappy.a)
WASM_CFLAGS := --target=wasm32-wasi $(CSTD) $(WASM_OPT) $(WASM_LTO) -ffunction-sections \
               -fdata-sections $(WARN) -fvisibility=hidden -DIDBPQ_BUILDING -DIDBPQ_NO_BROTLI \
               -DIDBPQ_NO_LZ4 -DIDBPQ_NO_LZ4_RAW -nostdlibinc -isystem $(WASM_SYSINC) \
               -I$(WASM_BUILD)/deps/include -Iinclude -Isrc
# No --allow-undefined: a symbol nobody defines fails the link (the WASI functions are
# imports declared by wasi-libc, not undefined symbols). wasm-ld exports the memory. The
# 1 MiB stack sits below the data, so that an overflow traps instead of overwriting it.
WASM_LDFLAGS := --target=wasm32-wasi -mexec-model=reactor $(WASM_OPT) $(WASM_LTO) \
               -Wl,--gc-sections -Wl,--strip-all -Wl,--lto-O2 -Wl,--stack-first \
               -Wl,-z,stack-size=1048576

wasm:
	@WASM_CC="$(WASM_CC)" WASM_SYSINC="$(WASM_SYSINC)" WASM_DEPS_OPT="$(WASM_OPT)" \
	    WASM_LTO="$(WASM_LTO)" sh tools/wasm_deps.sh
	@$(MAKE) --no-print-directory $(WASM_BUILD)/idbpq.wasm $(WASM_BUILD)/idbpq_sync.wasm
	@mkdir -p web
	cp $(WASM_BUILD)/idbpq.wasm web/idbpq.wasm.tmp && mv -f web/idbpq.wasm.tmp web/idbpq.wasm
	cp $(WASM_BUILD)/idbpq_sync.wasm web/idbpq_sync.wasm.tmp && \
	    mv -f web/idbpq_sync.wasm.tmp web/idbpq_sync.wasm
	node tools/wasm_imports.mjs web/idbpq.wasm web/wasi_shim.js
	node tools/wasm_imports.mjs web/idbpq_sync.wasm web/wasi_shim.js web/sync.js
	sh tools/wasm_size.sh $(WASM_BUDGET) web/idbpq.wasm \
	    $(filter-out $(WASM_SYNC_JS),$(wildcard web/*.js)) web/v8wire.js web/wasi_shim.js
	sh tools/wasm_size.sh $(WASM_SYNC_BUDGET) web/idbpq_sync.wasm $(WASM_SYNC_JS)

$(WASM_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(WASM_CC) $(WASM_CFLAGS) -MMD -MP -c $< -o $@

$(WASM_BUILD)/idbpq.wasm: $(WASM_OBJ) $(WASM_LIBS)
	$(WASM_CC) $(WASM_LDFLAGS) -o $@.tmp $(WASM_OBJ) -L$(WASM_BUILD)/deps/lib -lzstd -lz \
	    -lsnappy -lc++
	mv -f $@.tmp $@

$(WASM_BUILD)/idbpq_sync.wasm: $(WASM_SYNC_OBJ) $(WASM_LIBS)
	$(WASM_CC) $(WASM_LDFLAGS) -o $@.tmp $(WASM_SYNC_OBJ) -L$(WASM_BUILD)/deps/lib -lzstd -lz \
	    -lsnappy -lc++
	mv -f $@.tmp $@

serve: wasm
	node tools/serve.mjs

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/idbpq.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/libidbpq.a $(BUILD)/libidbpq.so $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/idbpq $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/idbpq.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/

clean:
	rm -rf build build-asan build-fuzz idbpq $(WASM_BUILD)/obj $(WASM_BUILD)/deps \
	    $(WASM_BUILD)/idbpq.wasm web/idbpq.wasm $(WASM_BUILD)/idbpq_sync.wasm web/idbpq_sync.wasm

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(WASM_OBJ:.o=.d) \
    $(WASM_SYNC_OBJ:.o=.d)
