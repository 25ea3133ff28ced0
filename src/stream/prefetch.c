/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prefetch.c - the decoder thread a few chunks ahead of the reader.  A ring of SLOTS buffers: the decoder thread
 * fills them in order, the reader holds at most one at a time.  A chunk of
 * length 0 marks the end; an error ends the ring after the chunks before it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stream/prefetch.h"

#define SLOTS 4
#define SLOT_SIZE (256u << 10)

struct prefetch {
	struct decoder *d;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	uint8_t *buf[SLOTS];
	size_t len[SLOTS];
	unsigned head;            /* next slot the decoder fills */
	unsigned tail;            /* next slot the reader takes */
	unsigned full;            /* slots filled and not yet released */
	bool held;                /* the reader holds slot tail - 1 */
	bool done;                /* the decoder has finished or failed */
	bool stop;                /* the reader wants no more */
	int err;
	struct khdr_err e;
};

static void *decode_ahead(void *arg)
{
	struct prefetch *p = arg;

	for (;;) {
		struct khdr_err e = { 0 };
		unsigned slot;
		size_t n;
		int r;

		pthread_mutex_lock(&p->lock);
		while (p->full == SLOTS && !p->stop)
			pthread_cond_wait(&p->changed, &p->lock);
		slot = p->head;
		if (p->stop) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		pthread_mutex_unlock(&p->lock);

		r = decoder_read(p->d, p->buf[slot], SLOT_SIZE, &n, &e);

		pthread_mutex_lock(&p->lock);
		if (r < 0) {
			p->err = r;
			p->e = e;
			p->done = true;
		} else {
			p->len[slot] = n;
			p->head = (slot + 1) % SLOTS;
			p->full++;
			p->done = n == 0;
		}
		pthread_cond_broadcast(&p->changed);
		pthread_mutex_unlock(&p->lock);
		if (r < 0 || n == 0)
			return NULL;
	}
}

int prefetch_start(struct prefetch **pp, struct decoder *d,
		   struct khdr_err *e)
{
	struct prefetch *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return err_set(e, ENOMEM, "out of memory");
	p->d = d;
	for (int i = 0; i < SLOTS; i++) {
		p->buf[i] = malloc(SLOT_SIZE);
		if (!p->buf[i]) {
			while (i--)
				free(p->buf[i]);
			free(p);
			return err_set(e, ENOMEM, "out of memory");
		}
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->changed, NULL);
	r = pthread_create(&p->thread, NULL, decode_ahead, p);
	if (r) {
		p->stop = true;
		prefetch_stop(p);
		return err_set(e, r, "cannot start the decoder thread: %s", strerror(r));
	}
	*pp = p;
	return 0;
}

int prefetch_fill(void *ctx, const uint8_t **out, size_t *n,
		  struct khdr_err *e)
{
	struct prefetch *p = ctx;
	int r = 0;

	pthread_mutex_lock(&p->lock);
	if (p->held) {                  /* the previous chunk is done with */
		p->held = false;
		p->tail = (p->tail + 1) % SLOTS;
		p->full--;
		pthread_cond_broadcast(&p->changed);
	}
	while (!p->full && !p->done)
		pthread_cond_wait(&p->changed, &p->lock);
	if (p->full) {
		*out = p->buf[p->tail];
		*n = p->len[p->tail];
		p->held = true;
	} else {
		*n = 0;
		r = p->err;
		if (r < 0 && e)
			*e = p->e;
	}
	pthread_mutex_unlock(&p->lock);
	return r;
}

void prefetch_stop(struct prefetch *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	if (p->thread)
		pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->changed);
	pthread_mutex_destroy(&p->lock);
	for (int i = 0; i < SLOTS; i++)
		free(p->buf[i]);
	free(p);
}
