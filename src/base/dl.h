/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dl.h - the four shared libraries (liblzma, libblkid, libzstd, zlib),
 * loaded with dlopen() on first use instead of linked.  A warm "install"
 * at boot needs none of them, and mapping and relocating them costs time
 * on every start (bench/RESULTS.md, "Small costs named in the code").
 *
 * Each dl-<lib>.c defines the library's functions under their own names
 * and prototypes (it includes the library's header, so the compiler checks
 * them), each forwarding through a pointer resolved by dlsym().  Callers
 * keep calling lzma_code() and the like unchanged.
 */
#ifndef KHDR_DL_H
#define KHDR_DL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/khdr.h"

enum dl_lib { DL_LZMA, DL_BLKID, DL_ZSTD, DL_ZLIB };

/*
 * Load a library before its first use, so that a failure is reported with
 * the library's name and the packages that provide it, not as the
 * library's own error code ("out of memory").  Cheap once loaded and
 * thread-safe.  -ENOTSUP for a library this build does not support.
 */
int dl_require(enum dl_lib lib, struct khdr_err *e);

/* One function to resolve: its name and the pointer that gets its address. */
struct dl_sym {
	const char *name;
	void *fn;                /* a function pointer's address */
};

/* One library; after the first load attempt its fields are only read. */
struct dl_library {
	const char *soname;      /* the one the build linked against */
	const char *feature;     /* what needs it, for messages */
	const char *packages;    /* what provides it, for messages */
	const struct dl_sym *syms;
	_Atomic int state;       /* enum dl_state in dl.c */
	char why[256];           /* why the load failed */
};

/*
 * dlopen() and resolve everything on the first call; whether it worked.
 * The stubs call it; a failure is logged once (see dl.c).
 */
bool dl_load(struct dl_library *lib);

/*
 * Inside a dl-<lib>.c that defines DL_THIS (its struct dl_library):
 * DL_FN(fail, ret, name, (params), (args)) defines name() forwarding to
 * the library, or returning fail (the library's own error convention)
 * when it cannot be loaded; DL_VOID the same for a function returning
 * nothing; DL_SYM the entry of the dl_sym table.  The pointer's type is
 * __typeof__ the header's declaration.
 */
#define DL_FN(fail, ret, name, params, args)                                 \
	static __typeof__(name) *dl_p_##name;                                \
	ret name params                                                      \
	{                                                                    \
		if (!dl_load(&DL_THIS))                                      \
			return fail;                                         \
		return dl_p_##name args;                                     \
	}
#define DL_VOID(name, params, args)                                          \
	static __typeof__(name) *dl_p_##name;                                \
	void name params                                                     \
	{                                                                    \
		if (dl_load(&DL_THIS))                                       \
			dl_p_##name args;                                    \
	}
#define DL_SYM(fail, ret, name, params, args) { #name, &dl_p_##name },
#define DL_SYM_VOID(name, params, args) { #name, &dl_p_##name },

/*
 * The whole of a dl-<lib>.c but its note: the forwarding functions of
 * FUNCTIONS (an X-macro list of FN(...) and VOID(...) entries), their
 * dl_sym table, and struct dl_library dl_<id>.
 */
#define DL_LIBRARY(id, FUNCTIONS, soname_, feature_, packages_)             \
	FUNCTIONS(DL_FN, DL_VOID)                                            \
	static const struct dl_sym dl_##id##_syms[] = {                      \
		FUNCTIONS(DL_SYM, DL_SYM_VOID)                               \
		{ 0 }                                                        \
	};                                                                   \
	struct dl_library dl_##id = { .soname = soname_, .feature = feature_, \
				      .packages = packages_, .syms = dl_##id##_syms }

/*
 * The .note.dlopen ELF note of systemd's "dlopen() metadata for ELF
 * files" (owner "FDO", a JSON array), so packaging tools and the
 * initramfs hooks can find the libraries no DT_NEEDED entry names.
 */
#define DL_NOTE_TYPE 0x407c0c0aU
#define DL_NOTE(id, json)                                                    \
	__attribute__((used, section(".note.dlopen"), aligned(4)))           \
	static const struct {                                                \
		uint32_t namesz, descsz, type;                               \
		char name[4];                                                \
		_Alignas(4) char desc[sizeof(json)];                         \
	} dl_note_##id = { 4, sizeof(json), DL_NOTE_TYPE, "FDO", json }

extern struct dl_library dl_lzma, dl_blkid, dl_zstd, dl_zlib;

#endif
