/* test_guest_mode.c - monitor mode: each operating mode, paging level, CPL, CS:IP. */
#include "fake_vcpu.h"

#include "debug/vcpu_gdb.h"

#define CR4_PSE_BIT   (1ull << 4)
#define CR4_LA57_BIT  (1ull << 12)
#define RFLAGS_VM_BIT (1ull << 17)
#define REAL_CS	      0x07c0
#define REAL_IP	      0x0010
#define SMALL_BUF     8

static struct fake_vcpu fv;
static struct vcpu *const v = &fv.v;
static char out[GDB_MONITOR_MAX];

static int setup(void **state)
{
	(void)state;
	fake_vcpu_init(&fv, true, 0);
	return 0;
}

static const char *mon(const char *cmd)
{
	struct vcpu_gdb g = {.v = v};

	assert_int_equal(vcpu_gdb_monitor(&g, cmd, out, sizeof(out)), 0);
	return out;
}

static void test_mode(void **state)
{
	(void)state;
	assert_string_equal(mon("mode"), "protected mode, 32-bit code, CPL 0\n"
					 "paging: none, cr3 0x0\nrip 0x1000 (cs 0008)\n");
	fv.b.regs[REG_CR0] |= CR0_PG;
	fv.b.regs[REG_CR4] = CR4_PSE_BIT;
	fv.b.cpl = 3;
	assert_non_null(strstr(mon("mode"), "CPL 3\npaging: 2-level (32-bit paging, 4 MiB"));
	fv.b.regs[REG_CR4] = CR4_PAE;
	assert_non_null(strstr(mon("mode"), "paging: PAE (3-level)"));
	fv.b.regs[REG_RFLAGS] |= RFLAGS_VM_BIT;
	fv.b.segs[SEG_CS].sel = REAL_CS;
	fv.b.segs[SEG_CS].base = REAL_CS << 4;
	fv.b.regs[REG_RIP] = REAL_IP;
	assert_non_null(strstr(mon("mode"), "virtual-8086 mode, 16-bit code, CPL 3"));
	assert_non_null(strstr(out, "cs:ip 07c0:0010 = linear 0x7c10"));
	fake_mode_long64(&fv);
	fv.b.regs[REG_RFLAGS] = RFLAGS_FIXED1;
	assert_non_null(strstr(mon("mode"), "long mode, 64-bit code, CPL 0\npaging: 4-level"));
	fv.b.regs[REG_CR4] |= CR4_LA57_BIT;
	assert_non_null(strstr(mon("mode"), "paging: 5-level"));
	fv.b.segs[SEG_CS].attr = FAKE_CS32_ATTR;
	assert_non_null(strstr(mon("mode"), "long mode, compatibility mode, 32-bit code"));
	fake_mode_real(&fv, REAL_CS);
	fv.b.regs[REG_RIP] = REAL_IP;
	assert_string_equal(mon("mode"), "real mode, 16-bit code, CPL 0\npaging: none, cr3 0x0\n"
					 "cs:ip 07c0:0010 = linear 0x7c10\n");
	/* A small buffer truncates, never overflows. */
	guest_mode_describe(v, out, SMALL_BUF);
	assert_int_equal(strlen(out), SMALL_BUF - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_mode, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
