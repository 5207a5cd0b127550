/* mbkernel.h - the multiboot1 test kernel's shared definitions: boot info, I/O, modules. */
#ifndef MBKERNEL_H
#define MBKERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Multiboot 0.6.96, section 3.2: EAX at entry, and the boot information layout (3.3). */
#define MB_BOOTLOADER_MAGIC 0x2badb002
#define MB_INFO_MEMORY	    (1u << 0)
#define MB_INFO_CMDLINE	    (1u << 2)
#define MB_INFO_MODS	    (1u << 3)
#define MB_INFO_MMAP	    (1u << 6)
#define MB_MMAP_AVAILABLE   1

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower;
	uint32_t mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
};

struct mb_mmap_entry {
	uint32_t size; /* bytes that follow this field */
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

/* Exit codes written to QEMU's isa-debug-exit port. */
#define EXIT_OK	       0
#define EXIT_CHECK_BAD 1 /* a self-check gave the wrong answer */
#define EXIT_CRASH     3 /* exception or bad hand-off */

/* Linker-script symbols (mbkernel.ld): the loaded ranges and the end of the BSS. */
extern const char __image_start[], __rodata_end[], __data_start[], __data_end[], __image_end[];

/* Called from entry.S. */
void kmain(uint32_t magic, const struct mb_info *mbi);
void timer_tick(void);
void exception_report(const uint32_t *frame);

/* console.c: COM1 output and leaving the machine. */
void con_init(void);
void con_puts(const char *s);
void con_putu(uint32_t v);
void con_putx(uint32_t v); /* "0x" and 8 hex digits */
void con_yesno(bool v);
__attribute__((noreturn)) void kexit(int code);

/* irq.c: IDT, 8259 PIC, 8254 PIT; tick counting with HLT. */
void irq_init(void);
uint32_t pit_count_ticks(uint32_t ticks);

/* work.c: CPU and memory work whose answers are known. */
/* zlib-style: start with 0, feed the previous result to continue over another range. */
uint32_t crc32(uint32_t crc, const void *buf, size_t len);
uint32_t count_primes_below(uint32_t limit);
bool bss_arena_is_zero(void);
uint32_t bss_arena_fill_and_verify(void);
uint32_t bss_arena_bytes(void);

/* Port I/O and the few privileged instructions C needs. */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}

/* STI's one-instruction shadow makes "sti; hlt" atomic: no wake-up is lost in between. */
static inline void sti_hlt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

#endif
