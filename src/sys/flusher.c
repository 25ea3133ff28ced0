/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flusher.c - the writeback thread that keeps the final syncfs short. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "sys/flusher.h"

struct flusher {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t stopped;
	bool stop;
	int fd;
	unsigned period_ms;
};

static struct timespec after_ms(unsigned ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static void *flush_every_period(void *arg)
{
	struct flusher *f = arg;

	pthread_mutex_lock(&f->lock);
	while (!f->stop) {
		struct timespec when = after_ms(f->period_ms);

		if (pthread_cond_timedwait(&f->stopped, &f->lock, &when) != ETIMEDOUT)
			continue;
		pthread_mutex_unlock(&f->lock);
		/* Errors do not matter here: the final syncfs reports them. */
		(void)syncfs(f->fd);
		pthread_mutex_lock(&f->lock);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

struct flusher *flusher_start(int fd, unsigned period_ms)
{
	struct flusher *f = calloc(1, sizeof(*f));
	pthread_condattr_t attr;

	if (!f)
		return NULL;
	f->fd = fd;
	f->period_ms = period_ms;
	pthread_mutex_init(&f->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&f->stopped, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&f->thread, NULL, flush_every_period, f) != 0) {
		pthread_cond_destroy(&f->stopped);
		pthread_mutex_destroy(&f->lock);
		free(f);
		return NULL;
	}
	return f;
}

void flusher_stop(struct flusher *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	f->stop = true;
	pthread_cond_signal(&f->stopped);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	pthread_cond_destroy(&f->stopped);
	pthread_mutex_destroy(&f->lock);
	free(f);
}
