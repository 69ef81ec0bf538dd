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

.PHONY: all lib cli test unit asan deps demo bench fuzz clean install pc check
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

test: all unit $(BUILD)/fuzz_replay asan
	bash tests/run_all.sh

check: test

demo: all
	sh tools/demo.sh

bench: all
	bash bench/run.sh
	bash bench/value/run.sh
	bash bench/mapping/run.sh
	bash bench/profile/run.sh

fuzz:
	sh fuzz/run_libfuzzer.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/idbpq.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/libidbpq.a $(BUILD)/libidbpq.so $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/idbpq $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/idbpq.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/

clean:
	rm -rf build build-asan build-fuzz idbpq

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)
