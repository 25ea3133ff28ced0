/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stub-makefile.h - the top Makefile of a headers-only tree: install
 * writes it into the entry (the stamp says makefile=headers-only), verify
 * recognises it.  DKMS only checks that build/include exists, then runs
 * make there and fails with "No rule to make target 'modules'"; every
 * target of this one says what the tree is and what to do.
 */
#ifndef KHDR_STUB_MAKEFILE_H
#define KHDR_STUB_MAKEFILE_H

#include "base/khdr.h"

#define STUB_MAKEFILE "Makefile"

/* Write it into dirfd: 1, or 0 when the archive brought its own, or a negative errno. */
int stub_makefile_write(int dirfd, struct khdr_err *e);

/* dirfd's Makefile: 0 the one written here, 1 another, -ENOENT none, or a negative errno. */
int stub_makefile_check(int dirfd);

#endif
