/* diff_insns_more.h - the rest of diff_insns.c's trials and its driver (one program). */
#ifndef DIFF_INSNS_MORE_H
#define DIFF_INSNS_MORE_H

/* INT n for every n: 256 four-byte slots "int $n; ret; nop" (CD ib C3 90). */
__asm__(".text\n.p2align 4\n.globl di_int_table\ndi_int_table:\n"
	".set di_i, 0\n.rept 256\n .byte 0xcd, di_i, 0xc3, 0x90\n .set di_i, di_i + 1\n.endr\n");
extern const uint8_t di_int_table[];
#define INT_SLOT 4
/* Vectors whose stubs expect a CPU error code INT n does not push (vectors.S). */
#define ERROR_CODE_VECTORS ((1u << 8) | (0x1fu << 10) | (1u << 17) | (1u << 21) | (3u << 29))

static void do_intn(void *p)
{
	((void (*)(void))(uintptr_t)&di_int_table[((struct op *)p)->a * INT_SLOT])();
}

static bool trial_intn(void)
{
	struct op o = {.a = below(256)};
	struct gfault f;

	say("int 0x%x", (unsigned)o.a);
	if (!guest_try(do_intn, &o, &f))
		return false;
	if (o.a < 32 && (ERROR_CODE_VECTORS >> o.a) & 1) { /* the frame is one word off */
		say(" -> vector %d", f.vector);
		return true;
	}
	say(" -> vector %d error 0x%llx at slot+0x%lx", f.vector, (unsigned long long)f.error,
	    (unsigned long)(f.ip - (uintptr_t)&di_int_table[o.a * INT_SLOT]));
	return true;
}

static uintptr_t read_dr6_clear(void)
{
	uintptr_t v, init = 0xffff0ff0;

	__asm__ volatile("mov %%dr6, %0\n mov %1, %%dr6" : "=&r"(v) : "r"(init));
	return v;
}

/* One-instruction routines; a = ECX or operand, v = result. */
static void m_rdtsc(void *p)
{
	(void)p;
	(void)x86g_rdtsc();
}
static void m_rdtscp(void *p)
{
	uint32_t a, d, c;

	__asm__ volatile("rdtscp" : "=a"(a), "=d"(d), "=c"(c));
	((struct op *)p)->v = c;
}
static void m_rdpmc(void *p)
{
	uint32_t a, d;

	__asm__ volatile("rdpmc" : "=a"(a), "=d"(d) : "c"((uint32_t)((struct op *)p)->a));
}
static void m_invd(void *p)
{
	(void)p;
	__asm__ volatile("invd" ::: "memory");
}
static void m_wbinvd(void *p)
{
	(void)p;
	__asm__ volatile("wbinvd" ::: "memory");
}
static void m_rdrand(void *p)
{
	uintptr_t r;
	uint8_t cf;

	__asm__ volatile("rdrand %0; setc %1" : "=r"(r), "=qm"(cf));
	((struct op *)p)->v = cf;
}
static void m_rdseed(void *p)
{
	uintptr_t r;
	uint8_t cf;

	__asm__ volatile("rdseed %0; setc %1" : "=r"(r), "=qm"(cf));
	((struct op *)p)->v = cf;
}
static void m_ud2(void *p)
{
	(void)p;
	__asm__ volatile("ud2");
}
static void m_int3(void *p)
{
	(void)p;
	__asm__ volatile("int3");
}
static void m_icebp(void *p)
{
	(void)p;
	__asm__ volatile(".byte 0xf1");
}
static void m_into(void *p)
{
	(void)p;
	/* OF set by 0x7f + 1; INTO is #UD in 64-bit mode. */
	__asm__ volatile("mov $0x7f, %%al\n add $1, %%al\n .byte 0xce" ::: "eax", "cc");
}
static void m_clts(void *p)
{
	(void)p;
	__asm__ volatile("clts");
}
static void m_lmsw(void *p)
{
	uint16_t w = (uint16_t)((struct op *)p)->a;

	__asm__ volatile("lmsw %0\n smsw %0" : "+r"(w));
	((struct op *)p)->v = w;
}
static void m_tables(void *p)
{
	uint16_t tr, ldt, msw;

	__asm__ volatile("str %0\n sldt %1\n smsw %2" : "=r"(tr), "=r"(ldt), "=r"(msw));
	((struct op *)p)->v = (uint64_t)tr << 32 | (uint64_t)ldt << 16 | msw;
}
/* LGDT or LIDT (b) of a random limit/base, store it, put the old one back. */
static void m_lxdt(void *p)
{
	struct op *o = p;
	struct x86g_dtr old, nw = {(uint16_t)o->a, (uintptr_t)o->v}, rd;

	if (o->b)
		__asm__ volatile("sidt %0\n lidt %2\n sidt %1\n lidt %0"
				 : "=m"(old), "=m"(rd)
				 : "m"(nw)
				 : "memory");
	else
		__asm__ volatile("sgdt %0\n lgdt %2\n sgdt %1\n lgdt %0"
				 : "=m"(old), "=m"(rd)
				 : "m"(nw)
				 : "memory");
	o->c = rd.limit;
	o->v = rd.base;
}
static void m_invlpg(void *p)
{
	__asm__ volatile("invlpg (%0)" ::"r"((uintptr_t)((struct op *)p)->v) : "memory");
}

struct misc {
	const char *name;
	void (*fn)(void *);
	bool prints_v;
};

static const struct misc miscs[] = {
    {"rdtsc", m_rdtsc, false},	 {"rdtscp", m_rdtscp, true},
    {"rdpmc", m_rdpmc, false},	 {"invd", m_invd, false},
    {"wbinvd", m_wbinvd, false}, {"rdrand", m_rdrand, true},
    {"rdseed", m_rdseed, true},	 {"ud2", m_ud2, false},
    {"int3", m_int3, false},	 {"icebp", m_icebp, false},
    {"into", m_into, false},	 {"clts", m_clts, false},
    {"lmsw", m_lmsw, true},	 {"str/sldt/smsw", m_tables, true},
    {"lgdt", m_lxdt, true},	 {"lidt", m_lxdt, true},
    {"invlpg", m_invlpg, false},
};

static bool trial_misc(void)
{
	const struct misc *m = &miscs[below(sizeof(miscs) / sizeof(miscs[0]))];
	struct op o = {.a = below(2) ? below(8) : (uint32_t)rnd(), .v = rnd()};
	struct gfault f;

	if (m->fn == m_lmsw) /* keep PE: LMSW cannot clear it, but keep it obvious */
		o.a = (o.a & 0xe) | 1;
	if (m->fn == m_lxdt) {
		o.a = (uint16_t)rnd();
		o.b = m->name[1] == 'i';
		if (sizeof(uintptr_t) == 8 && below(2))
			o.v = (uint64_t)(int64_t)(int32_t)o.v; /* canonical half the time */
	}
	say("%s 0x%lx", m->name, (unsigned long)o.a);
	if (m->fn == m_lxdt)
		say(" base 0x%llx", (unsigned long long)o.v);
	if (m->fn == m_icebp || m->fn == m_int3)
		read_dr6_clear();
	if (fault(guest_try(m->fn, &o, &f), &f, m->fn)) {
		if (f.vector == GUEST_VEC_DB)
			say(" dr6 0x%lx", (unsigned long)read_dr6_clear());
		return true;
	}
	if (m->fn == m_lxdt)
		say(" -> 0x%lx 0x%llx", (unsigned long)o.c, (unsigned long long)o.v);
	else if (m->prints_v)
		say(" -> 0x%llx", (unsigned long long)o.v);
	return false;
}

/*
 * POPF of new flags (a), one instruction (b) that single-steps if TF, PUSHF into v. Operands
 * the instruction uses are set up before the POPF, so the step lands right after it.
 */
#define STEP(n, insn)                                                                              \
	case n:                                                                                    \
		__asm__ volatile("push %4\n popf\n" insn "\n pushf\n pop %0\n push %5\n popf"      \
				 : "=&r"(fl), "+a"(ax), "+c"(cx), "+d"(dx)                         \
				 : "m"(nf), "m"(old)                                               \
				 : "ebx", "memory", "cc");                                         \
		break
static void do_step(void *p)
{
	static const uint16_t ports[] = {0, 0, 0, 0x80, 0x2f8, 0, 0, 0};
	struct op *o = p;
	uintptr_t fl = 0, ax = 0, cx = o->b == 2 ? 0xc0000080 : 0, dx = ports[o->b & 7];
	uintptr_t nf = o->a, old = x86g_read_flags();

	switch (o->b) {
		STEP(0, "nop");
		STEP(1, "cpuid");
		STEP(2, "rdmsr");
		STEP(3, "out %%al, %%dx");
		STEP(4, "in %%dx, %%al");
		STEP(5, "mov %%dr7, %1");
		STEP(6, "wbinvd");
		STEP(7, "invd");
	}
	o->v = fl;
}

static bool trial_step(void)
{
	static const uintptr_t bits[] = {FLAGS_TF,   FLAGS_AC, FLAGS_DF,
					 FLAGS_IOPL, FLAGS_NT, FLAGS_ID};
	struct op o = {.b = below(8)};
	struct gfault f;
	uintptr_t add = 0;

	for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (below(2))
			add |= bits[i];
	o.a = (x86g_read_flags() & ~(FLAGS_IF | FLAGS_TF)) | add;
	say("popf +0x%lx step %u", (unsigned long)add, (unsigned)o.b);
	read_dr6_clear();
	if (fault(guest_try(do_step, &o, &f), &f, do_step)) {
		say(" dr6 0x%lx", (unsigned long)read_dr6_clear());
		return true;
	}
	say(" -> flags 0x%lx", (unsigned long)o.v);
	return false;
}

static bool trial_user(void)
{
	const struct di_user *u = &di_users[below(sizeof(di_users) / sizeof(di_users[0]))];
	uintptr_t flags = (below(4) ? 0 : FLAGS_TF) | (below(2) ? FLAGS_AC : 0);
	struct gfault f;

	say("user %s +0x%lx", u->name, (unsigned long)flags);
	read_dr6_clear();
	if (!guest_try_user(u->fn, flags, &f)) {
		say(" -> returned?");
		return true;
	}
	say(" -> vector %d error 0x%llx at +0x%lx cs 0x%x", f.vector, (unsigned long long)f.error,
	    (unsigned long)(f.ip - (uintptr_t)u->fn), f.cs);
	if (f.vector == GUEST_VEC_DB)
		say(" dr6 0x%lx", (unsigned long)read_dr6_clear());
	return true;
}

static bool run_trial(uint32_t t)
{
	uint32_t k = below(100);

	(void)t;
	if (k < 15)
		return trial_cpuid();
	if (k < 35)
		return trial_msr();
	if (k < 45)
		return trial_dr();
	if (k < 55)
		return trial_cr();
	if (k < 60)
		return trial_xcr();
	if (k < 70)
		return trial_io();
	if (k < 75)
		return trial_intn();
	if (k < 85)
		return trial_misc();
	if (k < 90)
		return trial_step();
	return trial_user();
}

/* Words of the command line besides seed=N and n=N: verbose, trace. */
static const struct seeded_flag di_flags[] = {
    {"verbose", &verbose}, {"trace", &trace}, {NULL, NULL}};

static void print_state(const char *when)
{
	struct op o;
	uintptr_t dr6, dr7;

	__asm__ volatile("mov %%dr6, %0\n mov %%dr7, %1" : "=r"(dr6), "=r"(dr7));
	m_tables(&o);
	gprintf("%s: cr0 0x%lx cr4 0x%lx dr6 0x%lx dr7 0x%lx tr/ldtr/msw 0x%llx", when,
		(unsigned long)read_cr(0), (unsigned long)read_cr(4), (unsigned long)dr6,
		(unsigned long)dr7, (unsigned long long)o.v);
	o.a = 0;
	if (read_cr(4) & CR4_OSXSAVE) {
		do_xgetbv(&o);
		gprintf(" xcr0 0x%llx", (unsigned long long)o.v);
	}
	gprintf(" efer 0x%llx\n", (unsigned long long)x86g_rdmsr(0xc0000080) & ~(1ull << 12));
}

static void initial_state(void)
{
	print_state("initial");
}

static void final_state(void)
{
	print_state("final");
}

#endif
