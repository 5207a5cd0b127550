/* hostile_msrs.c - the guest may not see or turn on SVM/VMX through EFER and the SVM/VMX MSRs. */
#include <stdbool.h>
#include <stdint.h>

#include "tests/guest/lib/guest.h"
#include "tests/guest/lib/x86g.h"

#define CPUID_LEAF_VENDOR   0x00000000
#define CPUID_LEAF_HV	    0x40000000
#define CPUID_SIGNATURE_LEN 12
#define VENDOR_AMD	    "AuthenticAMD"
#define VENDOR_INTEL	    "GenuineIntel"
#define DBGVISOR_HV_SIG_EBX 0x76676264 /* "dbgv" */
#define DBGVISOR_HV_SIG_ECX 0x726f7369 /* "isor" */
#define DBGVISOR_HV_SIG_EDX 0x00000000
#define CPUID_STRESS_ROUNDS 1000

/* AMD (APM vol. 2, 15.30 and 3.1.7). */
#define MSR_EFER	0xc0000080
#define EFER_SVME	(1ull << 12)
#define MSR_VM_CR	0xc0010114
#define MSR_VM_HSAVE_PA 0xc0010117
#define HSAVE_PAGE_SIZE 4096

/* Intel (SDM vol. 4, table 2-2). */
#define MSR_IA32_FEATURE_CONTROL 0x0000003a
#define MSR_IA32_VMX_BASIC	 0x00000480

/* Host-save page whose address the guest hands to VM_HSAVE_PA: never used by anyone. */
static uint8_t hsave_page[HSAVE_PAGE_SIZE] __attribute__((aligned(HSAVE_PAGE_SIZE)));

/* An MSR access for guest_try: index in, value in (write) or out (read). */
struct msr_op {
	uint32_t index;
	uint64_t value;
};

static void rdmsr_fn(void *arg)
{
	struct msr_op *op = arg;

	op->value = x86g_rdmsr(op->index);
}

static void wrmsr_fn(void *arg)
{
	struct msr_op *op = arg;

	x86g_wrmsr(op->index, op->value);
}

/* RDMSR inside guest_try; returns the vector (-1: none) and the value read. */
static int try_rdmsr(uint32_t index, uint64_t *value)
{
	struct msr_op op = {.index = index};
	struct gfault f;

	if (guest_try(rdmsr_fn, &op, &f)) {
		gprintf("rdmsr 0x%x: vector %d\n", index, f.vector);
		return f.vector;
	}
	*value = op.value;
	gprintf("rdmsr 0x%x = 0x%llx\n", index, (unsigned long long)op.value);
	return -1;
}

static int try_wrmsr(uint32_t index, uint64_t value)
{
	struct msr_op op = {.index = index, .value = value};
	struct gfault f;

	if (guest_try(wrmsr_fn, &op, &f)) {
		gprintf("wrmsr 0x%x <- 0x%llx: vector %d\n", index, (unsigned long long)value,
			f.vector);
		return f.vector;
	}
	gprintf("wrmsr 0x%x <- 0x%llx: no exception\n", index, (unsigned long long)value);
	return -1;
}

static void check_amd(bool hv)
{
	uint64_t efer = 0, hsave = 0, vm_cr = 0;
	uintptr_t hsave_pa = (uintptr_t)hsave_page;

	EXPECT_EQ("rdmsr EFER does not fault", try_rdmsr(MSR_EFER, &efer), -1);
	gprintf("EFER.SVME as the guest sees it: %d\n", (efer & EFER_SVME) ? 1 : 0);
	if (hv)
		EXPECT_EQ("EFER.SVME reads as clear under dbgvisor", efer & EFER_SVME, 0);
	EXPECT_EQ("wrmsr EFER with SVME clear does not fault",
		  try_wrmsr(MSR_EFER, efer & ~EFER_SVME), -1);
	gprintf("guest still running after writing EFER\n");
	if (hv) {
		EXPECT_EQ("wrmsr EFER with SVME set raises #GP under dbgvisor",
			  try_wrmsr(MSR_EFER, efer | EFER_SVME), GUEST_VEC_GP);
	} else {
		try_wrmsr(MSR_EFER, efer | EFER_SVME);
		try_wrmsr(MSR_EFER, efer & ~EFER_SVME); /* leave SVM off again */
	}

	try_rdmsr(MSR_VM_CR, &vm_cr);
	if (hv) {
		EXPECT_EQ("wrmsr VM_HSAVE_PA (page-aligned) does not fault under dbgvisor",
			  try_wrmsr(MSR_VM_HSAVE_PA, hsave_pa), -1);
		EXPECT_EQ("rdmsr VM_HSAVE_PA does not fault under dbgvisor",
			  try_rdmsr(MSR_VM_HSAVE_PA, &hsave), -1);
		EXPECT_EQ("VM_HSAVE_PA reads back what was written", hsave, hsave_pa);
		EXPECT_EQ("wrmsr VM_CR <- 0 does not fault under dbgvisor", try_wrmsr(MSR_VM_CR, 0),
			  -1);
	} else {
		try_wrmsr(MSR_VM_HSAVE_PA, hsave_pa);
		try_rdmsr(MSR_VM_HSAVE_PA, &hsave);
		try_wrmsr(MSR_VM_CR, 0);
	}
	try_rdmsr(MSR_VM_CR, &vm_cr);
}

static void check_intel(bool hv)
{
	uint64_t fc = 0, basic = 0;

	try_rdmsr(MSR_IA32_FEATURE_CONTROL, &fc);
	EXPECT_EQ("wrmsr IA32_FEATURE_CONTROL raises #GP (locked)",
		  try_wrmsr(MSR_IA32_FEATURE_CONTROL, fc), GUEST_VEC_GP);
	if (hv)
		EXPECT_EQ("rdmsr IA32_VMX_BASIC raises #GP under dbgvisor",
			  try_rdmsr(MSR_IA32_VMX_BASIC, &basic), GUEST_VEC_GP);
	else
		try_rdmsr(MSR_IA32_VMX_BASIC, &basic);
}

/* The hypervisor is still alive and answering after all that. */
static void check_cpuid_stress(bool hv)
{
	unsigned answered = 0;

	for (unsigned i = 0; i < CPUID_STRESS_ROUNDS; i++) {
		struct x86g_cpuid r = x86g_cpuid(CPUID_LEAF_HV, 0);

		if (r.ebx == DBGVISOR_HV_SIG_EBX && r.ecx == DBGVISOR_HV_SIG_ECX &&
		    r.edx == DBGVISOR_HV_SIG_EDX)
			answered++;
	}
	gprintf("hypervisor leaf answered %u of %u CPUIDs\n", answered, CPUID_STRESS_ROUNDS);
	if (hv)
		EXPECT_EQ("hypervisor leaf still answers after 1000 CPUIDs", answered,
			  CPUID_STRESS_ROUNDS);
}

int test_main(void)
{
	struct x86g_cpuid v = x86g_cpuid(CPUID_LEAF_VENDOR, 0);
	uint32_t vendor[] = {v.ebx, v.edx, v.ecx};
	bool hv = guest_under_dbgvisor();

	gprintf("hostile MSRs (%s), cpu vendor %.12s, under dbgvisor: %s\n", guest_mode_name(),
		(const char *)vendor, hv ? "yes" : "no");
	if (memcmp(vendor, VENDOR_AMD, CPUID_SIGNATURE_LEN) == 0)
		check_amd(hv);
	else if (memcmp(vendor, VENDOR_INTEL, CPUID_SIGNATURE_LEN) == 0)
		check_intel(hv);
	else
		gprintf("unknown cpu vendor: no MSR checks\n");
	check_cpuid_stress(hv);
	guest_finish();
}
