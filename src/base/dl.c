/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dl.c - dlopen() of each library on first use.  The first use, in
 * whichever thread, loads it under one lock; the result is published with
 * a release store, so every later call costs one atomic load.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "base/dl.h"
#include "base/log.h"

enum dl_state { DL_UNTRIED, DL_LOADED, DL_FAILED };

static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;

/* Resolve every symbol; on failure keep the reason and unload again. */
static int dl_open(struct dl_library *lib)
{
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	const char *why;

	if (!h) {
		why = dlerror();
		snprintf(lib->why, sizeof(lib->why), "%s",
			 why ? why : "dlopen failed");
		return DL_FAILED;
	}
	for (const struct dl_sym *s = lib->syms; s->name; s++) {
		void *fn = dlsym(h, s->name);

		if (!fn) {
			snprintf(lib->why, sizeof(lib->why), "%s has no %s (too old?)",
				 lib->soname, s->name);
			dlclose(h);
			return DL_FAILED;
		}
		/* memcpy: a void * becomes a function pointer, as POSIX allows. */
		memcpy(s->fn, &fn, sizeof(fn));
	}
	/* The handle stays open for the life of the process. */
	return DL_LOADED;
}

/* Whether lib is loaded; *tried: this call made the attempt. */
static bool dl_try(struct dl_library *lib, bool *tried)
{
	int state = atomic_load_explicit(&lib->state, memory_order_acquire);

	*tried = false;
	if (state == DL_UNTRIED) {
		pthread_mutex_lock(&dl_lock);
		state = atomic_load_explicit(&lib->state, memory_order_relaxed);
		if (state == DL_UNTRIED) {
			state = dl_open(lib);
			*tried = true;
			atomic_store_explicit(&lib->state, state, memory_order_release);
		}
		pthread_mutex_unlock(&dl_lock);
	}
	return state == DL_LOADED;
}

#define DL_FAILED_FMT "cannot load %s, needed %s: %s; install %s"
#define DL_FAILED_ARGS(lib) (lib)->soname, (lib)->feature, (lib)->why, (lib)->packages

/*
 * A stub's load.  A caller that did not dl_require() first only sees the
 * library's error code (LZMA_PROG_ERROR, a NULL probe), so the reason goes
 * to the log here, once, before that caller's own message.
 */
bool dl_load(struct dl_library *lib)
{
	bool tried, ok = dl_try(lib, &tried);

	if (!ok && tried)
		log_error(DL_FAILED_FMT, DL_FAILED_ARGS(lib));
	return ok;
}

static struct dl_library *dl_library_of(enum dl_lib lib)
{
	switch (lib) {
	case DL_LZMA:
		return &dl_lzma;
	case DL_BLKID:
		return &dl_blkid;
#ifdef HAVE_ZSTD
	case DL_ZSTD:
		return &dl_zstd;
#endif
#ifdef HAVE_ZLIB
	case DL_ZLIB:
		return &dl_zlib;
#endif
	default:
		return NULL;
	}
}

int dl_require(enum dl_lib id, struct khdr_err *e)
{
	struct dl_library *lib = dl_library_of(id);
	bool tried;

	if (!lib)
		return err_set(e, ENOTSUP, "khdr-cache was built without this library");
	if (dl_try(lib, &tried))
		return 0;
	return err_set(e, ELIBACC, DL_FAILED_FMT, DL_FAILED_ARGS(lib));
}
