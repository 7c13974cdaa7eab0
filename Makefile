# SPDX-License-Identifier: GPL-2.0
#
#   make                      module against KDIR + userspace/smtprlctl
#   make KDIR=/path/to/build  any prepared kernel tree (Debian headers, UML O= dir)
#   make install              the module (+ depmod), smtprlctl, smtprl-notify,
#                             smtprl-session and its pppd hooks, man page,
#                             completion, systemd units, /etc/smtprl examples
#   make uninstall            all of it again but /etc/smtprl (yours)
#   make install-dkms         the module's source under /usr/src/smtprl-VERSION,
#                             built and installed by DKMS for every kernel
#   make deb                  Debian packages smtprl and smtprl-dkms in
#                             build/deb/, checked by lintian
#   make check                every test tier; last line "N passed, N failed"
#   make check-static | check-perf | check-kunit | check-e2e KERNEL=6.1|6.12|uml|x86dbg|armhf
#                             check-perf: instructions per packet (qemu -icount)
#                             against scripts/bench/budget
#   make demo                 the lab: a BRAS with smtprl, a zombie, a mail server
#   make bench                smtprl vs hashlimit vs nft, in the lab; writes
#                             Documentation/performance.md (about 40 minutes,
#                             plus ~15 to build the UML bench kernel once)
#   make fuzz [COUNT=200000] [SEED=...] [KERNEL=uml]
#                             the netlink fuzzer at full length in the UML
#                             debug kernel (KASAN, kmemleak); make check runs
#                             30,000 messages with seed 1 (3,000 on x86dbg)
#   make stress [DURATION=600] [CYCLES=300] [KERNEL=x86dbg]
#                             the concurrency stress test at full length on
#                             the x86_64 SMP debug kernel (2 vCPUs; KASAN,
#                             lockdep); KERNEL=x86kcsan: the KCSAN variant,
#                             KERNEL=uml: single CPU; make check runs 45 s
#                             on uml and x86dbg; then CYCLES unloads under
#                             a two-CPU SYN flood (make check: 20)
#   make mutants [MUTANTS="NAME..."]
#                             plant each known bug in a scratch copy and show
#                             that its test goes red (Documentation/testing.md)
#   make deps                 install the Debian packages the lab needs

KDIR    ?= /lib/modules/$(shell uname -r)/build
PREFIX  ?= /usr/local
DESTDIR ?=

# A UML tree needs ARCH=um, Debian's 32-bit ARM and s390x headers a cross
# compiler;
# BTF needs pahole and the kernel's vmlinux (Debian's 6.12 headers have
# it, 6.1's do not).
KARCH   := $(if $(shell grep -s '^CONFIG_UML=y' $(KDIR)/.config),ARCH=um)
KARCH   += $(if $(shell grep -s '^CONFIG_ARM=y' $(KDIR)/.config),\
		ARCH=arm CROSS_COMPILE=$(or $(CROSS_COMPILE),arm-linux-gnueabihf-))
KARCH   += $(if $(shell grep -s '^CONFIG_S390=y' $(KDIR)/.config),\
		ARCH=s390 CROSS_COMPILE=$(or $(CROSS_COMPILE),s390x-linux-gnu-))
KBTF    := $(if $(and $(shell command -v pahole),$(wildcard $(KDIR)/vmlinux)),,\
		CONFIG_DEBUG_INFO_BTF_MODULES=)
MODSRC  ?= $(CURDIR)
KMAKE   := $(MAKE) -C $(KDIR) M=$(MODSRC) $(KARCH) $(KBTF)
# The release modules install under (Debian's 6.1 headers say 6.1.N in
# include/config/kernel.release, but install under UTS_RELEASE).
KREL     = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
		$(KDIR)/include/generated/utsrelease.h 2>/dev/null)

.PHONY: all module userspace install install-module install-userspace uninstall \
	uninstall-module uninstall-userspace install-dkms deb version clean \
	deps check check-static check-perf check-kunit check-e2e demo bench fuzz stress mutants

all: module userspace

module:
	$(KMAKE) modules

userspace:
	$(MAKE) -C userspace

install: install-module install-userspace

# Kbuild would sign the module with the kernel's build key, which
# distribution header packages do not ship ("SSL error ... signing_key.pem"),
# and run depmod with a System.map they lack: neither, here. An unsigned
# module loads unless Secure Boot enforces signatures; then sign it with
# your machine owner key, or install the smtprl-dkms package, whose DKMS
# does.
install-module: module
	$(KMAKE) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra \
		CONFIG_MODULE_SIG_ALL= cmd_depmod=: quiet_cmd_depmod= modules_install
	$(if $(DESTDIR),@echo "staged under $(DESTDIR): run depmod $(KREL) on the target",depmod -a $(KREL))

uninstall: uninstall-module uninstall-userspace

# The one version (include/smtprl-version.h), as packages, DKMS and the
# tests read it: make -s version.
VERSION := $(shell sed -n 's/^\#define SMTPRL_VERSION "\(.*\)"/\1/p' \
		$(dir $(lastword $(MAKEFILE_LIST)))include/smtprl-version.h)
version:
	@echo $(VERSION)

# The module's source for DKMS, under /usr/src/smtprl-VERSION, added,
# built and installed for the running kernel (with DESTDIR: staged only).
install-dkms:
	rm -rf $(DESTDIR)/usr/src/smtprl-$(VERSION)
	install -d $(DESTDIR)/usr/src/smtprl-$(VERSION)
	cp -a Kbuild kmod include $(DESTDIR)/usr/src/smtprl-$(VERSION)/
	rm -rf $(DESTDIR)/usr/src/smtprl-$(VERSION)/kmod/bench
	sed 's/#MODULE_VERSION#/$(VERSION)/' packaging/dkms.conf \
		>$(DESTDIR)/usr/src/smtprl-$(VERSION)/dkms.conf
	$(if $(DESTDIR),,dkms install smtprl/$(VERSION))

# Debian packages from the tree (git's files in a checkout, else all but
# build/), into build/deb/: smtprl and smtprl-dkms, checked by lintian.
deb:
	rm -rf build/deb && mkdir -p build/deb/smtprl-$(VERSION)
	{ git ls-files -z 2>/dev/null || find . -path ./build -prune -o -type f -print0; } | \
		xargs -0 cp --parents -t build/deb/smtprl-$(VERSION)
	cd build/deb/smtprl-$(VERSION) && dpkg-buildpackage -us -uc -b
	lintian --fail-on error build/deb/smtprl_$(VERSION)_*.changes

uninstall-module:
	rm -f $(DESTDIR)/lib/modules/$(KREL)/extra/smtprl.ko*
	$(if $(DESTDIR),,depmod -a $(KREL))

uninstall-userspace:
	$(MAKE) -C userspace uninstall DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

install-userspace: userspace
	$(MAKE) -C userspace install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

clean:
	$(KMAKE) clean 2>/dev/null || true
	$(MAKE) -C userspace clean
	rm -rf build

deps:
	scripts/deps.sh

check:
	scripts/deps.sh
	scripts/check.sh all

check-static:
	scripts/deps.sh
	scripts/check.sh static

check-perf:
	scripts/deps.sh
	scripts/check.sh perf

check-kunit:
	scripts/deps.sh
	scripts/check.sh kunit

check-e2e:
	scripts/deps.sh
	scripts/check.sh e2e $(KERNEL)

demo:
	scripts/deps.sh
	scripts/lab/demo.sh

COUNT ?= 200000
SEED  ?= $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
fuzz:
	scripts/deps.sh
	$(MAKE) -C userspace
	scripts/lab/vm-run.sh -t 7200 $(or $(KERNEL),uml) scripts/e2e/60-nlfuzz.sh $(COUNT) $(SEED)

mutants:
	scripts/deps.sh
	scripts/mutants.sh $(MUTANTS)

DURATION ?= 600
CYCLES   ?= 300
stress:
	scripts/deps.sh
	$(MAKE) -C userspace
	mkdir -p build && cc -O2 -o build/synflood scripts/e2e/synflood.c
	scripts/lab/vm-run.sh -t $$(($(DURATION) * 3 + 1200)) $(or $(KERNEL),x86dbg) \
		scripts/e2e/70-stress.sh $(DURATION) $(SEED)
	$(if $(filter uml%,$(KERNEL)),,scripts/lab/vm-run.sh -t 5400 \
		$(or $(KERNEL),x86dbg) scripts/e2e/75-unload-flood.sh $(CYCLES))

bench:
	scripts/deps.sh
	scripts/bench/compare.sh icount
	scripts/bench/compare.sh uml
	scripts/bench/compare.sh smp
	scripts/bench/control.sh 6.12
	scripts/bench/control.sh uml-bench
	scripts/bench/perf.sh
	scripts/bench/report.py
