/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xzblocks.c - the blocks of a seekable xz stream decoded by worker threads.
 *
 * The index at the end of the stream gives every block's compressed and
 * uncompressed size before any is decoded.  Workers claim blocks in order;
 * claiming block k and reading its compressed bytes happen under one lock,
 * so the input is consumed sequentially.  Block k is decoded into slot
 * k % nslots, a buffer as big as the biggest block, and a worker may claim
 * it only once the reader has released block k - nslots: memory stays at
 * nslots buffers plus one decoder per worker, whatever the archive's size.
 *
 * liblzma's own threaded decoder (5.4) does the same with an output queue,
 * and every byte is then copied once more into the caller's buffer; here
 * the reader takes the block's buffer itself.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/dl.h"
#include "stream/xz.h"
#include "stream/xzblocks.h"

/* The biggest block buffered whole; bigger ones go to the stream decoder. */
#define BLOCK_MAX (8u << 20)
/* Slot buffers plus the workers' dictionaries, at most. */
#define BLOCKS_BUDGET (12u << 20)
#define NO_BLOCK UINT64_MAX

struct span {
	size_t in_size;           /* header, data, padding, check */
	size_t out_size;
	lzma_vli unpadded_size;
};

struct slot {
	uint8_t *out;
	uint64_t block;           /* the block decoded here, NO_BLOCK before */
	int err;
	struct khdr_err e;
};

struct worker {
	struct xzblocks *b;
	pthread_t thread;
	bool started;
	lzma_stream strm;         /* kept from block to block: no new dictionary */
	uint8_t *in;              /* the compressed bytes of one block */
};

struct xzblocks {
	struct input *in;
	lzma_check check;
	struct span *span;
	uint64_t nblocks;
	size_t max_in, max_out;
	uint64_t dict_mem;        /* a decoder's memory, from the first block */

	pthread_mutex_t lock;
	pthread_cond_t changed;
	uint64_t next;            /* the next block a worker claims */
	uint64_t taken;           /* blocks the reader has released */
	bool held;                /* the reader holds block `taken` */
	bool failed;              /* a block failed: claim no more */
	bool stop;                /* the reader wants no more */

	unsigned nslots, nworkers;
	struct slot *slot;
	struct worker *worker;
};

static void free_filters(lzma_filter *filters)
{
	for (int i = 0; filters[i].id != LZMA_VLI_UNKNOWN; i++)
		free(filters[i].options);
}

/* Decode a block header: its size, filters and the sizes it records. */
static lzma_ret read_header(lzma_block *block, lzma_filter *filters,
			    lzma_check check, const uint8_t *p, size_t avail)
{
	*block = (lzma_block){ .version = 1, .check = check, .filters = filters };
	filters[0].id = LZMA_VLI_UNKNOWN;
	if (!avail || p[0] == 0)
		return LZMA_DATA_ERROR;   /* the index, not a block */
	block->header_size = lzma_block_header_size_decode(p[0]);
	if (block->header_size > avail)
		return LZMA_DATA_ERROR;
	return lzma_block_header_decode(block, NULL, p);
}

/* Start w's decoder on the block whose bytes are in w->in. */
static lzma_ret start_block(struct worker *w, const struct span *sp,
			    lzma_block *block)
{
	lzma_filter filters[LZMA_FILTERS_MAX + 1];
	lzma_ret ret = read_header(block, filters, w->b->check, w->in,
				   sp->in_size);

	if (ret != LZMA_OK)
		return ret;
	/* The index and the header must agree; the decoder checks the data. */
	ret = lzma_block_compressed_size(block, sp->unpadded_size);
	if (ret == LZMA_OK && block->uncompressed_size != LZMA_VLI_UNKNOWN &&
	    block->uncompressed_size != sp->out_size)
		ret = LZMA_DATA_ERROR;
	block->uncompressed_size = sp->out_size;
	if (ret == LZMA_OK && lzma_raw_decoder_memusage(filters) > XZ_MEMLIMIT)
		ret = LZMA_MEMLIMIT_ERROR;
	if (ret == LZMA_OK)
		ret = lzma_block_decoder(&w->strm, block);
	free_filters(filters);
	return ret;
}

static int decode_block(struct worker *w, const struct span *sp,
			uint8_t *out, struct khdr_err *e)
{
	lzma_block block;
	lzma_ret ret = start_block(w, sp, &block);

	if (ret != LZMA_OK)
		return xz_error(ret, e);
	w->strm.next_in = w->in + block.header_size;
	w->strm.avail_in = sp->in_size - block.header_size;
	w->strm.next_out = out;
	w->strm.avail_out = sp->out_size;
	do
		ret = lzma_code(&w->strm, LZMA_FINISH);
	while (ret == LZMA_OK);
	if (ret == LZMA_STREAM_END && (w->strm.avail_in || w->strm.avail_out))
		ret = LZMA_DATA_ERROR;
	return ret == LZMA_STREAM_END ? 0 : xz_error(ret, e);
}

/* Wait for a block to claim; false when there is none left to do. */
static bool claim(struct xzblocks *b, uint64_t *k)
{
	while (!b->stop && !b->failed && b->next < b->nblocks &&
	       b->next >= b->taken + b->nslots)
		pthread_cond_wait(&b->changed, &b->lock);
	if (b->stop || b->failed || b->next >= b->nblocks)
		return false;
	*k = b->next++;
	return true;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct xzblocks *b = w->b;
	uint64_t k;

	pthread_mutex_lock(&b->lock);
	while (claim(b, &k)) {
		struct slot *s = &b->slot[k % b->nslots];
		struct khdr_err e = { 0 };
		/* Read in claiming order: the input's CRC64 covers it start to end. */
		int r = input_read(b->in, w->in, b->span[k].in_size);

		if (r < 0)
			r = r == -EPIPE ? xz_error(LZMA_BUF_ERROR, &e)
					: err_set(&e, -r, "read error: %s",
						  strerror(-r));
		pthread_mutex_unlock(&b->lock);
		if (r == 0)
			r = decode_block(w, &b->span[k], s->out, &e);
		pthread_mutex_lock(&b->lock);
		s->err = r;
		s->e = e;
		s->block = k;
		b->failed |= r < 0;
		pthread_cond_broadcast(&b->changed);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

/* Every block's sizes from the index; 0 when a block does not suit. */
static int plan_blocks(struct xzblocks *b, lzma_index *idx)
{
	lzma_index_iter it;
	uint64_t i = 0;

	b->nblocks = lzma_index_block_count(idx);
	if (b->nblocks < 2 || b->nblocks > (1u << 20))
		return 0;
	b->span = calloc(b->nblocks, sizeof(*b->span));
	if (!b->span)
		return -ENOMEM;
	lzma_index_iter_init(&it, idx);
	while (i < b->nblocks && !lzma_index_iter_next(&it, LZMA_INDEX_ITER_BLOCK)) {
		struct span *sp = &b->span[i++];

		if (it.block.uncompressed_size == 0 ||
		    it.block.uncompressed_size > BLOCK_MAX ||
		    it.block.total_size > 2 * BLOCK_MAX)
			return 0;
		sp->in_size = (size_t)it.block.total_size;
		sp->out_size = (size_t)it.block.uncompressed_size;
		sp->unpadded_size = it.block.unpadded_size;
		if (sp->in_size > b->max_in)
			b->max_in = sp->in_size;
		if (sp->out_size > b->max_out)
			b->max_out = sp->out_size;
	}
	return i == b->nblocks;
}

/*
 * The stream header must match the footer, its check must be one liblzma
 * verifies, and the first block's filters say what each worker's decoder
 * costs.  0 when anything is off: the stream decoder then says what.
 */
static int check_stream(struct xzblocks *b, const lzma_stream_flags *footer)
{
	uint8_t buf[LZMA_STREAM_HEADER_SIZE + 1024];
	lzma_filter filters[LZMA_FILTERS_MAX + 1];
	size_t n = sizeof(buf) < b->in->size ? sizeof(buf) : (size_t)b->in->size;
	lzma_stream_flags header;
	lzma_block block;

	if (input_pread(b->in, 0, buf, n) < 0 ||
	    lzma_stream_header_decode(&header, buf) != LZMA_OK ||
	    lzma_stream_flags_compare(&header, footer) != LZMA_OK)
		return 0;
	b->check = header.check;
	/* The block decoder would pass such a check unverified. */
	if (!lzma_check_is_supported(b->check))
		return 0;
	if (read_header(&block, filters, b->check, buf + LZMA_STREAM_HEADER_SIZE,
			n - LZMA_STREAM_HEADER_SIZE) != LZMA_OK)
		return 0;
	b->dict_mem = lzma_raw_decoder_memusage(filters);
	free_filters(filters);
	return b->dict_mem <= BLOCKS_BUDGET;
}

/* As many workers as threads and blocks allow within the budget. */
static bool size_pool(struct xzblocks *b, unsigned threads)
{
	unsigned workers = threads < b->nblocks ? threads : (unsigned)b->nblocks;

	/* A slot for each worker's block and one for the reader's. */
	while (workers >= 2 &&
	       (workers + 1) * (uint64_t)b->max_out + workers * b->dict_mem >
		       BLOCKS_BUDGET)
		workers--;
	b->nworkers = workers;
	b->nslots = workers + 1;
	return workers >= 2;
}

static int start_workers(struct xzblocks *b, struct khdr_err *e)
{
	b->slot = calloc(b->nslots, sizeof(*b->slot));
	b->worker = calloc(b->nworkers, sizeof(*b->worker));
	if (!b->slot || !b->worker)
		return err_set(e, ENOMEM, "out of memory");
	for (unsigned i = 0; i < b->nslots; i++) {
		b->slot[i].block = NO_BLOCK;
		b->slot[i].out = malloc(b->max_out);
		if (!b->slot[i].out)
			return err_set(e, ENOMEM, "out of memory");
	}
	for (unsigned i = 0; i < b->nworkers; i++) {
		struct worker *w = &b->worker[i];
		int r;

		w->b = b;
		w->strm = (lzma_stream)LZMA_STREAM_INIT;
		w->in = malloc(b->max_in);
		if (!w->in)
			return err_set(e, ENOMEM, "out of memory");
		r = pthread_create(&w->thread, NULL, work, w);
		if (r)
			return err_set(e, r, "cannot start a decoder thread: %s",
				       strerror(r));
		w->started = true;
	}
	return 0;
}

int xzblocks_start(struct xzblocks **bp, struct input *in, unsigned threads,
		   struct khdr_err *e)
{
	uint8_t header[LZMA_STREAM_HEADER_SIZE];
	struct xzblocks *b;
	lzma_stream_flags footer;
	lzma_index *idx;
	int r;

	*bp = NULL;
	if (threads < 2 || in->pos != 0 || dl_require(DL_LZMA, NULL) < 0 ||
	    xz_index_read(in, &idx, &footer) < 0)
		return 0;
	b = calloc(1, sizeof(*b));
	if (!b) {
		lzma_index_end(idx, NULL);
		return err_set(e, ENOMEM, "out of memory");
	}
	b->in = in;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->changed, NULL);
	r = plan_blocks(b, idx);
	lzma_index_end(idx, NULL);
	if (r < 0)
		r = err_set(e, -r, "out of memory");
	if (r == 1)
		r = check_stream(b, &footer) && size_pool(b, threads);
	/* The stream header, checked by check_stream() already. */
	if (r == 1 && input_read(in, header, sizeof(header)) < 0)
		r = err_set(e, EIO, "read error at the start of the archive");
	if (r == 1 && start_workers(b, e) < 0)
		r = -e->code;
	if (r == 1)
		*bp = b;
	else
		xzblocks_stop(b);
	return r;
}

int xzblocks_fill(void *ctx, const uint8_t **p, size_t *n,
		  struct khdr_err *e)
{
	struct xzblocks *b = ctx;
	int r = 0;

	pthread_mutex_lock(&b->lock);
	if (b->held) {                  /* the previous block is done with */
		b->held = false;
		b->taken++;
		pthread_cond_broadcast(&b->changed);
	}
	*n = 0;
	if (b->taken < b->nblocks) {
		struct slot *s = &b->slot[b->taken % b->nslots];

		while (s->block != b->taken)
			pthread_cond_wait(&b->changed, &b->lock);
		r = s->err;
		if (r < 0 && e)
			*e = s->e;
		if (r == 0) {
			*p = s->out;
			*n = b->span[b->taken].out_size;
			b->held = true;
		}
	}
	pthread_mutex_unlock(&b->lock);
	return r;
}

void xzblocks_stop(struct xzblocks *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->lock);
	b->stop = true;
	pthread_cond_broadcast(&b->changed);
	pthread_mutex_unlock(&b->lock);
	for (unsigned i = 0; b->worker && i < b->nworkers; i++) {
		struct worker *w = &b->worker[i];

		if (w->started)
			pthread_join(w->thread, NULL);
		lzma_end(&w->strm);
		free(w->in);
	}
	for (unsigned i = 0; b->slot && i < b->nslots; i++)
		free(b->slot[i].out);
	pthread_cond_destroy(&b->changed);
	pthread_mutex_destroy(&b->lock);
	free(b->worker);
	free(b->slot);
	free(b->span);
	free(b);
}
