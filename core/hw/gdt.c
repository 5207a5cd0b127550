/* gdt.c - GDT with 64-bit code/data and a TSS whose IST stacks isolate #DB, NMI, #DF and #MC. */
#include "cpu_tables.h"

#include "layout.h"
#include "x86.h"

/* Descriptor fields (SDM vol. 3A, 3.4.5 and 8.2.3). */
#define DESC_CODE64	   0x00209a0000000000ull /* P, DPL0, code exec/read, L */
#define DESC_DATA	   0x0000920000000000ull /* P, DPL0, data read/write */
#define DESC_TSS_AVAILABLE 0x9ull		 /* type: available 64-bit TSS */
#define DESC_PRESENT	   (1ull << 47)
#define GDT_ENTRIES	   5 /* null, code, data, TSS (two slots) */

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
/*
 * A #DB or NMI can arrive right after a guest-controlled MOV SS/POP SS (CVE-2018-8897)
 * or on a corrupted stack; each such vector gets its own known-good stack.
 */
static uint8_t ist_stacks[IST_COUNT][IST_STACK_SIZE] __attribute__((aligned(16)));

void gdt_init(void)
{
	uint64_t base = (uint64_t)&tss;
	uint64_t limit = sizeof(tss) - 1;
	struct x86_dtr d;

	for (int i = 0; i < IST_COUNT; i++)
		tss.ist[i] = (uint64_t)&ist_stacks[i][IST_STACK_SIZE];
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */

	gdt[0] = 0;
	gdt[SEL_CODE64 / 8] = DESC_CODE64;
	gdt[SEL_DATA / 8] = DESC_DATA;
	gdt[SEL_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			   (DESC_TSS_AVAILABLE << 40) | DESC_PRESENT |
			   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[SEL_TSS / 8 + 1] = base >> 32;

	d.limit = sizeof(gdt) - 1;
	d.base = (uint64_t)gdt;
	x86_lgdt(&d);
	x86_ltr(SEL_TSS);
}

uint64_t gdt_base(void)
{
	return (uint64_t)gdt;
}

uint64_t tss_base(void)
{
	return (uint64_t)&tss;
}

uint16_t gdt_limit(void)
{
	return sizeof(gdt) - 1;
}
