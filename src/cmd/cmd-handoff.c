/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-handoff.c - khdr-cache handoff [--kernel-release R]: for each new
 * tree install recorded (handoff.h), run the scripts of
 * /etc/kernel/header_postinst.d with its release, as installing
 * linux-headers-R would.  Each marker is taken once; a tree replaced
 * since it was marked is not handed on.  The
 * scripts' failures are reported, never returned: a kernel installation or
 * a boot must not fail because a module did not build.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "sys/handoff.h"
#include "cmd/commands.h"

#define PENDING_MAX 64

/* Is lib/modules/<release>/build still the tree that was marked? */
static bool still_linked(const struct khdr_opts *o, const char *release, const char *key)
{
	char link[4096], target[4096];
	ssize_t n;
	size_t kl = strlen(key);

	if (ctx_path(&o->ctx, CTX_ROOT, link, sizeof(link), "/lib/modules/%s/build", release) < 0)
		return false;
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return (size_t)n > kl && target[n - (ssize_t)kl - 1] == '/' &&
	       strcmp(target + n - kl, key) == 0;
}

static void hand_on(const struct khdr_opts *o, const char *release)
{
	char key[256], dir[4096];
	struct khdr_err e = { 0 };
	int r = handoff_take(o->run_dir, release, key, sizeof(key), &e);

	if (r < 0) {
		log_warn("%s", e.msg);
		return;
	}
	if (r == 0) {
		log_info("%s: no new tree to hand on", release);
		return;
	}
	if (!o->handoff) {
		log_result("%s: handoff=no in khdr-cache.conf: %s not handed on", release, key);
		return;
	}
	if (!still_linked(o, release, key)) {
		log_result("%s: lib/modules/%s/build is no longer %s: not handed on", release,
			   release, key);
		return;
	}
	path_fmt(dir, sizeof(dir), "/%s", HANDOFF_SCRIPTS);
	log_info("%s: run-parts --arg=%s %s", release, release, dir);
	r = handoff_run(dir, release, &e);
	if (r == 1)
		log_result("%s: no %s: nothing to hand %s on to", release, dir, key);
	else if (r < 0)
		log_warn("%s: handing %s on: %s", release, key, e.msg);
	else
		log_result("%s: handed %s on to %s", release, key, dir);
}

static int cmd_handoff(const struct khdr_opts *o, int argc, char **argv,
		       struct khdr_err *e)
{
	char releases[PENDING_MAX][RELEASE_MAX];
	size_t n;
	int r;

	(void)argc;
	(void)argv;
	if (o->release) {
		hand_on(o, o->release);
		return 0;
	}
	r = handoff_pending(o->run_dir, releases, PENDING_MAX, &n, e);
	if (r < 0)
		return r;
	if (n == 0)
		log_info("no new trees to hand on");
	for (size_t i = 0; i < n; i++)
		hand_on(o, releases[i]);
	return 0;
}

const struct command command_handoff = {
	/* The scripts are this system's: they could not run inside another
	 * root, so --root (and --sysfs, --procfs) are refused, and not listed. */
	.name = "handoff", .fn = cmd_handoff,
	.options = OPT_CONF_FILE | OPT_RUN_DIR | OPT_RELEASE,
	.usage = "[--kernel-release R]",
	.help = "run /etc/kernel/header_postinst.d for each new tree install left a marker for",
};
