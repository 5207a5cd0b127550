/* hello.c - demo guest: identify the CPU and any hypervisor, check the multiboot hand-off. */
#include <stdbool.h>
#include <stdint.h>

#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define CPUID_LEAF_VENDOR     0x00000000
#define CPUID_LEAF_FEATURES   0x00000001
#define CPUID_LEAF_HV	      0x40000000 /* hypervisor vendor leaf, valid if the HV bit is set */
#define CPUID_LEAF_EXT_MAX    0x80000000
#define CPUID_LEAF_EXT_FEAT   0x80000001
#define CPUID1_ECX_VMX	      (1u << 5)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID81_ECX_SVM	      (1u << 2)
#define CPUID_SIGNATURE_LEN   12
#define REG_BYTES	      4
#define FIRST_PRINTABLE	      0x20
#define LAST_PRINTABLE	      0x7e

/* Three registers' bytes in order, as vendor and hypervisor signatures are spelled. */
static void regs_to_chars(char out[CPUID_SIGNATURE_LEN], uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t regs[] = {a, b, c};
	for (int i = 0; i < CPUID_SIGNATURE_LEN; i++)
		out[i] = (char)(regs[i / REG_BYTES] >> (8 * (i % REG_BYTES)));
}

/* Print the hypervisor leaf, unprintable signature bytes escaped (dbgvisor\0\0\0\0). */
static void report_hypervisor(void)
{
	struct x86g_cpuid hv = x86g_cpuid(CPUID_LEAF_HV, 0);
	char sig[CPUID_SIGNATURE_LEN];

	regs_to_chars(sig, hv.ebx, hv.ecx, hv.edx);
	gprintf("hypervisor leaf 0x%x: signature '", CPUID_LEAF_HV);
	for (int i = 0; i < CPUID_SIGNATURE_LEN; i++) {
		unsigned char c = (unsigned char)sig[i];
		if (c == 0)
			gprintf("\\0");
		else if (c < FIRST_PRINTABLE || c > LAST_PRINTABLE || c == '\\')
			gprintf("\\x%02x", c);
		else
			gprintf("%c", c);
	}
	gprintf("', max leaf 0x%x\n", hv.eax);
}

static void check_cpu(void)
{
	struct x86g_cpuid v = x86g_cpuid(CPUID_LEAF_VENDOR, 0);
	struct x86g_cpuid f = x86g_cpuid(CPUID_LEAF_FEATURES, 0);
	bool svm = x86g_cpuid(CPUID_LEAF_EXT_MAX, 0).eax >= CPUID_LEAF_EXT_FEAT &&
		   (x86g_cpuid(CPUID_LEAF_EXT_FEAT, 0).ecx & CPUID81_ECX_SVM);
	bool vmx = f.ecx & CPUID1_ECX_VMX;
	char vendor[CPUID_SIGNATURE_LEN];

	regs_to_chars(vendor, v.ebx, v.edx, v.ecx);
	gprintf("cpu vendor: %.12s, max leaf 0x%x\n", vendor, v.eax);
	gprintf("CPUID.1:ECX hypervisor bit: %d\n", (f.ecx & CPUID1_ECX_HYPERVISOR) != 0);
	/* dbgvisor leaves the hypervisor bit as the CPU has it and answers its leaf anyway. */
	report_hypervisor();
	if (guest_under_dbgvisor()) {
		gprintf("running under dbgvisor: VMX and SVM must be hidden\n");
		EXPECT_EQ("CPUID.1:ECX.VMX hidden from the guest", vmx, 0);
		EXPECT_EQ("CPUID.80000001h:ECX.SVM hidden from the guest", svm, 0);
	} else {
		gprintf("not under dbgvisor: VMX visible: %s, SVM visible: %s\n",
			vmx ? "yes" : "no", svm ? "yes" : "no");
	}
}

static void check_multiboot(void)
{
	const struct mb1_info *mbi = guest_mbi();
	EXPECT_EQ("multiboot magic in EAX", guest_mb_magic(), MB1_BOOTLOADER_MAGIC);
	EXPECT_TRUE("boot info has a memory map", mbi->flags & MB1_INFO_MMAP);
	if (EXPECT_TRUE("boot info has a command line", mbi->flags & MB1_INFO_CMDLINE))
		gprintf("command line: '%s'\n", (const char *)guest_phys(mbi->cmdline));
}

int test_main(void)
{
	gprintf("hello from the dbgvisor demo guest (%s)\n", guest_mode_name());
	check_cpu();
	check_multiboot();
	guest_finish();
}
