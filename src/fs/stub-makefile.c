/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stub-makefile.c - the headers-only tree's top Makefile, written and recognised. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fs/stub-makefile.h"

/*
 * The version is read by make from the tree's own version.h, so the text
 * is one for every tree (verify compares it byte for byte).
 */
static const char text[] =
	"# Written by khdr-cache: this tree holds kernel headers only.\n"
	"# BCC and bpftrace need no more; building modules needs a kbuild tree.\n"
	"khdr-code := $(shell sed -n 's/^.define LINUX_VERSION_CODE //p' "
	"'$(CURDIR)/include/generated/uapi/linux/version.h' 2>/dev/null)\n"
	"khdr-version := $(if $(khdr-code),$(shell echo $$(($(khdr-code) >> 16)).$$((($(khdr-code) >> 8) & 255))"
	".$$(($(khdr-code) & 255))),<version>)\n"
	"Makefile: ;\n"
	"%:\n"
	"\t@echo 'khdr-cache: $(CURDIR) holds kernel headers only (enough for BCC and bpftrace), "
	"not a kbuild tree: to build modules, install the kbuild kit of Linux $(khdr-version) "
	"(package khdr-kbuild-$(khdr-version)) and run khdr-cache install again, or a kbuild-complete "
	"archive (the kheaders module of khdr-cache kernel/, see khdr-cache(8)), or the distribution "
	"headers package' >&2; exit 1\n"
	"headers-only:\n"
	".DEFAULT_GOAL := headers-only\n";

/* What khdr-cache 0.1.0 wrote before kits: still install's own. */
static const char text_before_kits[] =
	"# Written by khdr-cache: this tree holds kernel headers only.\n"
	"# BCC and bpftrace need no more; building modules needs a kbuild tree.\n"
	"Makefile: ;\n"
	"%:\n"
	"\t@echo 'khdr-cache: $(CURDIR) holds kernel headers only (enough for BCC and bpftrace), "
	"not a kbuild tree: to build modules, install a kbuild-complete archive "
	"(the kheaders module of khdr-cache kernel/, see khdr-cache(8)) or the distribution headers package' >&2; exit 1\n"
	"headers-only:\n"
	".DEFAULT_GOAL := headers-only\n";

int stub_makefile_write(int dirfd, struct khdr_err *e)
{
	size_t len = strlen(text);
	int fd = openat(dirfd, STUB_MAKEFILE,
			O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0 && errno == EEXIST)
		return 0;   /* the archive brought its own */
	if (fd < 0)
		return err_set(e, errno, "writing the headers-only Makefile: %s",
			       strerror(errno));
	if (write(fd, text, len) != (ssize_t)len) {
		int r = errno ? errno : EIO;

		close(fd);
		return err_set(e, r, "writing the headers-only Makefile: %s",
			       strerror(r));
	}
	close(fd);
	return 1;
}

int stub_makefile_check(int dirfd)
{
	char buf[4096];
	size_t len;
	int r = read_small_file(dirfd, STUB_MAKEFILE, buf, sizeof(buf), &len);

	if (r < 0)
		return r;
	return (len == strlen(text) && memcmp(buf, text, len) == 0) ||
	       (len == strlen(text_before_kits) && memcmp(buf, text_before_kits, len) == 0) ? 0 : 1;
}
