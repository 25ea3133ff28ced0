/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kconfig-src.c - the kernel's config found, gunzipped and parsed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/decomp.h"
#include "kinfo/kconfig-src.h"

#define CONFIG_FILE_MAX (4u << 20)   /* Debian's is 270 KiB, config.gz 60 */

int kconfig_load(struct kconfig *c, const uint8_t *p, size_t n, struct khdr_err *e)
{
	uint8_t *text;
	size_t len;
	int r;

	memset(c, 0, sizeof(*c));
	if (comp_detect(p, n) != COMP_GZIP)
		return kconfig_parse_config(c, p, n, e);
	if ((r = decompress_buffer(COMP_GZIP, p, n, KCONFIG_MAX, &text, &len, e)) < 0)
		return err_wrap(e, "the compressed kernel config");
	if (!len) {
		free(text);
		return err_set(e, EBADMSG, "not a kernel config: it is empty");
	}
	if ((r = kconfig_parse_config(c, text, len, e)) < 0) {
		free(text);
		return r;
	}
	c->own = (char *)text;
	c->own_len = len;
	return 0;
}

int kconfig_read_file(const char *path, struct kconfig *c, struct khdr_err *e)
{
	char *buf = malloc(CONFIG_FILE_MAX);
	size_t len;
	int r;

	if (!buf)
		return err_set(e, ENOMEM, "out of memory");
	r = read_small_file(AT_FDCWD, path, buf, CONFIG_FILE_MAX, &len);
	if (r == -ENOENT) {
		free(buf);
		return r;
	}
	if (r < 0)
		r = err_set(e, r, "cannot read %s: %s", path, strerror(-r));
	else if ((r = kconfig_load(c, (const uint8_t *)buf, len, e)) < 0)
		err_wrap(e, "%s", path);
	/* A plain config points into buf: keep it as the config's own text. */
	if (r == 0 && !c->own) {
		c->own = buf;
		c->own_len = len;
		buf = NULL;
	}
	free(buf);
	return r;
}

int kconfig_read_running(const struct khdr_ctx *ctx, const struct kernel_id *k,
			 struct kconfig *c, char *where, size_t wsize,
			 struct khdr_err *e)
{
	int r = -ENOENT;

	/* config.gz is the running kernel's: only when that is the one installed. */
	if (!k->offline && k->have_version && strcmp(k->version.release, k->release) == 0) {
		if (ctx_path(ctx, CTX_PROCFS, where, wsize, "/config.gz") < 0)
			return err_set(e, ENAMETOOLONG, "--procfs too long");
		r = kconfig_read_file(where, c, e);
	}
	if (r != -ENOENT)
		return r;
	if (ctx_path(ctx, CTX_ROOT, where, wsize, "/boot/config-%s", k->release) < 0)
		return err_set(e, ENAMETOOLONG, "--root too long");
	return kconfig_read_file(where, c, e);
}
