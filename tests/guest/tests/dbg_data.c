/* dbg_data.c - data (write, read/write) and I/O breakpoints: trap after the access, exact DR6. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/hw/printf.h"
#include "tests/guest/lib/dbgregs.h"
#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define WBUF_SIZE     128
#define WATCH_OFF     32  /* watched range inside wbuf: 16-aligned, room on both sides */
#define PAIR_OFF      64  /* two neighbouring breakpoints for the multi-hit cases */
#define REP_OFF	      80  /* REP STOSB target inside wbuf */
#define PROBE_OFF     112 /* 16-aligned scratch range for the deviation probes */
#define REP_WATCH_IDX 3	  /* byte of the REP STOSB destination that is watched */
/* Plain numbers: also pasted into the assembly below. */
#define REP_COUNT     8
#define REP_FILL      0x77
#define STORE_PATTERN 0x5a5a5a5a /* what the write routines store (truncated to size) */
#define IO_PORT	      0x80	 /* POST diagnostic port: harmless to read and write */
#define IO_PORT_BELOW 0x7f	 /* a word access here covers IO_PORT */
#define IO_PORT_ABOVE 0x81	 /* a byte access here does not */
#define XSTR(x)	      #x
#define STR(x)	      XSTR(x)

/*
 * Every access routine loads data_ptr, does one access and has a label right after it: the
 * instruction a data-breakpoint trap must report. 8-byte writes in 32-bit mode use CMPXCHG8B
 * (always a locked read-modify-write of 8 bytes); 8-byte reads only exist in 64-bit mode.
 */
uintptr_t data_ptr;
uint8_t io_scratch[4];

#define ACC(name, insn)                                                                            \
	".globl " #name ", " #name "_end\n.p2align 4\n" #name ":\n" LOADP insn "\n" #name          \
	"_end:\n ret\n"
#ifdef __x86_64__
#define P     "%rcx"
#define LOADP "mov data_ptr, %rcx\n"
/* clang-format off */
__asm__(".text\n"
	ACC(acc_w8, "movq $" STR(STORE_PATTERN) ", (" P ")")
	ACC(acc_r8, "movq (" P "), %rax")
	".globl acc_rep, acc_rep_site, acc_rep_end\n.p2align 4\n"
	"acc_rep: mov data_ptr, %rdi\n mov $" STR(REP_COUNT) ", %ecx\n"
	" mov $" STR(REP_FILL) ", %al\n"
	"acc_rep_site: rep stosb\n"
	"acc_rep_end: mov %ecx, rep_left\n ret\n"
	".globl io_ins, io_ins_end\n.p2align 4\n"
	"io_ins: mov $io_scratch, %edi\n mov $" STR(IO_PORT) ", %edx\n insb\n"
	"io_ins_end: ret\n");
/* clang-format on */
#else
#define P     "%ecx"
#define LOADP "mov data_ptr, %ecx\n"
/* clang-format off */
__asm__(".text\n"
	".globl acc_w8, acc_w8_end\n.p2align 4\n"
	"acc_w8: push %ebx\n push %esi\n mov data_ptr, %esi\n xor %eax, %eax\n xor %edx, %edx\n"
	" xor %ebx, %ebx\n xor %ecx, %ecx\n cmpxchg8b (%esi)\n"
	"acc_w8_end: pop %esi\n pop %ebx\n ret\n"
	".globl acc_rep, acc_rep_site, acc_rep_end\n.p2align 4\n"
	"acc_rep: push %edi\n mov data_ptr, %edi\n mov $" STR(REP_COUNT) ", %ecx\n"
	" mov $" STR(REP_FILL) ", %al\n"
	"acc_rep_site: rep stosb\n"
	"acc_rep_end: mov %ecx, rep_left\n pop %edi\n ret\n"
	".globl io_ins, io_ins_end\n.p2align 4\n"
	"io_ins: push %edi\n mov $io_scratch, %edi\n mov $" STR(IO_PORT) ", %edx\n insb\n"
	"io_ins_end: pop %edi\n ret\n");
/* clang-format on */
#endif
/* clang-format off */
__asm__(".text\n"
	ACC(acc_w1, "movb $(" STR(STORE_PATTERN) " & 0xff), (" P ")")
	ACC(acc_w2, "movw $(" STR(STORE_PATTERN) " & 0xffff), (" P ")")
	ACC(acc_w4, "movl $" STR(STORE_PATTERN) ", (" P ")")
	ACC(acc_r1, "movzbl (" P "), %eax")
	ACC(acc_r2, "movzwl (" P "), %eax")
	ACC(acc_r4, "movl (" P "), %eax")
	ACC(acc_rmw4, "incl (" P ")")
	ACC(io_inb80, "inb $" STR(IO_PORT) ", %al")
	ACC(io_inb81, "inb $" STR(IO_PORT_ABOVE) ", %al")
	ACC(io_inw7f, "inw $" STR(IO_PORT_BELOW) ", %ax")
	ACC(io_outb80, "outb %al, $" STR(IO_PORT))
	ACC(io_outdx80, "mov $" STR(IO_PORT) ", %edx\n outb %al, (%dx)"));
/* clang-format on */

#define DECL_ACC(name)                                                                             \
	void name(void);                                                                           \
	extern const char name##_end[]
DECL_ACC(acc_w1);
DECL_ACC(acc_w2);
DECL_ACC(acc_w4);
DECL_ACC(acc_w8);
DECL_ACC(acc_r1);
DECL_ACC(acc_r2);
DECL_ACC(acc_r4);
DECL_ACC(acc_rmw4);
DECL_ACC(io_inb80);
DECL_ACC(io_inb81);
DECL_ACC(io_inw7f);
DECL_ACC(io_outb80);
DECL_ACC(io_outdx80);
DECL_ACC(io_ins);
void acc_rep(void);
extern const char acc_rep_site[], acc_rep_end[];
#ifdef __x86_64__
DECL_ACC(acc_r8);
#endif
uint32_t rep_left;

struct access {
	const char *what;
	void (*fn)(void);
	const char *end;
	unsigned size;
	bool writes;
};

static const struct access acc_write[] = {
    {"1-byte write", acc_w1, acc_w1_end, 1, true},
    {"2-byte write", acc_w2, acc_w2_end, 2, true},
    {"4-byte write", acc_w4, acc_w4_end, 4, true},
    {"8-byte write", acc_w8, acc_w8_end, 8, true},
};
static const struct access acc_read[] = {
    {"1-byte read", acc_r1, acc_r1_end, 1, false},
    {"2-byte read", acc_r2, acc_r2_end, 2, false},
    {"4-byte read", acc_r4, acc_r4_end, 4, false},
#ifdef __x86_64__
    {"8-byte read", acc_r8, acc_r8_end, 8, false},
#endif
};
static const struct access acc_rmw = {"4-byte read-modify-write (INC)", acc_rmw4, acc_rmw4_end, 4,
				      true};
#define NUM_READS  (sizeof(acc_read) / sizeof(acc_read[0]))
#define IDX_OF(sz) ((sz) == 1 ? 0 : (sz) == 2 ? 1 : (sz) == 4 ? 2 : 3)

static uint8_t wbuf[WBUF_SIZE] __attribute__((aligned(16)));

static volatile unsigned db_count;
static volatile uintptr_t db_ip, db_dr6, db_cx;
static uintptr_t dr6_idle;
/* Emulator deviations found by the probes (see probe_deviations). */
static bool dev_container;  /* misaligned accesses match over their aligned container */
static bool dev_single_bit; /* one access matching several breakpoints reports one Bn */

/* Data and I/O breakpoints are traps: just record and clear DR6. */
static void db_hook(struct gframe *f)
{
	db_count++;
	db_ip = f->ip;
	db_cx = f->cx;
	db_dr6 = dr_read(6);
	dr_write(6, DR6_INIT);
}

static const char *rw_name(unsigned rw)
{
	return rw == DR7_RW_WRITE ? "W" : rw == DR7_RW_RW ? "RW" : "IO";
}

static void watch(int n, uintptr_t addr, unsigned rw, unsigned len_bytes)
{
	dr_write(n, addr);
	dr_write(7, dr_read(7) | DR7_L(n) | dr7_rwlen(n, rw, dr7_len_of(len_bytes)));
}

static bool overlaps(uintptr_t a, unsigned an, uintptr_t b, unsigned bn)
{
	return a < b + bn && b < a + an;
}

/* Would an emulator that checks the naturally aligned container of the access see a match? */
static bool container_overlaps(uintptr_t a, unsigned an, uintptr_t b, unsigned bn)
{
	uintptr_t lo = a & ~(uintptr_t)(an - 1);
	uintptr_t hi = (a + an + an - 1) & ~(uintptr_t)(an - 1);

	return overlaps(lo, (unsigned)(hi - lo), b, bn);
}

/*
 * Run one access at @addr and check hit/miss, trap ip and DR6 (@bits: expected Bn, 0 = none).
 * @wlo/@wlen: the watched range, to recognise the container deviation on a miss.
 */
static void run_access(const char *ctx, const struct access *a, uintptr_t addr, uintptr_t bits,
		       uintptr_t wlo, unsigned wlen)
{
	int off = (int)(addr - (uintptr_t)&wbuf[WATCH_OFF]);

	data_ptr = addr;
	db_count = 0;
	a->fn();
	if (!bits) {
		if (db_count && dev_container && (addr & (a->size - 1)) &&
		    container_overlaps(addr, a->size, wlo, wlen)) {
			gprintf(
			    "skip: %s: %s at offset %d: no #DB (deviation: aligned container)\n",
			    ctx, a->what, off);
			return;
		}
		EXPECT_EQ(guest_name("%s: %s at offset %d: no #DB", ctx, a->what, off), db_count,
			  0);
		return;
	}
	EXPECT_EQ(guest_name("%s: %s at offset %d: one #DB", ctx, a->what, off), db_count, 1);
	EXPECT_EQ(guest_name("%s: ... trap ip after the access", ctx), db_ip, (uintptr_t)a->end);
	if (dev_single_bit && (bits & (bits - 1))) {
		gprintf("skip: %s: ... DR6 exact (deviation: one Bn per access)\n", ctx);
		EXPECT_TRUE(
		    guest_name("%s: ... DR6 = base | a non-empty subset of the expected Bn", ctx),
		    (db_dr6 & ~bits) == dr6_idle && (db_dr6 & bits));
		return;
	}
	EXPECT_EQ(guest_name("%s: ... DR6 exact", ctx), db_dr6, dr6_idle | bits);
}

/* One watch (DRn, R/W, length) against aligned, edge, outside and misaligned accesses. */
static void check_watch(int n, unsigned rw, unsigned len)
{
	uintptr_t w = (uintptr_t)&wbuf[WATCH_OFF];
	char ctx[40];
	struct {
		const struct access *a;
		uintptr_t addr;
	} cases[] = {
	    {&acc_write[IDX_OF(len)], w},	     /* aligned, same size */
	    {&acc_read[IDX_OF(len) % NUM_READS], w}, /* same size read (8: 4-byte in 32-bit) */
	    {&acc_write[0], w + len - 1},	     /* last watched byte */
	    {&acc_write[0], w + len},		     /* just above */
	    {&acc_write[0], w - 1},		     /* just below */
	    {&acc_write[2], w - 1},		     /* misaligned dword over the first byte */
	    {&acc_write[1], w + len - 1},	     /* misaligned word over the last byte */
	    {&acc_read[2], w - 3},		     /* misaligned dword read ending on byte 0 */
	    {&acc_read[0], w + len},		     /* read just above */
	    {&acc_write[3], w - 8},		     /* 8 bytes ending just below */
	    {&acc_write[3], w + len},		     /* 8 bytes starting just above */
	    {&acc_rmw, w},			     /* read-modify-write */
	};

	fmt_snprintf(ctx, sizeof(ctx), "DR%d %s len %u", n, rw_name(rw), len);
	dr_reset_all();
	watch(n, w, rw, len);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct access *a = cases[i].a;
		bool hit =
		    overlaps(cases[i].addr, a->size, w, len) && (a->writes || rw == DR7_RW_RW);

		run_access(ctx, a, cases[i].addr, hit ? DR6_B(n) : 0, w, len);
	}
	dr_reset_all();
}

/* An access touching two breakpoints' ranges reports both in one #DB. */
static void check_pairs(void)
{
	uintptr_t p = (uintptr_t)&wbuf[PAIR_OFF];

	dr_reset_all();
	watch(0, p + 1, DR7_RW_RW, 1);	  /* byte p+1, reads and writes */
	watch(1, p + 2, DR7_RW_WRITE, 2); /* bytes p+2..p+3, writes only */
	run_access("pair", &acc_write[1], p + 1, DR6_B(0) | DR6_B(1), p + 1, 3);
	run_access("pair", &acc_write[2], p, DR6_B(0) | DR6_B(1), p + 1, 3);
	run_access("pair", &acc_read[1], p + 1, DR6_B(0), p + 1, 3);
	run_access("pair", &acc_write[0], p + 2, DR6_B(1), p + 1, 3);
	run_access("pair", &acc_read[2], p, DR6_B(0), p + 1, 3);
	run_access("pair", &acc_read[0], p + 3, 0, p + 1, 3);
	dr_reset_all();
}

/* REP STOSB: the trap comes after the iteration that wrote the watched byte. */
static void check_rep(void)
{
	uintptr_t dst = (uintptr_t)&wbuf[REP_OFF];
	uintptr_t left_at_db;
	bool in_flight, at_end, filled = true;

	dr_reset_all();
	watch(2, dst + REP_WATCH_IDX, DR7_RW_WRITE, 1);
	data_ptr = dst;
	db_count = 0;
	acc_rep();
	left_at_db = db_cx & 0xffffffffu;
	EXPECT_EQ("REP STOSB over a watched byte: one #DB", db_count, 1);
	EXPECT_EQ("... DR6 = base | B2", db_dr6, dr6_idle | DR6_B(2));
	in_flight = db_ip == (uintptr_t)acc_rep_site && left_at_db >= 1 &&
		    left_at_db <= REP_COUNT - REP_WATCH_IDX - 1;
	at_end = db_ip == (uintptr_t)acc_rep_end && left_at_db == 0;
	EXPECT_TRUE("... ip/ECX: at REP STOSB after the watched iteration (or at the end)",
		    in_flight || at_end);
	gprintf("info: REP STOSB #DB at ip %s with ECX %lu\n", in_flight ? "rep" : "after",
		(unsigned long)left_at_db);
	EXPECT_EQ("... the instruction completed: ECX 0", rep_left, 0);
	for (int i = 0; i < REP_COUNT; i++)
		filled = filled && wbuf[REP_OFF + i] == REP_FILL;
	EXPECT_TRUE("... all bytes stored", filled);
	dr_reset_all();
}

static void run_io(const char *what, void (*fn)(void), const char *end, uintptr_t bits)
{
	db_count = 0;
	fn();
	if (!bits) {
		EXPECT_EQ(guest_name("I/O watch 0x80: %s: no #DB", what), db_count, 0);
		return;
	}
	EXPECT_EQ(guest_name("I/O watch 0x80: %s: one #DB", what), db_count, 1);
	EXPECT_EQ(guest_name("I/O watch 0x80: %s: trap ip after the instruction", what), db_ip,
		  (uintptr_t)end);
	EXPECT_EQ(guest_name("I/O watch 0x80: %s: DR6 exact", what), db_dr6, dr6_idle | bits);
}

/* I/O breakpoints (R/W=10, CR4.DE=1): port accesses a hypervisor typically intercepts. */
static void check_io(void)
{
	uintptr_t cr4 = x86g_read_cr4();

	dr_reset_all();
	x86g_write_cr4(cr4 | CR4_DE);
	watch(3, IO_PORT, DR7_RW_IO, 1);
	run_io("IN AL, 0x80", io_inb80, io_inb80_end, DR6_B(3));
	run_io("OUT 0x80, AL", io_outb80, io_outb80_end, DR6_B(3));
	run_io("OUT DX=0x80, AL", io_outdx80, io_outdx80_end, DR6_B(3));
	run_io("IN AX, 0x7f (covers 0x80)", io_inw7f, io_inw7f_end, DR6_B(3));
	run_io("INSB from DX=0x80", io_ins, io_ins_end, DR6_B(3));
	run_io("IN AL, 0x81", io_inb81, io_inb81_end, 0);
	dr_reset_all();
	x86g_write_cr4(cr4);
}

/*
 * Runtime probes for emulator behaviour that differs from the SDM (the overlap rule: a data
 * breakpoint matches if any accessed byte is in its range; every matched enabled breakpoint
 * sets its Bn). Each prints a "deviation:" line; the affected checks are skipped.
 */
static void probe_deviations(void)
{
	uintptr_t x = (uintptr_t)&wbuf[PROBE_OFF];

	dr_reset_all();
	watch(0, x, DR7_RW_WRITE, 1);
	data_ptr = x + 1;
	db_count = 0;
	acc_w8();
	if (db_count) {
		dev_container = true;
		gprintf("deviation: an 8-byte write at X+1 hits a 1-byte write watch at X "
			"(misaligned accesses are matched over their aligned container)\n");
	}
	dr_reset_all();
	watch(0, x, DR7_RW_WRITE, 1);
	watch(1, x, DR7_RW_WRITE, 1);
	data_ptr = x;
	db_count = 0;
	acc_w1();
	if (db_count == 1 && (db_dr6 & (DR6_B(0) | DR6_B(1))) != (DR6_B(0) | DR6_B(1))) {
		dev_single_bit = true;
		gprintf("deviation: a write matching DR0 and DR1 sets only DR6 0x%lx "
			"(one Bn per access)\n",
			(unsigned long)(db_dr6 & DR6_BMASK));
	}
	dr_reset_all();
}

int test_main(void)
{
	static const unsigned lens[] = {1, 2, 4, 8};
	static const unsigned rws[] = {DR7_RW_WRITE, DR7_RW_RW};
	int n = 0;

	gprintf("debug: data and I/O breakpoints (%s)\n", guest_mode_name());
	dr_write(6, DR6_INIT);
	dr6_idle = dr_read(6);
	gprintf("dr6 base 0x%lx\n", (unsigned long)dr6_idle);
	guest_set_hook(GUEST_VEC_DB, db_hook);
	probe_deviations();
	for (unsigned l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
#ifndef __x86_64__
		if (lens[l] == 8) /* LEN=10b is only defined in 64-bit mode (SDM 18.2.4) */
			continue;
#endif
		for (unsigned r = 0; r < sizeof(rws) / sizeof(rws[0]); r++)
			check_watch(n++ % DR_NUM_BP, rws[r], lens[l]);
	}
	check_pairs();
	check_rep();
	check_io();
	guest_set_hook(GUEST_VEC_DB, NULL);
	guest_finish();
}
