/* diff_debug_gen.h - diff_debug.c's trial: draw the state and the sequence, run, describe. */
#ifndef DIFF_DEBUG_GEN_H
#define DIFF_DEBUG_GEN_H

#define SNIP(name)   (dd_snips[i].at == dds_##name)
#define MAX_CANDS    128
#define DR6_RSVD_LOW 0x1ff0ul /* bits 4-12: reserved (BLD, bit 11, active low where defined) */
#define DR7_LEGE     (DR7_LE | DR7_GE)

static uintptr_t run_tf;  /* EFLAGS.TF for the whole sequence, or 0 */
static bool no_data_step; /* QEMU: neither data breakpoints under TF nor TF with them */
static const uint16_t io_ports[] = {PORT_POST, PORT_POST + 1, PORT_COM2, PORT_COM2 + 4};

static uintptr_t data_at(unsigned off)
{
	return (uintptr_t)&dd_data[off];
}

/* An instruction of the trial's snippets or of the driver, sometimes a byte inside one. */
static uintptr_t draw_code(const uint8_t *chosen)
{
	static uintptr_t cands[MAX_CANDS];
	uintptr_t at;
	unsigned n = 0;

	for (const struct dd_mark *m = dd_marks; m < dd_marks_end && n < MAX_CANDS; m++) {
		bool in_drv = m->start >= (uintptr_t)dd_drv && m->start < (uintptr_t)dd_drv_end;
		bool in_seq = false;

		for (unsigned s = 0; s < MAX_STEPS && chosen[s] != 0xff; s++) {
			const char *at = dd_snips[chosen[s]].at;
			const char *next =
			    chosen[s] + 1u < DD_NSNIPS ? dd_snips[chosen[s] + 1].at : dds__end;
			in_seq |= m->start >= (uintptr_t)at && m->start < (uintptr_t)next;
		}
		if (in_seq || (in_drv && !below(4)))
			cands[n++] = m->start;
	}
	if (!n)
		return (uintptr_t)dd_drv;
	at = cands[below(n)] + (below(6) ? 0 : 1);
	/* Bochs 2.7 adds the next instruction's execute breakpoints to an I/O breakpoint's
	 * trap, QEMU 7.2 does not (dbgvisor's emulated IN/OUT neither): not on Bochs. */
	for (const uint32_t *e = dd_io_ends; bochs && e < dd_io_ends_end; e++)
		if (at == *e)
			at--;
	return at;
}

static uintptr_t draw_len(void)
{
	static const unsigned lens[] = {1, 2, 4, 8};

	return lens[below(sizeof(uintptr_t) == 8 ? 4 : 3)]; /* LEN 10b: 8 bytes in 64-bit mode */
}

/* DR6 as the guest writes it: reset value, status bits, now and then reserved ones. */
static uint64_t draw_dr6(void)
{
	uint64_t v = DR6_INIT;

	/* QEMU 7.2 keeps written reserved bits and its steps clear B0-B3; Bochs 2.7's #DBs
	 * clear every status bit (README): not there. */
	if (below(2) && !bochs)
		v |= rnd() & (qemu ? DR6_STATUS & ~DR6_BMASK : DR6_STATUS);
	if (!below(4) && !qemu)
		v ^= rnd() & (DR6_RSVD_LOW | DR6_HIGH_RSVD);
	if (sizeof(uintptr_t) == 8 && !below(16))
		v |= 1ull << (32 + below(32)); /* #GP (SDM 2B, MOV DR) */
	return v;
}

/* DR7's enables and LE/GE over the RW/LEN fields already set; GD if gd. */
static uintptr_t draw_dr7(uintptr_t rwlen, bool gd)
{
	uintptr_t v = DR7_INIT | rwlen;

	for (int n = 0; n < DR_NUM_BP; n++) {
		unsigned rw = (unsigned)(rwlen >> DR7_RW_SHIFT(n)) & 3;

		v |= (uintptr_t)below(4) << (2 * n); /* none, L, G or both */
		/* Bn of a disabled I/O breakpoint: Bochs 2.7 sets it, QEMU 7.2 and dbgvisor's
		 * emulated IN/OUT do not (the SDM leaves it open, 18.2.3). Bochs 2.7's VT-x puts
		 * a disabled data breakpoint's match into the next VM exit's pending debug
		 * exceptions (README). Those are enabled. */
		if (rw == DR7_RW_IO || (bochs && rw != DR7_RW_EXEC))
			v |= DR7_L(n);
	}
	v |= rnd() & DR7_LEGE;
	if (gd)
		v |= DR7_GD;
	return v;
}

struct slot {
	uintptr_t addr;
	unsigned rw, len;
};

static void draw_slots(struct slot *sl, bool de, const uint8_t *chosen)
{
	for (int n = 0; n < DR_NUM_BP; n++) {
		unsigned k = below(de ? 4 : 3);
		uintptr_t len = draw_len();

		if (k == 0) {
			sl[n] = (struct slot){draw_code(chosen), DR7_RW_EXEC, 1};
		} else if (k == 3) { /* I/O: LEN 8 is undefined there */
			len = 1u << below(3);
			sl[n] = (struct slot){io_ports[below(4)] & ~(len - 1), DR7_RW_IO, len};
		} else {
			/* A far JMP through a watched pointer: QEMU 7.2 (64-bit) dies of it bare,
			 * Bochs 2.7 (64-bit) reports nothing bare and leaks the hit into a later
			 * VM exit's pending debug exceptions (README). Not watched there. */
			unsigned off = below(4)
					   ? HOT_FIRST - 8 + below(HOT_SIZE + 16)
					   : PTR_FIRST + below(qemu || bochs ? 2 * SS_SLOTS : 16);
			sl[n] = (struct slot){data_at(off) & ~(len - 1),
					      k == 1 ? DR7_RW_WRITE : DR7_RW_RW, len};
		}
	}
}

static void say_slot(int n, const struct slot *s)
{
	static const char *const kinds[] = {"x", "w", "io", "rw"};

	say(" %d:%s%u@", n, kinds[s->rw], s->len);
	if (s->rw == DR7_RW_IO)
		say("0x%lx", (unsigned long)s->addr);
	else if (s->rw == DR7_RW_EXEC)
		say_where(s->addr);
	else
		say("d+%lu", (unsigned long)(s->addr - data_at(0)));
}

/* Operands of snippet i for step s. */
static struct dd_step draw_step(unsigned i, unsigned s)
{
	struct dd_step st = {.fn = (uintptr_t)dd_snips[i].at};
	unsigned off = HOT_FIRST + below(HOT_SIZE - 8);

	st.di = data_at(off);
	st.si = data_at(HOT_FIRST + below(HOT_SIZE - 8));
	st.cx = (uintptr_t)rnd();
	say(" %s", dd_snips[i].name);
	if (SNIP(movsb) || SNIP(movsl) || SNIP(stosb) || SNIP(insb_com2) || SNIP(outsb80) ||
	    SNIP(stosb_down)) {
		st.cx = below(SNIP(movsl) ? 5 : 9);
		/* dbgvisor emulates the REP INS in one exit: one element at most. QEMU 7.2
		 * reports a data breakpoint on the last one at the REP INS, not after it; Bochs
		 * 2.7 an I/O breakpoint for REP INS with ECX = 0 (README). */
		if (SNIP(insb_com2))
			st.cx = !qemu;
		/* Bochs 2.7 reports a REP string's hits of a second breakpoint never, and leaks
		 * them into a later VM exit's pending debug exceptions (README). */
		if (bochs && !SNIP(insb_com2))
			st.cx = below(2);
		st.di = data_at(HOT_FIRST + (SNIP(stosb_down) ? 16 : 0) + below(HOT_SIZE - 16));
		st.si = data_at(HOT_FIRST - 8 + below(PTR_FIRST - HOT_FIRST));
		say("(d+%lu s+%lu x%lu)", (unsigned long)(st.di - data_at(0)),
		    (unsigned long)(st.si - data_at(0)), (unsigned long)st.cx);
	} else if (!memcmp(dd_snips[i].name, "movss", 5) || !memcmp(dd_snips[i].name, "popss", 5)) {
		st.di = data_at(PTR_FIRST + 2 * below(SS_SLOTS));
		/* SVM has no pending debug exceptions: a data breakpoint MOV SS held back is lost
		 * at the intercept of the next instruction; Bochs 2.7's Intel models lose it bare
		 * unless TF is set (README). Not watched there. */
		if (SNIP(movss_cpuid) || (SNIP(movss_in_com2) && (amd || (bochs && !run_tf))))
			st.di = data_at(SS_SPARE);
		say("(d+%lu s+%lu)", (unsigned long)(st.di - data_at(0)),
		    (unsigned long)(st.si - data_at(0)));
	} else if (SNIP(farjmp)) {
		st.di = data_at(FAR_SLOT);
	} else if (SNIP(iret)) {
		st.cx = (below(2) && !no_data_step) * X86G_FLAGS_TF | below(2) * X86G_FLAGS_RF;
		say("(0x%lx)", (unsigned long)st.cx);
	} else if (SNIP(cpuid)) {
		static const uint32_t leaves[] = {0, 1, 7, 0x80000001u};

		st.cx = leaves[below(4)];
	} else if (SNIP(wr_dr6)) {
		st.cx = (uintptr_t)draw_dr6();
		say("(%llx)", (unsigned long long)st.cx);
	} else if (SNIP(wr_dr7) || SNIP(wr_dr5)) {
		struct slot sl = {.rw = below(2) ? DR7_RW_WRITE : DR7_RW_RW, .len = draw_len()};

		if (no_data_step) /* an I/O breakpoint without CR4.DE: no breakpoint at all */
			sl = (struct slot){.rw = DR7_RW_IO, .len = 1};

		/* Never GD: the handlers could not read the DRs of the events that follow. */
		st.cx = draw_dr7(dr7_rwlen(below(4), sl.rw, dr7_len_of(sl.len)), false);
		say("(%lx)", (unsigned long)st.cx);
	} else if (SNIP(wr_dr0) || SNIP(wr_dr3)) {
		st.cx = data_at(HOT_FIRST + below(HOT_SIZE));
		say("(d+%lu)", (unsigned long)(st.cx - data_at(0)));
	} else if (!memcmp(dd_snips[i].name, "rd_", 3)) {
		st.si = (uintptr_t)&results[s];
	} else if (memcmp(dd_snips[i].name, "load", 4) && memcmp(dd_snips[i].name, "store", 5) &&
		   !SNIP(add4) && !SNIP(incw) && !SNIP(xchg1) && !SNIP(pushmem) &&
		   !SNIP(cmpxchg8b)) {
		return st; /* no memory operand */
	} else {
		say("(d+%u)", off);
	}
	return st;
}

static uintptr_t run_n;
static void run_seq(void *p)
{
	(void)p;
	dd_run(steps, run_n, run_tf);
}

static uintptr_t final_dr[8];
static void read_final(void *p)
{
	(void)p;
	final_dr[6] = dr_read(6); /* a #DB with BD first if GD is still set */
	final_dr[7] = dr_read(7);
	for (int n = 0; n < DR_NUM_BP; n++)
		final_dr[n] = dr_read(n);
}

static void write_dr6(void *p)
{
	dr_write(6, (uintptr_t) * (uint64_t *)p);
}

static void run_trial(void)
{
	uint8_t chosen[MAX_STEPS];
	struct slot sl[DR_NUM_BP];
	uintptr_t rwlen = 0, dr7, cr4 = x86g_read_cr4();
	uint64_t dr6, h = FNV_OFFSET;
	bool de = below(2), tf = !below(4), data = false, io = false, icebp = false;
	unsigned n = 1 + below(MAX_STEPS - 1);
	struct gfault f;

	for (unsigned i = 0; i < DATA_SIZE; i++)
		dd_data[i] = (uint8_t)(i * 7 + 3);
	for (unsigned i = 0; i < SS_SLOTS; i++)
		__asm__ volatile("mov %%ss, %0" : "=m"(*(uint16_t *)&dd_data[PTR_FIRST + 2 * i]));
	__asm__ volatile("mov %%ss, %0" : "=m"(*(uint16_t *)&dd_data[SS_SPARE]));
	*(uint32_t *)&dd_data[FAR_SLOT] = (uint32_t)(uintptr_t)dds_farjmp_to;
	__asm__ volatile("mov %%cs, %0" : "=m"(*(uint16_t *)&dd_data[FAR_SLOT + 4]));
	memset(chosen, 0xff, sizeof(chosen));
	memset(results, 0, sizeof(results));
	for (unsigned s = 0; s < n; s++)
		chosen[s] = (uint8_t)below(DD_NSNIPS);
	draw_slots(sl, de, chosen);
	/* QEMU 7.2, bare (README): a second #DB for a data breakpoint a single-stepped access
	 * hits, no BS in an I/O breakpoint's #DB, and two #DBs (one in the handler) for a REP
	 * OUTS from watched bytes to a port with an I/O breakpoint. There: no data breakpoints
	 * under TF (execute ones instead), I/O breakpoints under TF only on the POST port (never
	 * emulated), with data breakpoints only on COM2's, and no TF set halfway (IRET) with
	 * either. */
	for (int k = 0; k < DR_NUM_BP; k++) {
		if (qemu && tf && (sl[k].rw == DR7_RW_WRITE || sl[k].rw == DR7_RW_RW))
			sl[k] = (struct slot){draw_code(chosen), DR7_RW_EXEC, 1};
		data |= sl[k].rw == DR7_RW_WRITE || sl[k].rw == DR7_RW_RW;
		io |= sl[k].rw == DR7_RW_IO;
	}
	for (int k = 0; k < DR_NUM_BP; k++)
		if (qemu && sl[k].rw == DR7_RW_IO)
			sl[k].addr = tf ? PORT_POST : PORT_COM2;
	no_data_step = qemu && (tf || data || io);
	for (int k = 0; k < DR_NUM_BP; k++)
		rwlen |= dr7_rwlen(k, sl[k].rw, dr7_len_of(sl[k].len));
	/* Whether INT1 clears DR7.GD: Bochs 2.7 keeps it, dbgvisor clears it as for every #DB
	 * (SDM 3B, 18.2.4). Not with ICEBP, then. QEMU 7.2 ignores GD (README). */
	for (unsigned s = 0; s < n; s++)
		icebp |= dd_snips[chosen[s]].at == dds_icebp ||
			 dd_snips[chosen[s]].at == dds_movss_icebp ||
			 !memcmp(dd_snips[chosen[s]].name, "popss_icebp", 11);
	/* Bochs 2.7's SVM keeps no #DB status: with GD the DRs are emulated and dbgvisor rebuilds
	 * it, not knowing which breakpoint hit (README). No GD on Bochs ryzen. */
	dr7 = draw_dr7(rwlen, !qemu && !icebp && !(bochs && amd) && !below(8));
	dr6 = draw_dr6();
	say(" de%u", de);
	for (int k = 0; k < DR_NUM_BP; k++)
		say_slot(k, &sl[k]);
	say(" dr6 %llx dr7 %lx%s |", (unsigned long long)dr6, (unsigned long)dr7, tf ? " TF" : "");
	run_tf = tf ? X86G_FLAGS_TF : 0;
	for (unsigned s = 0; s < n; s++)
		steps[s] = draw_step(chosen[s], s);
	say(" |");
	if (dump) /* what runs, before it runs */
		gprintf("%s\n", line);

	x86g_write_cr4(de ? cr4 | CR4_DE : cr4 & ~(uintptr_t)CR4_DE);
	for (int k = 0; k < DR_NUM_BP; k++)
		dr_write(k, sl[k].addr);
	if (guest_try(write_dr6, &dr6, &f))
		say(" dr6 write: vector %d", f.vector);
	n_events = 0;
	last_dr6 = last_dr7 = ~(uintptr_t)0;
	gd_armed = dr7 & DR7_GD;
	hooks(true);
	dr_write(7, dr7);
	run_n = n;
	if (guest_try(run_seq, NULL, &f)) {
		say(" -> vector %d at ", f.vector);
		say_where(f.ip);
	}
	if (guest_try(read_final, NULL, &f))
		say(" final: vector %d", f.vector);
	dr_write(7, DR7_INIT);
	hooks(false);
	dr_write(6, DR6_INIT);
	x86g_write_cr4(cr4);
	if (n_events > MAX_SHOWN)
		say(" (%u events)", n_events);
	for (unsigned s = 0; s < n; s++)
		if (!memcmp(dd_snips[chosen[s]].name, "rd_", 3))
			say(" r%u=%lx", s, (unsigned long)results[s]);
	for (unsigned i = 0; i < DATA_SIZE; i++) {
		h = (h ^ dd_data[i]) * FNV_PRIME;
		if (dump && i >= HOT_FIRST - 8 && i < PTR_FIRST)
			say("%s%02x", i == HOT_FIRST - 8 ? " | " : "", dd_data[i]);
	}
	say(" | d6 %lx d7 %lx data %llx", (unsigned long)final_dr[6], (unsigned long)final_dr[7],
	    (unsigned long long)h);
}

/* Words of the command line besides seed=N and n=N: quiet, dump (the data window; each trial
 * also before it runs), bochs (run.sh on Bochs). */
static const struct seeded_flag dd_flags[] = {
    {"quiet", &quiet}, {"dump", &dump}, {"bochs", &bochs}, {NULL, NULL}};

#endif
