/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bytes.h - unaligned loads in either byte order, for the binary parsers. */
#ifndef KHDR_BYTES_H
#define KHDR_BYTES_H

#include <stdbool.h>
#include <stdint.h>

static inline uint16_t get_u16(const uint8_t *p, bool be)
{
	return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static inline uint32_t get_u32(const uint8_t *p, bool be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3]
		  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
		    (uint32_t)p[1] << 8 | p[0];
}

static inline uint64_t get_u64(const uint8_t *p, bool be)
{
	uint64_t hi = get_u32(p + (be ? 0 : 4), be);
	uint64_t lo = get_u32(p + (be ? 4 : 0), be);

	return hi << 32 | lo;
}

#endif
