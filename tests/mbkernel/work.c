/* work.c - mbkernel's CPU/memory work with known answers: CRC32, a prime sieve, a big BSS. */
#include "mbkernel.h"

#define CRC32_POLY_REFLECTED 0xedb88320u
#define BITS_PER_BYTE	     8

/* 12 MiB of BSS: loaded at 4 MiB, the kernel then spans up to ~17 MiB of RAM. */
#define ARENA_BYTES (12u << 20)
#define ARENA_WORDS (ARENA_BYTES / sizeof(uint32_t))
/* Word i of the arena holds i times Knuth's multiplicative constant: distinct in every word,
 * so an aliased, misplaced or lost page shows up as mismatches. */
#define ARENA_HASH_MUL 2654435761u

#define SIEVE_MAX   100000
#define FIRST_PRIME 2

static uint32_t arena[ARENA_WORDS];
static uint8_t composite[SIEVE_MAX];

uint32_t crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int b = 0; b < BITS_PER_BYTE; b++)
			crc = (crc >> 1) ^ (CRC32_POLY_REFLECTED & (0u - (crc & 1)));
	}
	return ~crc;
}

/* Sieve of Eratosthenes; @limit must not exceed SIEVE_MAX. */
uint32_t count_primes_below(uint32_t limit)
{
	uint32_t count = 0;

	if (limit > SIEVE_MAX)
		limit = SIEVE_MAX;
	for (uint32_t i = 0; i < limit; i++)
		composite[i] = i < FIRST_PRIME;
	for (uint32_t i = FIRST_PRIME; i * i < limit; i++) {
		if (composite[i])
			continue;
		for (uint32_t j = i * i; j < limit; j += i)
			composite[j] = 1;
	}
	for (uint32_t i = 0; i < limit; i++)
		count += !composite[i];
	return count;
}

uint32_t bss_arena_bytes(void)
{
	return ARENA_BYTES;
}

/* The loader must have zeroed the BSS (the ELF segment's memsz beyond its filesz). */
bool bss_arena_is_zero(void)
{
	const volatile uint32_t *a = arena;
	uint32_t acc = 0;

	for (uint32_t i = 0; i < ARENA_WORDS; i++)
		acc |= a[i];
	return acc == 0;
}

/* Write a distinct value to every word, then read all back; returns the mismatches. */
uint32_t bss_arena_fill_and_verify(void)
{
	volatile uint32_t *a = arena;
	uint32_t bad = 0;

	for (uint32_t i = 0; i < ARENA_WORDS; i++)
		a[i] = i * ARENA_HASH_MUL;
	for (uint32_t i = 0; i < ARENA_WORDS; i++)
		bad += a[i] != i * ARENA_HASH_MUL;
	return bad;
}
