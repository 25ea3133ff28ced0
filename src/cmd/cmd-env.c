/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-env.c - khdr-cache env: the variables that point BCC and bpftrace at
 * the running kernel's cache entry, for systems where lib/modules cannot
 * be written (install --no-link):  eval "$(khdr-cache env --shell)".
 * Plain output (KEY='value' lines) also suits systemd's EnvironmentFile=.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "fs/cache.h"
#include "fs/inventory.h"
#include "fs/stamp.h"
#include "kinfo/kernel.h"
#include "cmd/commands.h"
#include "cmd/hint.h"

static const char *const variables[] = {
	"BCC_KERNEL_SOURCE", "BPFTRACE_KERNEL_SOURCE", "KERNEL_HEADERS",
};

/* 'value', with each ' written as '\'' */
static void shell_quote(const char *s)
{
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
	putchar('\'');
}

/* The running kernel's entry: its key, or without a build ID its valid link's. */
static const struct inv_entry *running_entry(const struct inventory *inv,
					     const char *running_key)
{
	const char *want = *running_key ? running_key :
			   inv->running.state == BUILD_OURS_VALID ? inv->running.key : NULL;

	for (size_t i = 0; want && i < inv->n; i++)
		if (strcmp(inv->entries[i].key, want) == 0 &&
		    inv->entries[i].state != ENTRY_BROKEN)
			return &inv->entries[i];
	return NULL;
}

/* The cache only: env serves systems whose lib/modules is not to change. */
static const char *install_hint(const struct khdr_opts *o, char *buf, size_t size)
{
	return hint_command(o, &command_install, &(struct hint){ .no_link = true }, buf, size);
}

static int env(const struct khdr_opts *o, struct cache *c, struct khdr_err *e)
{
	char key[CACHE_KEY_MAX] = "", path[PATH_MAX], cmd[4 * PATH_MAX];
	const struct inv_entry *ent;
	struct inventory inv;
	struct kernel_id k;
	int r;

	r = kernel_identify_installed(&k, &o->kernel, e);
	if (r < 0)
		return r;
	r = cache_open(c, &o->ctx, o->cache_dir, false, false, e);
	if (r == -ENOENT) {
		log_error("no cache yet: install first; run: %s", install_hint(o, cmd, sizeof(cmd)));
		return KHDR_EXIT_ABSENT;
	}
	if (r < 0)
		return r;
	if (*k.build_id_hex)
		stamp_key(key, sizeof(key), k.release, k.build_id_hex, 0);
	r = inventory_read(&inv, c, k.release, key, NULL, e);
	if (r < 0)
		return r;
	ent = running_entry(&inv, key);
	if (!ent) {
		inventory_free(&inv);
		log_error("no valid cache entry for %s%s%s: install first; run: %s",
			  k.release, *k.build_id_hex ? " build " : "", k.build_id_hex,
			  install_hint(o, cmd, sizeof(cmd)));
		return KHDR_EXIT_ABSENT;
	}
	r = ctx_path(&o->ctx, CTX_ROOT, path, sizeof(path), "%s%s", c->prefix, ent->key);
	inventory_free(&inv);
	if (r < 0)
		return err_set(e, ENAMETOOLONG, "path too long");
	for (size_t i = 0; i < sizeof(variables) / sizeof(variables[0]); i++) {
		printf("%s%s=", o->shell ? "export " : "", variables[i]);
		shell_quote(path);
		putchar('\n');
	}
	return 0;
}

static int cmd_env(const struct khdr_opts *o, int argc, char **argv,
		   struct khdr_err *e)
{
	struct cache c = { .rootfd = -1, .fd = -1, .lockfd = -1 };
	int r;

	(void)argc;
	(void)argv;
	r = env(o, &c, e);
	cache_close(&c);
	return r;
}

const struct command command_env = {
	.name = "env", .fn = cmd_env, .options = OPT_CONF | OPT_SHELL,
	.usage = "[--shell]",
	.help = "print BCC_KERNEL_SOURCE, BPFTRACE_KERNEL_SOURCE and KERNEL_HEADERS for eval",
};
