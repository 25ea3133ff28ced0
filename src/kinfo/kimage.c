/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kimage.c - the GNU build ID and banner of a kernel image: vmlinux, notes, bzImage. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/bstream.h"
#include "base/bytes.h"
#include "format/elf.h"
#include "format/kversion.h"
#include "stream/decomp.h"
#include "kinfo/kimage.h"

#define IMAGE_MAX   (256u << 20)
#define NOTES_MAX   (1u << 20)
#define PHDR_MAX    256

/* x86 boot protocol (Documentation/x86/boot.rst), version >= 2.08. */
int bzimage_payload(const uint8_t *img, size_t len, const uint8_t **p,
		    size_t *n)
{
	uint32_t setup_sects, off, size;
	uint64_t start;

	if (len < 0x250 || memcmp(img + 0x202, "HdrS", 4) != 0 ||
	    get_u16(img + 0x206, false) < 0x208)
		return -ENOEXEC;
	setup_sects = img[0x1f1] ? img[0x1f1] : 4;
	off = get_u32(img + 0x248, false);
	size = get_u32(img + 0x24c, false);
	start = (uint64_t)(setup_sects + 1) * 512 + off;
	if (start > len || size > len - start)
		return -EBADMSG;
	*p = img + start;
	*n = size;
	return 0;
}

static int decoder_supply(void *ctx, const uint8_t **p, size_t *n,
			  struct khdr_err *e)
{
	return decoder_fill(ctx, p, n, e);
}

/* Read ELF header and program headers from the stream, then each PT_NOTE
 * segment in file order, stopping at the first build ID. */
static int stream_elf_build_id(struct bstream *b, struct build_id *id,
			       struct khdr_err *e)
{
	uint8_t hdr[ELF_EHDR_MAX], *tab = NULL, *notes = NULL;
	struct elf_phdr ph[PHDR_MAX];
	size_t nph = 0, ehsize;
	struct elf elf;
	bool eof;
	int r;

	/* An ELF32 header is 52 bytes, and its program headers may follow at once. */
	r = bs_read(b, hdr, 52, &eof, e);
	if (r == 0 && !eof && hdr[4] == 2)
		r = bs_read(b, hdr + 52, sizeof(hdr) - 52, &eof, e);
	ehsize = hdr[4] == 2 ? sizeof(hdr) : 52;
	if (r < 0 || eof || elf_parse_header(&elf, hdr, ehsize) < 0)
		return r < 0 ? r : err_set(e, ENOEXEC, "the decompressed payload is not an ELF file");
	if (elf.phnum == 0 || elf.phnum > PHDR_MAX || elf.phoff < ehsize)
		return err_set(e, EBADMSG, "an ELF file without program headers: not a vmlinux");
	tab = malloc((size_t)elf.phnum * elf.phentsize);
	if (!tab)
		return err_set(e, ENOMEM, "out of memory");
	r = bs_skip(b, elf.phoff - b->offset, e);
	if (r == 0)
		r = bs_read(b, tab, (size_t)elf.phnum * elf.phentsize, &eof, e);
	for (size_t i = 0; r == 0 && !eof && i < elf.phnum; i++) {
		elf_decode_phdr(&elf, tab, i, &ph[nph]);
		if (ph[nph].type == 4 /* PT_NOTE */ && ph[nph].filesz <= NOTES_MAX)
			nph++;
	}
	free(tab);
	if (r < 0)
		return r;
	r = -ENOENT;
	/* Segments are visited in offset order; one pass over the stream. */
	for (uint64_t pos = b->offset;;) {
		size_t best = nph;

		for (size_t i = 0; i < nph; i++)
			if (ph[i].offset >= pos && (best == nph || ph[i].offset < ph[best].offset))
				best = i;
		if (best == nph)
			break;
		notes = malloc(ph[best].filesz ? ph[best].filesz : 1);
		if (!notes)
			return err_set(e, ENOMEM, "out of memory");
		r = bs_skip(b, ph[best].offset - b->offset, e);
		if (r == 0)
			r = bs_read(b, notes, ph[best].filesz, &eof, e);
		if (r == 0)
			r = notes_find_build_id(notes, ph[best].filesz, elf.be,
						ph[best].align, id);
		free(notes);
		if (r != -ENOENT)
			break;
		pos = ph[best].offset + 1;
	}
	if (r == -ENOENT || r == -EBADMSG)
		return err_set(e, r, r == -ENOENT ? "no GNU build ID note in the kernel"
					      : "malformed notes in the kernel");
	return r;
}

static int bzimage_build_id(const uint8_t *img, size_t len,
			    struct build_id *id, struct khdr_err *e)
{
	const uint8_t *payload;
	struct decoder d;
	struct bstream b;
	struct input in;
	size_t n;
	enum comp comp;
	int r;

	if (bzimage_payload(img, len, &payload, &n) < 0)
		return err_set(e, EBADMSG, "bzImage header is inconsistent");
	comp = comp_detect(payload, n);
	if (comp == COMP_NONE)
		return err_set(e, ENOTSUP,
			       "bzImage payload compression not supported (xz, gzip, zstd are)");
	input_from_memory(&in, payload, n, NULL);
	/* The payload's stream; the image's own bytes (its size) follow. */
	r = decoder_init_embedded(&d, comp, &in, 256u << 10, e);
	if (r < 0)
		return r;
	bs_init(&b, decoder_supply, &d);
	r = stream_elf_build_id(&b, id, e);
	decoder_end(&d);
	return r;
}

static int input_supply(void *ctx, const uint8_t **p, size_t *n,
			struct khdr_err *e)
{
	int r = input_next(ctx, p, n);

	return r < 0 ? err_set(e, r, "read error: %s", strerror(-r)) : 0;
}

int kimage_build_id(struct input *in, struct build_id *id, struct khdr_err *e)
{
	uint8_t head[0x250];
	const uint8_t *payload;
	struct bstream b;
	uint8_t *data;
	size_t len, n;
	int r;

	memset(head, 0, sizeof(head));
	if (input_pread(in, 0, head, sizeof(head)) < 0)
		input_pread(in, 0, head, in->size < sizeof(head) ? (size_t)in->size : 0);
	if (elf_is_elf(head, sizeof(head))) {
		/* A vmlinux may be hundreds of MiB with debug info: stream it. */
		bs_init(&b, input_supply, in);
		return stream_elf_build_id(&b, id, e);
	}
	r = input_slurp(in, IMAGE_MAX, &data, &len, e);
	if (r < 0)
		return r;
	if (bzimage_payload(data, len, &payload, &n) != -ENOEXEC) {
		r = bzimage_build_id(data, len, id, e);
	} else {
		r = notes_find_build_id_native(data, len, id);
		if (r < 0)
			r = err_set(e, r, "not an ELF file, a bzImage, or a note sequence with a GNU build ID");
	}
	free(data);
	return r;
}

/* ---- the banner ---- */

#define BANNER_PREFIX "Linux version "

/* A banner at q (n bytes to the end): its length, or 0 if it is none. */
static size_t banner_len(const uint8_t *q, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < BANNER_MAX; i++) {
		if (q[i] == '\n' || q[i] == '\0')
			return i;
		if (q[i] < 0x20 || q[i] >= 0x7f)
			return 0;
	}
	return 0;   /* no end within BANNER_MAX: not a banner */
}

static void take(char *dst, size_t size, const uint8_t *q, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, q, len);
	dst[len] = '\0';
}

size_t banner_scan(struct banner_scan *s, const uint8_t *p, size_t n, bool final)
{
	static const size_t plen = sizeof(BANNER_PREFIX) - 1;
	size_t limit = final ? n : n > BANNER_MAX ? n - BANNER_MAX : 0, off = 0;

	while (!s->done && off < limit) {
		const uint8_t *q = memmem(p + off, n - off, BANNER_PREFIX, plen);
		char line[BANNER_MAX + 1];
		struct proc_version v;
		size_t len;

		if (!q || (size_t)(q - p) >= limit)
			break;
		off = (size_t)(q - p) + 1;
		len = banner_len(q, n - (size_t)(q - p));
		if (!len)
			continue;
		take(line, sizeof(line), q, len);
		if (proc_version_parse(line, &v) < 0)
			continue;   /* a message that merely starts so */
		if (strcmp(v.release, s->release) != 0) {
			if (!*s->other)
				take(s->other, s->osize, q, len);
			continue;
		}
		s->done = v.uts_version[0] == '#' &&
			  v.uts_version[1] >= '0' && v.uts_version[1] <= '9';
		if (!s->found || s->done)
			take(s->line, s->size, q, len);
		s->found = true;
	}
	return s->done ? n : limit;
}

/* Feed chunks from supply through the scan, BANNER_MAX bytes carried over. */
static int scan_stream(struct banner_scan *s, int (*supply)(void *, const uint8_t **, size_t *,
							       struct khdr_err *),
		       void *ctx, struct khdr_err *e)
{
	uint8_t *buf = NULL;
	size_t have = 0, cap = 0;
	int r = 0;

	while (!s->done) {
		const uint8_t *p;
		size_t n, used;

		r = supply(ctx, &p, &n, e);
		if (r < 0)
			break;
		if (have + n > cap) {
			uint8_t *nb = realloc(buf, have + n);

			if (!nb) {
				r = err_set(e, ENOMEM, "out of memory");
				break;
			}
			buf = nb;
			cap = have + n;
		}
		memcpy(buf + have, p, n);
		have += n;
		used = banner_scan(s, buf, have, n == 0);
		if (n == 0)
			break;
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	free(buf);
	return r;
}

int kimage_banner(struct input *in, const char *release, char *line,
		  size_t size, char *other, size_t osize, struct khdr_err *e)
{
	struct banner_scan s = { .release = release, .line = line, .other = other,
				 .size = size, .osize = osize };
	uint8_t head[0x250], *data = NULL;
	const uint8_t *payload;
	struct decoder d;
	struct input mem;
	size_t len, n;
	enum comp comp;
	int r;

	*line = *other = '\0';
	memset(head, 0, sizeof(head));
	if (input_pread(in, 0, head, sizeof(head)) < 0)
		input_pread(in, 0, head, in->size < sizeof(head) ? (size_t)in->size : 0);
	if (elf_is_elf(head, sizeof(head))) {
		r = scan_stream(&s, input_supply, in, e);
	} else {
		r = input_slurp(in, IMAGE_MAX, &data, &len, e);
		if (r < 0)
			return r;
		if (bzimage_payload(data, len, &payload, &n) < 0) {
			/* Another format (a raw Image, a notes file): its bytes as they are. */
			banner_scan(&s, data, len, true);
			free(data);
			return s.found ? 0 : -ENOENT;
		}
		comp = comp_detect(payload, n);
		if (comp == COMP_NONE) {
			free(data);
			return err_set(e, ENOTSUP,
				       "bzImage payload compression not supported (xz, gzip, zstd are)");
		}
		input_from_memory(&mem, payload, n, NULL);
		r = decoder_init_embedded(&d, comp, &mem, 256u << 10, e);
		if (r == 0) {
			r = scan_stream(&s, decoder_supply, &d, e);
			decoder_end(&d);
		}
		free(data);
	}
	if (r < 0)
		return r;
	return s.found ? 0 : -ENOENT;
}
