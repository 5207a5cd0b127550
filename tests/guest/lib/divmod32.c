/* divmod32.c - 64-bit division helpers gcc calls in 32-bit code (no multilib libgcc here). */
#include <stdint.h>

/*
 * Only the 32-bit runtime links this file (guest.mk picks *32.c for that variant): gcc -m32
 * lowers uint64_t '/' and '%' (core/printf.c's digit loop) to these libgcc entry points.
 */
#define U64_BITS 64
#define U32_MAX	 0xffffffffu

uint64_t __udivmoddi4(uint64_t num, uint64_t den, uint64_t *rem);
uint64_t __udivdi3(uint64_t num, uint64_t den);
uint64_t __umoddi3(uint64_t num, uint64_t den);
int64_t __divdi3(int64_t num, int64_t den);
int64_t __moddi3(int64_t num, int64_t den);

/* Restoring shift-and-subtract division; a divide by zero returns all-ones, remainder num. */
uint64_t __udivmoddi4(uint64_t num, uint64_t den, uint64_t *rem)
{
	uint64_t q = 0, r = 0;

	if (den == 0) {
		if (rem)
			*rem = num;
		return UINT64_MAX;
	}
	/* Fast path: both fit in 32 bits, one hardware DIV. */
	if (num <= U32_MAX && den <= U32_MAX) {
		uint32_t n = (uint32_t)num, d = (uint32_t)den;

		if (rem)
			*rem = n % d;
		return n / d;
	}
	for (int bit = U64_BITS - 1; bit >= 0; bit--) {
		r = (r << 1) | ((num >> bit) & 1);
		if (r >= den) {
			r -= den;
			q |= (uint64_t)1 << bit;
		}
	}
	if (rem)
		*rem = r;
	return q;
}

uint64_t __udivdi3(uint64_t num, uint64_t den)
{
	return __udivmoddi4(num, den, 0);
}

uint64_t __umoddi3(uint64_t num, uint64_t den)
{
	uint64_t r;

	__udivmoddi4(num, den, &r);
	return r;
}

/* Signed forms: C semantics, the quotient truncates toward zero, remainder has num's sign. */
int64_t __divdi3(int64_t num, int64_t den)
{
	uint64_t un = num < 0 ? 0 - (uint64_t)num : (uint64_t)num;
	uint64_t ud = den < 0 ? 0 - (uint64_t)den : (uint64_t)den;
	uint64_t q = __udivmoddi4(un, ud, 0);

	return (int64_t)((num < 0) != (den < 0) ? 0 - q : q);
}

int64_t __moddi3(int64_t num, int64_t den)
{
	uint64_t un = num < 0 ? 0 - (uint64_t)num : (uint64_t)num;
	uint64_t ud = den < 0 ? 0 - (uint64_t)den : (uint64_t)den;
	uint64_t r;

	__udivmoddi4(un, ud, &r);
	return (int64_t)(num < 0 ? 0 - r : r);
}
