/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * copyinto.h - copy a file of one tree into another under the same
 * relative path, never over what the other tree has: how a kbuild kit's
 * files join the headers of a cache entry.
 */
#ifndef KHDR_COPYINTO_H
#define KHDR_COPYINTO_H

#include "base/khdr.h"

/*
 * Copy from/rel to to/rel: a regular file with its bytes and permission
 * bits, or a symbolic link with its target; the directories on the way are
 * made (0755).  Components in to are opened with O_NOFOLLOW: a symlink or
 * file where a directory would be is the tree's own, and wins.
 * 1 copied, 0 left alone (to has rel already, or a component of it is not
 * a directory), or -errno with e saying which file.
 */
int copy_into(int from, int to, const char *rel, struct khdr_err *e);

#endif
