/* diff_insns_io.h - diff_insns.c's port I/O trials: IN, REP INS, OUT (one program). */
#ifndef DIFF_INSNS_IO_H
#define DIFF_INSNS_IO_H

/* Ports a read may touch: no read side effects, no value that moves with time. */
static bool port_ok(uint16_t p)
{
	return !((p <= 0x7f) || (p >= 0xa0 && p <= 0xff) || (p >= 0x170 && p <= 0x177) ||
		 (p >= 0x1f0 && p <= 0x1f7) || p == 0x376 || (p >= 0x3b0 && p <= 0x3df) ||
		 (p >= 0x3f0 && p <= 0x3ff) || (p >= 0x400 && p <= 0x6ff) ||
		 (p >= 0xcf8 && p <= 0xcff) || (p >= 0x5658 && p <= 0x5659) || p >= 0xa000 ||
		 (p >= 0x8900 && p <= 0x8901));
}

static void do_in(void *p)
{
	struct op *o = p;
	uint16_t port = (uint16_t)o->a;

	o->v = o->b == 1 ? x86g_inb(port) : o->b == 2 ? x86g_inw(port) : x86g_inl(port);
}

static void do_ins(void *p)
{
	struct op *o = p;
	uintptr_t di = o->c, cx = o->d;

	if (o->v)
		__asm__ volatile("std");
	if (o->b == 1)
		__asm__ volatile("rep insb" : "+D"(di), "+c"(cx) : "d"(o->a) : "memory");
	else if (o->b == 2)
		__asm__ volatile("rep insw" : "+D"(di), "+c"(cx) : "d"(o->a) : "memory");
	else
		__asm__ volatile("rep insl" : "+D"(di), "+c"(cx) : "d"(o->a) : "memory");
	__asm__ volatile("cld");
	o->c = di;
	o->d = cx;
}

static void do_out(void *p)
{
	struct op *o = p;

	x86g_outb((uint16_t)o->a, (uint8_t)o->v);
}

static uint8_t ins_buf[64];

static bool trial_io(void)
{
	static const uint16_t fixed[] = {0x80, 0x2f8, 0x2f9, 0x2fd, 0x2fe, 0x2ff, 0x92};
	struct op o = {.b = 1u << below(3)};
	struct gfault f;
	uint32_t k = below(8), sum = 0;

	do
		o.a = k < 3 ? fixed[below(sizeof(fixed) / sizeof(fixed[0]))] : below(0x10000);
	while (!port_ok((uint16_t)o.a));
	/* README, "Attaching gdb": COM2 is dbgvisor's and reads all ones; bare QEMU 7.2 reads 0
	 * from a 16/32-bit access to a port with no device (0xff from a byte access). */
	if (o.a >= 0x2f8 && o.a <= 0x2ff)
		o.b = 1;
	if (k == 7) { /* OUT only to the POST port 0x80 */
		o.a = 0x80;
		o.v = below(256);
		say("out 0x80 <- 0x%x", (unsigned)o.v);
		return fault(guest_try(do_out, &o, &f), &f, do_out);
	}
	if (k >= 5) { /* REP INS into the middle of a buffer, up or down */
		memset(ins_buf, 0x5a, sizeof(ins_buf));
		o.d = below(5);
		o.v = below(2);
		o.c = (uintptr_t)&ins_buf[sizeof(ins_buf) / 2];
		say("rep ins%u 0x%x x%u df%u", (unsigned)o.b, (unsigned)o.a, (unsigned)o.d,
		    (unsigned)o.v);
		if (fault(guest_try(do_ins, &o, &f), &f, do_ins))
			return true;
		for (unsigned i = 0; i < sizeof(ins_buf); i++)
			sum = sum * 31 + ins_buf[i];
		say(" -> di %ld cx %u buf 0x%x", (long)(o.c - (uintptr_t)&ins_buf[32]),
		    (unsigned)o.d, sum);
		return false;
	}
	say("in%u 0x%x", (unsigned)o.b, (unsigned)o.a);
	if (fault(guest_try(do_in, &o, &f), &f, do_in))
		return true;
	say(" -> 0x%llx", (unsigned long long)o.v);
	return false;
}

#endif
