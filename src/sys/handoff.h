/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * handoff.h - hand a new tree on as a headers package would: Debian's and
 * Ubuntu's linux-headers-R postinst runs the scripts of /etc/kernel/header_postinst.d
 * with R (DKMS builds its modules there).  install leaves a marker,
 * <run dir>/handoff/<release> holding the key it linked, and the handoff
 * command (the postinst.d hook, kernel-install add, khdr-cache-handoff.service
 * after the boot's install) takes each marker once and runs the scripts:
 * never inside the initramfs, never holding up sysinit.target.
 */
#ifndef KHDR_HANDOFF_H
#define KHDR_HANDOFF_H

#include <stddef.h>

#include "base/khdr.h"
#include "format/kversion.h"

#define HANDOFF_SCRIPTS "etc/kernel/header_postinst.d"   /* under --root */

/* Record that lib/modules/<release>/build is a new tree, key; -ENOENT
 * when the run dir cannot be made for want of its parent. */
int handoff_mark(const char *run_dir, const char *release, const char *key,
		 struct khdr_err *e);

/*
 * Take release's marker: 1 with its key when there was one (it is gone
 * then: whoever removed it runs the scripts, so they run once), 0 when
 * there was none.
 */
int handoff_take(const char *run_dir, const char *release, char *key,
		 size_t size, struct khdr_err *e);

/* The releases with a marker, at most max of them. */
int handoff_pending(const char *run_dir, char (*releases)[RELEASE_MAX],
		    size_t max, size_t *n, struct khdr_err *e);

/*
 * run-parts --arg=<release> <dir>: its output goes where ours goes (the
 * journal under the unit, the terminal under dpkg).  1 when the
 * directory does not exist, 0 when every script succeeded, else -ECHILD.
 */
int handoff_run(const char *dir, const char *release, struct khdr_err *e);

#endif
