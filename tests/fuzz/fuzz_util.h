/* fuzz_util.h - what the libFuzzer targets share: the invariant check and exact-size copies. */
#ifndef DBGVISOR_FUZZ_UTIL_H
#define DBGVISOR_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A broken invariant is a crash, so that libFuzzer keeps the input as an artifact. */
#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

/* A heap copy of exactly @n bytes, so that ASan reports a read past them (ASan's malloc(0)
 * returns a block of which no byte may be touched). */
static inline uint8_t *fuzz_dup(const uint8_t *data, size_t n)
{
	uint8_t *p = malloc(n);

	CHECK(p);
	if (n)
		memcpy(p, data, n);
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
