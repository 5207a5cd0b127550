/* vmcb.h - the AMD Virtual Machine Control Block (APM vol. 2, appendix B), field by field. */
#ifndef DBGVISOR_VMCB_H
#define DBGVISOR_VMCB_H

#include <stddef.h>
#include <stdint.h>

/* Intercept vector 3 (VMCB offset 0x0C), APM table B-1. */
#define SVM_INTERCEPT_NMI	(1u << 1)
#define SVM_INTERCEPT_INIT	(1u << 3)
#define SVM_INTERCEPT_CPUID	(1u << 18)
#define SVM_INTERCEPT_IRET	(1u << 20)
#define SVM_INTERCEPT_INTN	(1u << 21)
#define SVM_INTERCEPT_INVD	(1u << 22)
#define SVM_INTERCEPT_INVLPGA	(1u << 26)
#define SVM_INTERCEPT_IOIO_PROT (1u << 27)
#define SVM_INTERCEPT_MSR_PROT	(1u << 28)
#define SVM_INTERCEPT_SHUTDOWN	(1u << 31)
/* Intercept vector 4 (VMCB offset 0x10). */
#define SVM_INTERCEPT_VMRUN   (1u << 0)
#define SVM_INTERCEPT_VMMCALL (1u << 1)
#define SVM_INTERCEPT_VMLOAD  (1u << 2)
#define SVM_INTERCEPT_VMSAVE  (1u << 3)
#define SVM_INTERCEPT_STGI    (1u << 4)
#define SVM_INTERCEPT_CLGI    (1u << 5)
#define SVM_INTERCEPT_SKINIT  (1u << 6)
#define SVM_INTERCEPT_ICEBP   (1u << 8)
/* MOV DR intercepts (VMCB 0x004): reads of DRn in bit n, writes in bit 16 + n. */
#define SVM_INTERCEPT_DR_ALL 0x00ff00ffu

#define SVM_TLB_CONTROL_FLUSH_ALL 1
#define SVM_NP_ENABLE		  (1ull << 0)
#define SVM_INTERRUPT_SHADOW	  (1ull << 0)

/* EVENTINJ / EXITINTINFO format (APM 15.20). */
#define SVM_EVTINJ_VECTOR_MASK	  0xffull
#define SVM_EVTINJ_TYPE_SHIFT	  8
#define SVM_EVTINJ_TYPE_MASK	  0x7u
#define SVM_EVTINJ_TYPE_INTR	  0
#define SVM_EVTINJ_TYPE_NMI	  2
#define SVM_EVTINJ_TYPE_EXCEPTION 3
#define SVM_EVTINJ_TYPE_SOFT_INT  4
#define SVM_EVTINJ_EV		  (1ull << 11)
#define SVM_EVTINJ_VALID	  (1ull << 31)
#define SVM_EVTINJ_ERROR_SHIFT	  32

/* Exit codes (APM table C-1). */
#define SVM_EXIT_READ_DR0	0x20
#define SVM_EXIT_WRITE_DR0	0x30
#define SVM_EXIT_EXCP_BASE	0x40
#define SVM_EXIT_INTR		0x60
#define SVM_EXIT_NMI		0x61
#define SVM_EXIT_INIT		0x63
#define SVM_EXIT_CPUID		0x72
#define SVM_EXIT_IRET		0x74
#define SVM_EXIT_SWINT		0x75
#define SVM_EXIT_INVD		0x76
#define SVM_EXIT_INVLPGA	0x7a
#define SVM_EXIT_IOIO		0x7b
#define SVM_EXIT_MSR		0x7c
#define SVM_EXIT_SHUTDOWN	0x7f
#define SVM_EXIT_VMRUN		0x80
#define SVM_EXIT_VMMCALL	0x81
#define SVM_EXIT_VMLOAD		0x82
#define SVM_EXIT_VMSAVE		0x83
#define SVM_EXIT_STGI		0x84
#define SVM_EXIT_CLGI		0x85
#define SVM_EXIT_SKINIT		0x86
#define SVM_EXIT_ICEBP		0x88
#define SVM_EXIT_XSETBV		0x8d
#define SVM_EXIT_CR0_WRITE_TRAP 0x90
#define SVM_EXIT_INVLPGB	0xa0
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_BLOCK		0x10 /* CR reads, CR writes, DR reads, DR writes: 16 codes each */
#define SVM_EXIT_INVALID	((uint64_t)-1)

/* IOIO EXITINFO1 (APM figure 15-2). */
#define SVM_IOIO_TYPE_IN    (1ull << 0)
#define SVM_IOIO_STR	    (1ull << 2)
#define SVM_IOIO_REP	    (1ull << 3)
#define SVM_IOIO_SZ16	    (1ull << 5)
#define SVM_IOIO_SZ32	    (1ull << 6)
#define SVM_IOIO_PORT_SHIFT 16

/* NPF EXITINFO1: a #PF-style error code (APM 15.25.6). */
#define SVM_NPF_WRITE (1ull << 1)
#define SVM_NPF_FETCH (1ull << 4)

/* Exception intercept EXITINFO1 holds the error code; MOV DR EXITINFO1 bit 63 = valid GPR. */
#define SVM_DR_EXITINFO_VALID	 (1ull << 63)
#define SVM_DR_EXITINFO_GPR_MASK 0xfull

struct vmcb_seg {
	uint16_t sel, attrib;
	uint32_t limit;
	uint64_t base;
};

struct vmcb_control {
	uint32_t intercept_cr; /* 0x000: reads 15:0, writes 31:16 */
	uint32_t intercept_dr, intercept_exc, intercept_misc1, intercept_misc2, intercept_misc3;
	uint8_t reserved1[0x3c - 0x18];
	uint16_t pause_filter_threshold, pause_filter_count; /* 0x03c */
	uint64_t iopm_base_pa, msrpm_base_pa, tsc_offset;    /* 0x040 */
	uint32_t asid;					     /* 0x058 */
	uint8_t tlb_control;				     /* 0x05c */
	uint8_t reserved2[3];
	uint64_t vintr, int_state; /* 0x060; int_state bit 0: interrupt shadow */
	uint64_t exitcode, exitinfo1, exitinfo2, exitintinfo; /* 0x070 */
	uint64_t np_enable, avic_apic_bar, ghcb_pa, eventinj; /* 0x090 */
	uint64_t n_cr3, lbr_virt;			      /* 0x0b0 */
	uint32_t clean_bits, reserved3;			      /* 0x0c0 */
	uint64_t next_rip;				      /* 0x0c8 */
	uint8_t insn_len, insn_bytes[15];		      /* 0x0d0 */
	uint8_t reserved4[0x400 - 0xe0];
};

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs; /* 0x400 */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 0x460 */
	uint8_t reserved1[0x4cb - 0x4a0];
	uint8_t cpl; /* 0x4cb */
	uint32_t reserved2;
	uint64_t efer; /* 0x4d0 */
	uint8_t reserved3[0x548 - 0x4d8];
	uint64_t cr4, cr3, cr0, dr7, dr6, rflags, rip; /* 0x548 */
	uint8_t reserved4[0x5d8 - 0x580];
	uint64_t rsp; /* 0x5d8 */
	uint64_t s_cet, ssp, isst_addr;
	uint64_t rax; /* 0x5f8 */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t cr2; /* 0x640 */
	uint8_t reserved5[0x668 - 0x648];
	uint64_t g_pat, dbgctl; /* 0x668 */
	uint64_t br_from, br_to;
	uint64_t last_excp_from, last_excp_to;
};

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
	uint8_t reserved[4096 - 0x400 - sizeof(struct vmcb_save)];
};

#define VMCB_CHECK(field, off)                                                                     \
	_Static_assert(offsetof(struct vmcb, field) == (off), "VMCB offset of " #field)
VMCB_CHECK(control.intercept_misc1, 0x00c);
VMCB_CHECK(control.pause_filter_threshold, 0x03c);
VMCB_CHECK(control.iopm_base_pa, 0x040);
VMCB_CHECK(control.asid, 0x058);
VMCB_CHECK(control.vintr, 0x060);
VMCB_CHECK(control.exitcode, 0x070);
VMCB_CHECK(control.exitintinfo, 0x088);
VMCB_CHECK(control.eventinj, 0x0a8);
VMCB_CHECK(control.n_cr3, 0x0b0);
VMCB_CHECK(control.clean_bits, 0x0c0);
VMCB_CHECK(control.next_rip, 0x0c8);
VMCB_CHECK(control.insn_bytes, 0x0d1);
VMCB_CHECK(save.es, 0x400);
VMCB_CHECK(save.cs, 0x410);
VMCB_CHECK(save.gdtr, 0x460);
VMCB_CHECK(save.tr, 0x490);
VMCB_CHECK(save.cpl, 0x4cb);
VMCB_CHECK(save.efer, 0x4d0);
VMCB_CHECK(save.cr4, 0x548);
VMCB_CHECK(save.dr7, 0x560);
VMCB_CHECK(save.rip, 0x578);
VMCB_CHECK(save.rsp, 0x5d8);
VMCB_CHECK(save.rax, 0x5f8);
VMCB_CHECK(save.star, 0x600);
VMCB_CHECK(save.sysenter_eip, 0x638);
VMCB_CHECK(save.cr2, 0x640);
VMCB_CHECK(save.g_pat, 0x668);
VMCB_CHECK(save.dbgctl, 0x670);
_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one page");
#undef VMCB_CHECK

#endif
