/* seeded.h - the differential guests' seeded PRNG (xorshift64*) and their command line. */
#ifndef GUEST_SEEDED_H
#define GUEST_SEEDED_H

#include <stdbool.h>
#include <stdint.h>

#include "tests/guest/lib/guest.h" /* memcmp, strlen */

/* The trial generator's state: the seed (odd: xorshift never leaves 0), then each draw's. */
static uint64_t rng;

static inline uint64_t rnd(void) /* xorshift64* */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static inline uint32_t below(uint32_t n)
{
	return (uint32_t)((rnd() >> 32) % n);
}

/* A decimal or 0x-hex number at @s, up to its first other character. */
static inline uint64_t parse_num(const char *s)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		unsigned d = *s >= '0' && *s <= '9'   ? (unsigned)(*s - '0')
			     : *s >= 'a' && *s <= 'f' ? (unsigned)(*s - 'a' + 10)
						      : 99;
		if (d >= base)
			return v;
		v = v * base + d;
	}
}

/* A word of the command line that sets a flag: "quiet" sets *flag. */
struct seeded_flag {
	const char *word;
	bool *flag;
};

/* The differential guests' command line: seed=N (made odd), n=N into *@trials, and the words
 * of @flags (a NULL word ends them); others, like the file name, are ignored. */
static inline void seeded_cmdline(const char *s, uint32_t *trials, const struct seeded_flag *flags)
{
	while (*s) {
		while (*s == ' ')
			s++;
		if (!memcmp(s, "seed=", 5))
			rng = parse_num(s + 5) | 1;
		else if (!memcmp(s, "n=", 2))
			*trials = (uint32_t)parse_num(s + 2);
		for (const struct seeded_flag *f = flags; f->word; f++)
			if (!memcmp(s, f->word, strlen(f->word)))
				*f->flag = true;
		while (*s && *s != ' ')
			s++;
	}
}

#endif
