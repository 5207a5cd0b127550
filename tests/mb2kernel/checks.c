/* checks.c - mb2kernel's self-checks: spec 3.3 hand-off, placement, BSS, stack, A20, CPUID. */
#include "mb2kernel.h"

#define A20_BIT		  ONE_MIB /* address bit 20: with the gate off it reads as 0 */
#define A20_TRIES	  2
#define ARENA_WORDS	  (64u * 1024) /* 256 KiB of BSS */
#define ARENA_HASH_MUL	  2654435761u  /* Knuth's multiplicative hash: distinct in every word */
#define STACK_DEPTH	  64
#define STACK_FRAME_WORDS 16
#define STACK_SUM	  (STACK_DEPTH * (STACK_DEPTH + 1) / 2)
#define EFLAGS_ID	  (1u << 21) /* toggles iff CPUID exists */
#define CPUID_VENDOR_LEAF 0
#define CPUID_VENDOR_LEN  12
#define CPUID_MIN_LEAF	  1

static unsigned nchecks, nfailed;
static uint32_t arena[ARENA_WORDS];
static uintptr_t lowest_frame;
static bool frame_lost;
static volatile uint8_t a20_probe = 1; /* .data, above 1 MiB like the whole image */

void check(const char *what, bool ok)
{
	nchecks++;
	nfailed += !ok;
	con_puts("check: ");
	con_puts(what);
	con_puts(ok ? ": ok\n" : ": FAILED\n");
}

unsigned checks_summary(void)
{
	con_puts("mb2kernel: ");
	con_putu(nchecks);
	con_puts(" checks, ");
	con_putu(nfailed);
	con_puts(" failed\n");
	return nfailed;
}

/* An ELF loader zeroes what a segment's memsz has beyond its filesz. Call before any write. */
bool bss_is_zero(void)
{
	const volatile uint32_t *w = (const volatile uint32_t *)__bss_start;
	uint32_t acc = 0;

	while ((const char *)w < __bss_end)
		acc |= *w++;
	return acc == 0;
}

static bool arena_fill_and_verify(void)
{
	volatile uint32_t *a = arena;
	uint32_t bad = 0;

	for (uint32_t i = 0; i < ARENA_WORDS; i++)
		a[i] = i * ARENA_HASH_MUL;
	for (uint32_t i = 0; i < ARENA_WORDS; i++)
		bad += a[i] != i * ARENA_HASH_MUL;
	return bad == 0;
}

/* Each call keeps a frame of distinct words live across the deeper calls. */
static __attribute__((noinline)) uint32_t nested_sum(uint32_t n)
{
	volatile uint32_t frame[STACK_FRAME_WORDS];
	uint32_t sum;

	for (uint32_t i = 0; i < STACK_FRAME_WORDS; i++)
		frame[i] = n * STACK_FRAME_WORDS + i;
	if ((uintptr_t)frame < lowest_frame)
		lowest_frame = (uintptr_t)frame;
	sum = n ? nested_sum(n - 1) : 0;
	for (uint32_t i = 0; i < STACK_FRAME_WORDS; i++)
		frame_lost |= frame[i] != n * STACK_FRAME_WORDS + i;
	return sum + n;
}

static bool stack_works(void)
{
	uint32_t sum;

	lowest_frame = (uintptr_t)stack_top;
	sum = nested_sum(STACK_DEPTH);
	return sum == STACK_SUM && !frame_lost && lowest_frame >= (uintptr_t)stack_bottom;
}

/* 3.3: "A20 gate must be enabled". Only reads below 1 MiB; writes our own byte above it. */
static bool a20_enabled(void)
{
	volatile uint8_t *hi = &a20_probe;
	const volatile uint8_t *lo = (const volatile uint8_t *)((uintptr_t)hi & ~A20_BIT);
	uint8_t before = *lo;
	bool ok = ((uintptr_t)hi & A20_BIT) != 0;

	for (uint8_t i = 0; i < A20_TRIES; i++) {
		*hi = (uint8_t)(~before ^ i);
		ok &= *lo == before;
	}
	return ok;
}

static bool cpuid_present(void)
{
	uint32_t before, after;

	__asm__ volatile("pushfl; popl %0; movl %0, %1; xorl %2, %1; pushl %1; popfl;"
			 "pushfl; popl %1; pushl %0; popfl"
			 : "=&r"(before), "=&r"(after)
			 : "i"(EFLAGS_ID)
			 : "cc");
	return ((before ^ after) & EFLAGS_ID) != 0;
}

/* Prints the vendor string; true if leaf 0 reports at least leaf 1. */
static bool cpuid_works(void)
{
	uint32_t r[4]; /* ebx, edx, ecx: the vendor's byte order */
	uint32_t max_leaf;

	if (!cpuid_present())
		return false;
	__asm__ volatile("cpuid"
			 : "=a"(max_leaf), "=b"(r[0]), "=d"(r[1]), "=c"(r[2])
			 : "a"(CPUID_VENDOR_LEAF));
	r[3] = 0;
	con_puts("cpu vendor: '");
	con_putsn((const char *)r, CPUID_VENDOR_LEN);
	con_puts("'\n");
	return max_leaf >= CPUID_MIN_LEAF;
}

static bool overlap(uint32_t lo1, uint32_t hi1, uint32_t lo2, uint32_t hi2)
{
	return lo1 < hi2 && lo2 < hi1;
}

/* 3.6.6 and 3.1.11: page aligned, inside available RAM, apart from everything else. */
static bool modules_placed(const struct mbi_index *idx, bool *aligned)
{
	uint32_t img_lo = (uint32_t)__image_start, img_hi = (uint32_t)__image_end;
	uint32_t mbi_hi = idx->addr + idx->total_size;
	unsigned n = idx->nmodules < MAX_MODULES ? idx->nmodules : MAX_MODULES;
	bool ok = true;

	*aligned = true;
	for (unsigned i = 0; i < n; i++) {
		const struct mb2_tag_module *m = idx->modules[i];

		*aligned &= m->mod_start % PAGE_SIZE == 0;
		ok &= m->mod_start <= m->mod_end &&
		      memmap_available(idx, m->mod_start, m->mod_end) &&
		      !overlap(m->mod_start, m->mod_end, img_lo, img_hi) &&
		      !overlap(m->mod_start, m->mod_end, idx->addr, mbi_hi);
		for (unsigned j = 0; j < i; j++)
			ok &= !overlap(m->mod_start, m->mod_end, idx->modules[j]->mod_start,
				       idx->modules[j]->mod_end);
	}
	return ok;
}

void checks_run(const struct mbi_index *idx, bool bss_was_zero, bool acpi_ok)
{
	const struct entry_state *es = &entry_state;
	uint32_t img_lo = (uint32_t)__image_start, img_hi = (uint32_t)__image_end;
	uint32_t mbi_hi = idx->addr + idx->total_size;
	bool mods_aligned, mods_ok = modules_placed(idx, &mods_aligned);

	check("EAX held the multiboot2 magic (3.3)", es->eax == MB2_BOOTLOADER_MAGIC);
	check("CR0.PE set, CR0.PG clear at entry (3.3)", (es->cr0 & CR0_PE) && !(es->cr0 & CR0_PG));
	check("EFLAGS.IF and EFLAGS.VM clear at entry (3.3)",
	      !(es->eflags & (EFLAGS_IF | EFLAGS_VM)));
	check("A20 gate enabled (3.3)", a20_enabled());
	check("boot information 8-byte aligned (3.6.1)", idx->aligned);
	check("boot information tags well-formed, end tag last (3.6.2)", idx->well_formed);
	check("command line and memory map tags present (3.1.4)",
	      idx->first[MB2_TAG_CMDLINE] && idx->first[MB2_TAG_MMAP]);
	check("kernel image in available RAM (3.6.8)", memmap_available(idx, img_lo, img_hi));
	check("boot information in available RAM, apart from the kernel (3.6.8)",
	      memmap_available(idx, idx->addr, mbi_hi) &&
		  !overlap(idx->addr, mbi_hi, img_lo, img_hi));
	check("modules page-aligned as the module alignment tag asks (3.1.11)", mods_aligned);
	check("modules in available RAM, apart from each other, kernel, boot information (3.6.6)",
	      mods_ok);
	check("every ACPI tag holds a valid RSDP (3.6.16, 3.6.17)", acpi_ok);
	check("BSS zeroed by the loader", bss_was_zero);
	check("256 KiB of BSS written and read back", arena_fill_and_verify());
	check("stack holds 64 nested frames", stack_works());
	check("CPUID answers leaf 0 with leaf 1 available", cpuid_works());
}
