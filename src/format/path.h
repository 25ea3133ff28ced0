/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * path.h - the rules for names found in an archive.  Pure string work:
 * whether a member name or link target may be used, and in which form.
 */
#ifndef KHDR_PATH_H
#define KHDR_PATH_H

#include <stddef.h>

#define PATH_NAME_MAX 255

/*
 * Normalise a member name: drop leading "./", "." components, repeated and
 * trailing slashes.  Refuses absolute names, "..", empty names and names
 * over PATH_MAX or with a component over NAME_MAX.
 * Returns 0 with the clean name in out, 1 when the name is the archive's
 * root itself ("./"), or -EINVAL / -ENAMETOOLONG with *why set.
 */
int path_clean(const char *in, char *out, size_t size, const char **why);

/*
 * May a symlink at clean member name `path` point at `target`?  Only
 * relative targets that stay inside the tree: any ".." come first and
 * climb no higher than the link's own directory depth.
 */
int path_symlink_ok(const char *path, const char *target, const char **why);

#endif
