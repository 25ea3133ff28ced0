/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rmtree.h - remove a directory tree beneath a dir fd without following symlinks. */
#ifndef KHDR_RMTREE_H
#define KHDR_RMTREE_H

/* Remove dir/name and everything below it, never following symlinks. */
int remove_tree_at(int dirfd, const char *name);

#endif
