# dnsxl — build, run, test.
#
#   make            build dnsxld, dnsxl-admin, dnsxl-loader into build/
#   make run        install missing packages, build, start the demo server on 127.0.0.1:5353
#                   (make run PORT=5354: on another port)
#   make test       install missing packages, build, run unit tests, lint, integration tests
#   make SANITIZE=address,undefined test   the same under ASan/UBSan (into build-san/)

CC       ?= cc
SANITIZE ?=
ifeq ($(SANITIZE),)
BUILD    ?= build
OPT      ?= -O2
else
BUILD    ?= build-san
OPT      ?= -O1 -fno-omit-frame-pointer -fsanitize=$(SANITIZE) -fno-sanitize-recover=all
endif

CFLAGS   ?=
CFLAGS   += -std=c11 -D_GNU_SOURCE -g $(OPT) -Wall -Wextra -Werror -Wshadow \
            -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter -pthread -I.
LDFLAGS  += -pthread $(if $(SANITIZE),-fsanitize=$(SANITIZE))
LIBS_STORE = -llmdb -lsodium
LIBS_UV    = -luv
LIBS_TAP   = -lfstrm -lprotobuf-c
LIBS_WEB   = -lmicrohttpd

PY       ?= /usr/bin/python3

# Sanitized runs: leaks are errors (tests/lsan.supp names the one library
# leak we tolerate), the first report aborts, and every process the tests
# start (dnsxld, the CLIs) inherits these settings.
ifneq ($(SANITIZE),)
export ASAN_OPTIONS  ?= detect_leaks=1:abort_on_error=1
export LSAN_OPTIONS  ?= suppressions=$(abspath tests/lsan.supp):print_suppressions=0
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
endif

ZONES_SRC  := $(wildcard zones/*.c)
DNSXLD_SRC := $(filter-out dnsxld/main.c,$(wildcard dnsxld/*.c))
LOADER_SRC := $(filter-out loader/main.c,$(wildcard loader/*.c))
ADMIN_SRC  := $(filter-out admin/web%.c,$(wildcard admin/*.c))
WEB_SRC    := $(wildcard admin/web*.c)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBZONES  := $(BUILD)/libdnsxlzones.a
LIBDNSXLD := $(BUILD)/libdnsxld.a
LIBLOADER := $(BUILD)/libdnsxlloader.a
LIBADMIN  := $(BUILD)/libdnsxladmin.a
LIBWEB    := $(BUILD)/libdnsxlweb.a
PROGS     := $(BUILD)/dnsxld $(BUILD)/dnsxl-admin $(BUILD)/dnsxl-loader $(BUILD)/dnsxl-web
UNITS     := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all deps run test unit integration clean bench bench-ir lint fuzz install
all: $(PROGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIBZONES): $(call obj,$(ZONES_SRC))
	@rm -f $@; ar rcs $@ $^
$(LIBDNSXLD): $(call obj,$(DNSXLD_SRC)) $(BUILD)/obj/gen/dnstap.pb-c.o
	@rm -f $@; ar rcs $@ $^
$(LIBLOADER): $(call obj,$(LOADER_SRC))
	@rm -f $@; ar rcs $@ $^
$(LIBADMIN): $(call obj,$(filter-out admin/admin.c,$(ADMIN_SRC)))
	@rm -f $@; ar rcs $@ $^
$(LIBWEB): $(call obj,$(filter-out admin/web.c,$(WEB_SRC)))
	@rm -f $@; ar rcs $@ $^

$(BUILD)/dnsxld: $(call obj,dnsxld/main.c) $(LIBDNSXLD) $(LIBADMIN) $(LIBZONES)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_UV) $(LIBS_TAP) $(LIBS_STORE)

# dnstap (dnsxld/dnstap.h): the protobuf-c code of dnsxld/dnstap.proto, made
# at build time by protoc-c (Debian's protobuf-c-compiler) into BUILD/gen/.
$(BUILD)/gen/dnstap.pb-c.c: dnsxld/dnstap.proto
	@mkdir -p $(dir $@)
	protoc-c --c_out=$(BUILD)/gen --proto_path=dnsxld dnsxld/dnstap.proto
$(BUILD)/gen/dnstap.pb-c.h: $(BUILD)/gen/dnstap.pb-c.c
$(BUILD)/obj/gen/dnstap.pb-c.o: $(BUILD)/gen/dnstap.pb-c.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(BUILD)/gen -MMD -MP -c $< -o $@
$(BUILD)/obj/dnsxld/dnstap.o $(BUILD)/obj/tests/unit/test_dnsxld_dnstap.o: $(BUILD)/gen/dnstap.pb-c.h
$(BUILD)/obj/dnsxld/dnstap.o $(BUILD)/obj/tests/unit/test_dnsxld_dnstap.o: CFLAGS += -I$(BUILD)/gen
$(BUILD)/dnsxl-admin: $(call obj,$(ADMIN_SRC)) $(LIBZONES)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_STORE)
$(BUILD)/dnsxl-loader: $(call obj,loader/main.c) $(LIBLOADER) $(LIBZONES)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_STORE)
# dnsxl-web (admin/web*.c) is the only program linked with libmicrohttpd
$(BUILD)/dnsxl-web: $(call obj,admin/web.c) $(LIBWEB) $(LIBADMIN) $(LIBZONES)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_WEB) $(LIBS_STORE)

# Unit tests are named tests/unit/test_<module>_<what>.c and link only what
# they test: libdnsxlzones, plus libdnsxld, libdnsxlloader or libdnsxladmin
# (admin/ without its main) for those modules.
$(BUILD)/tests/test_zones_%: $(BUILD)/obj/tests/unit/test_zones_%.o $(LIBZONES)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(LIBS_STORE)
$(BUILD)/tests/test_dnsxld_%: $(BUILD)/obj/tests/unit/test_dnsxld_%.o $(LIBDNSXLD) $(LIBADMIN) $(LIBZONES)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(LIBS_UV) $(LIBS_TAP) $(LIBS_STORE)
$(BUILD)/tests/test_loader_%: $(BUILD)/obj/tests/unit/test_loader_%.o $(LIBLOADER) $(LIBZONES)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(LIBS_STORE)
$(BUILD)/tests/test_admin_%: $(BUILD)/obj/tests/unit/test_admin_%.o $(LIBADMIN) $(LIBZONES)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(LIBS_STORE)
$(BUILD)/tests/test_web_%: $(BUILD)/obj/tests/unit/test_web_%.o $(LIBWEB) $(LIBADMIN) $(LIBZONES)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(LIBS_WEB) $(LIBS_STORE)

deps:
	@sh tests/deps.sh

unit: $(UNITS)
	@set -e; for t in $(UNITS); do echo "== $$t"; $$t; done

integration: $(PROGS)
	DNSXL_BUILD=$(abspath $(BUILD)) $(PY) -m pytest -q tests/integration

test: deps
	@$(MAKE) --no-print-directory all $(UNITS)
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory LINT_STRICT=1 lint
	@$(MAKE) --no-print-directory integration

# make run [PORT=5353]: the demo (demo/dnsxl.conf) on 127.0.0.1:PORT; the
# tracked config stays as it is (demo/run.sh serves a copy in var/).
PORT ?= 5353
run: deps
	@$(MAKE) --no-print-directory all
	@sh demo/run.sh $(BUILD) $(PORT)

bench: deps all
	@sh bench/run.sh $(BUILD)
	@sh bench/load.sh $(BUILD)

# make bench-ir: instructions per query of the query path, per class of
# query (bench/qbench.c under callgrind; bench/callgrind.sh has the knobs).
$(BUILD)/qbench: $(call obj,bench/qbench.c) $(LIBDNSXLD) $(LIBADMIN) $(LIBZONES)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_UV) $(LIBS_TAP) $(LIBS_STORE)
bench-ir: $(BUILD)/qbench
	@sh bench/callgrind.sh $(BUILD)

# make lint: repeated parsers and hand-coded byte layouts outside the
# modules that own them (tests/lint/dupscan.sh, a report), and cycles in the
# include and object graphs of zones/ and dnsxld/ (tests/lint/graph.sh).
# Reports only; LINT_STRICT=1 makes any finding an error (make test runs it so).
lint: all
	@sh tests/lint/dupscan.sh
	@sh tests/lint/graph.sh $(BUILD)

# make install [PREFIX=/usr/local] [DESTDIR=...] [UNITDIR=/etc/systemd/system]:
# programs, man pages, the systemd units of contrib/ (their /usr/local paths
# become PREFIX), the sysusers.d and tmpfiles.d entries that create the dnsxl
# user and /var/lib/dnsxl, and the sample config as /etc/dnsxl/dnsxl.conf
# only where none exists: an operator's config is never overwritten.
# Without DESTDIR, on a systemd host, it then creates that user and directory
# (systemd-sysusers, systemd-tmpfiles), as a package's postinst would.
PREFIX  ?= /usr/local
UNITDIR ?= /etc/systemd/system
UNIT_FILES := dnsxld.service dnsxl-expire.service dnsxl-expire.timer dnsxl-web.service
install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8 \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(PREFIX)/lib/sysusers.d \
	    $(DESTDIR)$(PREFIX)/lib/tmpfiles.d $(DESTDIR)/etc/dnsxl
	install -m 755 $(BUILD)/dnsxld $(BUILD)/dnsxl-web $(DESTDIR)$(PREFIX)/sbin/
	install -m 755 $(BUILD)/dnsxl-admin $(BUILD)/dnsxl-loader $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/dnsxl.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 man/dnsxld.8 man/dnsxl-admin.8 man/dnsxl-loader.8 man/dnsxl-web.8 \
	    $(DESTDIR)$(PREFIX)/share/man/man8/
	@set -e; for u in $(UNIT_FILES); do \
	  echo "sed 's|/usr/local/|$(PREFIX)/|g' contrib/$$u > $(DESTDIR)$(UNITDIR)/$$u"; \
	  sed 's|/usr/local/|$(PREFIX)/|g' contrib/$$u > $(DESTDIR)$(UNITDIR)/$$u.tmp; \
	  chmod 644 $(DESTDIR)$(UNITDIR)/$$u.tmp; mv $(DESTDIR)$(UNITDIR)/$$u.tmp $(DESTDIR)$(UNITDIR)/$$u; \
	done
	install -m 644 contrib/sysusers.d/dnsxl.conf $(DESTDIR)$(PREFIX)/lib/sysusers.d/dnsxl.conf
	install -m 644 contrib/tmpfiles.d/dnsxl.conf $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/dnsxl.conf
	@if [ -e $(DESTDIR)/etc/dnsxl/dnsxl.conf ] || [ -L $(DESTDIR)/etc/dnsxl/dnsxl.conf ]; then \
	  echo "kept $(DESTDIR)/etc/dnsxl/dnsxl.conf (the new sample is contrib/dnsxl.conf)"; \
	else \
	  echo "install -m 644 contrib/dnsxl.conf $(DESTDIR)/etc/dnsxl/dnsxl.conf"; \
	  install -m 644 contrib/dnsxl.conf $(DESTDIR)/etc/dnsxl/dnsxl.conf; \
	fi
	@if [ -e $(DESTDIR)/etc/dnsxl/check.lists ] || [ -L $(DESTDIR)/etc/dnsxl/check.lists ]; then \
	  echo "kept $(DESTDIR)/etc/dnsxl/check.lists (the new sample is contrib/check.lists)"; \
	else \
	  install -m 644 contrib/check.lists $(DESTDIR)/etc/dnsxl/check.lists; \
	fi
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
	  echo "systemd-sysusers, systemd-tmpfiles --create, systemctl daemon-reload"; \
	  systemd-sysusers $(PREFIX)/lib/sysusers.d/dnsxl.conf && \
	  systemd-tmpfiles --create $(PREFIX)/lib/tmpfiles.d/dnsxl.conf && \
	  systemctl daemon-reload; \
	fi

# Fuzz targets (libFuzzer): each runs FUZZ_SECONDS on a scratch copy of its seed corpus.
FUZZ_SECONDS ?= 30
FUZZ_CC      ?= clang
FUZZ_FLAGS    = -std=c11 -D_GNU_SOURCE -g -O1 -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BUILD   ?= build-fuzz
# A finding fails the rule (the target's log is shown); else its last lines.
fuzz:
	@set -e; B=$(FUZZ_BUILD); mkdir -p $$B/gen; \
	protoc-c --c_out=$$B/gen --proto_path=dnsxld dnsxld/dnstap.proto; \
	for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz $$t ($(FUZZ_SECONDS)s)"; \
	  $(FUZZ_CC) $(FUZZ_FLAGS) -I$$B/gen -o $$B/fuzz_$$t tests/fuzz/fuzz_$$t.c \
	    $(DNSXLD_SRC) $$B/gen/dnstap.pb-c.c $(filter-out admin/admin.c,$(ADMIN_SRC)) \
	    admin/web_guard.c admin/web_page.c $(LOADER_SRC) \
	    $(ZONES_SRC) -luv -lfstrm \
	    -lprotobuf-c -llmdb -lsodium -pthread; \
	  rm -rf $$B/corpus-$$t; cp -r tests/fuzz/corpus/$$t $$B/corpus-$$t; \
	  if ! (cd $$B && ./fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        corpus-$$t > fuzz_$$t.log 2>&1); then \
	    tail -n 60 $$B/fuzz_$$t.log; echo "fuzz_$$t: a finding (input: $$B/crash-*)"; exit 1; \
	  fi; \
	  tail -n 3 $$B/fuzz_$$t.log; \
	done

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
