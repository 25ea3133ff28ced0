/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verify-config.c - the config check: the archive's autoconf.h against the
 * target kernel's configuration (kconfig-src.c found it), as it streams
 * by like utsrelease.h and compile.h.  A difference refuses the archive
 * before the commit (nothing reaches the cache: the staging directory
 * goes); with --force it is a warning and the level is "forced".
 */
#include <errno.h>
#include <stdio.h>

#include "base/log.h"
#include "format/kconfig.h"
#include "kinfo/verify.h"

/* Whose config it was, for messages: an offline kernel's is not the running one's. */
static const char *whose(const struct kernel_id *k, char *buf, size_t size)
{
	char which[sizeof(k->image) + 64];

	if (!k->offline)
		return "the running kernel's config";
	snprintf(buf, size, "the config of %s (%s)", k->release,
		 kernel_which(k, which, sizeof(which)));
	return buf;
}

int verify_config(struct verifier *v, const char *data, size_t len,
		  struct khdr_err *e)
{
	char config[sizeof(v->k->image) + 128];
	struct kconfig autoconf;
	struct kconfig_cmp cmp;
	char what[600];
	int r;

	if (!v->config)
		return 0;
	r = kconfig_parse_autoconf(&autoconf, data, len, e);
	if (r < 0)
		return err_wrap(e, "%s", AUTOCONF_H);
	r = kconfig_compare(&autoconf, v->config, &cmp);
	kconfig_free(&autoconf);
	if (r < 0)
		return err_set(e, ENOMEM, "out of memory comparing the kernel config");
	if (!cmp.differ) {
		v->config_state = KCONFIG_MATCH;
		log_info("config: %zu symbols set in %s or %s: %zu agree, %zu tool chain symbols not compared",
			 cmp.compared + cmp.skipped, AUTOCONF_H, whose(v->k, config, sizeof(config)),
			 cmp.compared, cmp.skipped);
		return 0;
	}
	v->config_state = KCONFIG_MISMATCH;
	kconfig_describe(&cmp, what, sizeof(what));
	if (v->force) {
		log_warn("the archive was configured differently from %s (%zu of %zu symbols): %s (--force: installing anyway)",
			 whose(v->k, config, sizeof(config)), cmp.differ, cmp.compared, what);
		v->mismatch = true;
		return 0;
	}
	return err_set(e, EPERM,
		       "archive does not match %s: %zu of %zu symbols differ: %s; "
		       "these headers describe another build (use --force to install them anyway)",
		       whose(v->k, config, sizeof(config)), cmp.differ, cmp.compared, what);
}
