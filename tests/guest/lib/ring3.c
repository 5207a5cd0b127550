/* ring3.c - run a routine at CPL 3 until its first exception: user segments, a TSS, user pages. */
#include <stdbool.h>
#include <stdint.h>

#include "runtime.h"
#include "x86g.h"

/* Extra GDT slots after the runtime's (layout.h): user code and data, then the TSS. */
#define GDT_SLOTS      8
#define DESC_SIZE      8
#define USER_CODE_SLOT 4
#define USER_DATA_SLOT 5
#define TSS_SLOT       6
#define RPL3	       3
#define TSS_SEL	       (TSS_SLOT * DESC_SIZE)
/* Slot * 8 + RPL 3, as plain numbers for the assembly below. */
#define USER_CS 0x23
#define USER_SS 0x2b
#define XSTR(x) #x
#define STR(x)	XSTR(x)
_Static_assert(USER_CS == USER_CODE_SLOT * DESC_SIZE + RPL3, "user code selector");
_Static_assert(USER_SS == USER_DATA_SLOT * DESC_SIZE + RPL3, "user data selector");
#define DESC_USER_CODE32_HI 0x00cffb00ull /* as GUEST_DESC_CODE32_HI with DPL 3 */
#define DESC_USER_CODE64_HI 0x00affb00ull /* as GUEST_DESC_CODE64_HI with DPL 3 */
#define DESC_USER_DATA_HI   0x00cff300ull /* as GUEST_DESC_DATA_HI with DPL 3 */
#define DESC_HI_SHIFT	    32
/* System descriptor for an available 32-bit TSS, or 64-bit in long mode (SDM 3A, 8.2.2/8.7). */
#define TSS_TYPE_PRESENT 0x89ull
#define TSS_TYPE_SHIFT	 40
#define TSS_LIMIT	 103 /* the architectural TSS is 104 bytes */
#define BASE_LO_MASK	 0xffffffull
#define BASE_LO_SHIFT	 16
#define BASE_HI_SHIFT	 24 /* base bits 31:24 ... */
#define BASE_HI_POS	 56 /* ... go to descriptor bits 63:56 */
#define BYTE_MASK	 0xffull
#define STACK_SIZE	 4096
/* 64-bit: the U/S bit, and 2 MiB pages in the runtime's identity map (layout.h). */
#define PTE_USER       0x4ull
#define PTE_ADDR_MASK  0x000ffffffffff000ull
#define PT_INDEX_MASK  0x1ff
#define PML4_SHIFT     39
#define PDPT_SHIFT     30
#define PD_SHIFT       21
#define PTE_PER_TABLES 3

struct tss {
#ifdef GUEST_64BIT
	uint32_t reserved0;
	uint64_t rsp0;
	uint8_t rest[TSS_LIMIT + 1 - 12];
#else
	uint32_t link;
	uint32_t esp0;
	uint32_t ss0;
	uint8_t rest[TSS_LIMIT + 1 - 12];
#endif
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == TSS_LIMIT + 1, "the TSS is 104 bytes");

static uint64_t gdt[GDT_SLOTS] __attribute__((aligned(DESC_SIZE)));
static struct tss tss __attribute__((aligned(16)));
static uint8_t kernel_stack[STACK_SIZE] __attribute__((aligned(16)));
static uint8_t user_stack[STACK_SIZE] __attribute__((aligned(16)));
static bool ready;

/* IRET to USER_CS:ip at CPL 3 with USER_SS:sp and flags (SDM 2A, IRET: to outer privilege). */
#ifdef GUEST_64BIT
__asm__(".text\n.p2align 4\nring3_iret:\n"
	" push $" STR(USER_SS) "\n push %rsi\n push %rdx\n push $" STR(USER_CS) "\n push %rdi\n"
										" iretq\n");
#else
/* cdecl: ip, sp and flags at 4, 8 and 12(%esp), each 4 further away after every push. */
__asm__(".text\n.p2align 4\nring3_iret:\n"
	" push $" STR(USER_SS) "\n push 12(%esp)\n push 20(%esp)\n push $" STR(
	    USER_CS) "\n"
		     " push 20(%esp)\n iret\n");
#endif
__attribute__((noreturn)) void ring3_iret(uintptr_t ip, uintptr_t sp, uintptr_t flags);

static void user_descriptors(void)
{
	struct x86g_dtr old = x86g_sgdt(), now = {sizeof(gdt) - 1, (uintptr_t)gdt};
	uint64_t base = (uintptr_t)&tss;

	memcpy(gdt, (const void *)old.base, old.limit + 1u);
#ifdef GUEST_64BIT
	gdt[USER_CODE_SLOT] = (DESC_USER_CODE64_HI << DESC_HI_SHIFT) | GUEST_DESC_LIMIT_LO;
	tss.rsp0 = (uintptr_t)(kernel_stack + STACK_SIZE);
	gdt[TSS_SLOT + 1] = base >> DESC_HI_SHIFT; /* a 64-bit TSS descriptor takes two slots */
#else
	gdt[USER_CODE_SLOT] = (DESC_USER_CODE32_HI << DESC_HI_SHIFT) | GUEST_DESC_LIMIT_LO;
	tss.esp0 = (uintptr_t)(kernel_stack + STACK_SIZE);
	tss.ss0 = GUEST_DATA_SEL;
#endif
	gdt[USER_DATA_SLOT] = (DESC_USER_DATA_HI << DESC_HI_SHIFT) | GUEST_DESC_LIMIT_LO;
	gdt[TSS_SLOT] = TSS_LIMIT | ((base & BASE_LO_MASK) << BASE_LO_SHIFT) |
			(TSS_TYPE_PRESENT << TSS_TYPE_SHIFT) |
			(((base >> BASE_HI_SHIFT) & BYTE_MASK) << BASE_HI_POS);
	__asm__ volatile("lgdt %0\n ltr %w1" ::"m"(now), "r"(TSS_SEL) : "memory");
}

#ifdef GUEST_64BIT
/* Let CPL 3 use the 2 MiB page holding @addr: U/S at every level of the identity map. */
static void user_page(uintptr_t addr)
{
	static const unsigned shifts[PTE_PER_TABLES] = {PML4_SHIFT, PDPT_SHIFT, PD_SHIFT};
	uintptr_t cr3;
	uint64_t *table;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	table = (uint64_t *)(cr3 & PTE_ADDR_MASK);
	for (unsigned i = 0; i < PTE_PER_TABLES; i++) {
		uint64_t *e = &table[(addr >> shifts[i]) & PT_INDEX_MASK];

		*e |= PTE_USER;
		table = (uint64_t *)(uintptr_t)(*e & PTE_ADDR_MASK);
	}
	__asm__ volatile("mov %0, %%cr3" ::"r"(cr3) : "memory");
}
#endif

struct user_entry {
	void (*entry)(void);
	uintptr_t flags;
};

static void enter_user(void *p)
{
	const struct user_entry *u = p;

	ring3_iret((uintptr_t)u->entry, (uintptr_t)(user_stack + STACK_SIZE), u->flags);
}

bool guest_try_user(void (*entry)(void), uintptr_t flags_or, struct gfault *f)
{
	struct user_entry u = {entry, x86g_read_flags() | flags_or};
	bool faulted;

	if (!ready) {
		user_descriptors();
#ifdef GUEST_64BIT
		user_page((uintptr_t)entry);
		user_page((uintptr_t)user_stack);
#endif
		ready = true;
	}
	faulted = guest_try(enter_user, &u, f);
	/* Back at CPL 0 on the handler's stack switch: SS and the data segments are the user's
	 * or null (SDM 3A, 6.12.1 and IRET); the runtime's flat ones again. */
	__asm__ volatile("mov %0, %%ds\n mov %0, %%es\n mov %0, %%fs\n mov %0, %%gs\n"
			 " mov %0, %%ss" ::"r"(GUEST_DATA_SEL)
			 : "memory");
	return faulted;
}
