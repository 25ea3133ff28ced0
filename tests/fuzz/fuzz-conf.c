/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-conf.c - the /etc/khdr-cache.conf parser, and the promises a parsed
 * file keeps: a cache_dir it accepted is absolute with no '.' or '..'
 * components, keep is within 1..1000, every string is terminated.
 */
#include <stdlib.h>

#include "format/conf.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct khdr_conf c;   /* 4 KiB+: keep it off the stack */
	struct khdr_err e = { 0 };
	char *s;

	fuzz_quiet();
	if (conf_parse((const char *)data, size, &c, &e) == 0) {
		if ((c.set & CONF_CACHE_DIR) &&
		    (strnlen(c.cache_dir, sizeof(c.cache_dir)) == sizeof(c.cache_dir) ||
		     !conf_dir_valid(c.cache_dir)))
			__builtin_trap();
		if ((c.set & CONF_KEEP) && (c.keep < 1 || c.keep > 1000))
			__builtin_trap();
		if ((c.set & CONF_CACHE_DEVICE) &&
		    strnlen(c.cache_device, sizeof(c.cache_device)) == sizeof(c.cache_device))
			__builtin_trap();
	} else if (strnlen(e.msg, sizeof(e.msg)) == sizeof(e.msg) || !*e.msg) {
		__builtin_trap();   /* every refusal says why */
	}
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)conf_dir_valid(s);
	free(s);
	return 0;
}
