/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flusher.h - a thread that writes back a file system's dirty data every
 * so often while a tree is being written to it, so that the one syncfs
 * before the commit finds little left to do: the disk works while the
 * extractor does, instead of after it.
 */
#ifndef KHDR_FLUSHER_H
#define KHDR_FLUSHER_H

struct flusher;

/*
 * syncfs(fd) every period_ms until flusher_stop().  NULL when no thread
 * could be started: the final syncfs then does all the work, as before.
 */
struct flusher *flusher_start(int fd, unsigned period_ms);

/* Stop and join the thread (NULL: nothing to do). */
void flusher_stop(struct flusher *f);

#endif
