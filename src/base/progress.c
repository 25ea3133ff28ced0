/* SPDX-License-Identifier: GPL-2.0-or-later */
/* progress.c - the one-line progress bar on a terminal while an archive unpacks. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "base/progress.h"

#define REDRAW_NS 100000000ULL   /* ten times a second is plenty */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void progress_start(struct progress *p, bool wanted, const char *what)
{
	p->on = wanted && isatty(STDERR_FILENO);
	p->total = 0;
	p->next_ns = 0;
	p->what = what;
}

void progress_total(struct progress *p, uint64_t total)
{
	if (p)
		p->total = total;
}

void progress_update(struct progress *p, uint64_t done)
{
	char bar[31];
	unsigned pct, fill;
	uint64_t t;

	if (!p || !p->on || !p->total || (t = now_ns()) < p->next_ns)
		return;
	p->next_ns = t + REDRAW_NS;
	if (done > p->total)
		done = p->total;
	pct = (unsigned)(done * 100 / p->total);
	fill = pct * (sizeof(bar) - 1) / 100;
	for (unsigned i = 0; i < sizeof(bar) - 1; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[sizeof(bar) - 1] = '\0';
	fprintf(stderr, "\r%s [%s] %3u%% %6.1f/%.1f MiB", p->what, bar, pct,
		(double)done / 1048576, (double)p->total / 1048576);
	fflush(stderr);
}

void progress_end(struct progress *p)
{
	if (p && p->on && p->next_ns)
		fputs("\r\033[K", stderr);
}
