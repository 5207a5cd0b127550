/* vmcs_fields.h - VMCS field encodings and VM-execution/exit/entry control bits (Intel SDM). */
#ifndef DBGVISOR_VMCS_FIELDS_H
#define DBGVISOR_VMCS_FIELDS_H

/* Exit reasons, event and exit-qualification formats, segment AR bytes, EPT: */
#include "vmx_defs.h"

/*
 * VMCS component encodings, SDM vol. 3D appendix B ("Field Encoding in VMCS"); names follow
 * the appendix (as Linux and Xen spell them). An encoding is (SDM vol. 3C, "VMREAD, VMWRITE,
 * and Encodings of VMCS Fields"): bit 0 access type (1 = high half of a 64-bit field),
 * 9:1 index, 11:10 type, 14:13 width. Only full (access type 0) encodings are listed.
 */
#define VMCS_ENC_ACCESS_HIGH	(1u << 0)
#define VMCS_ENC_TYPE_SHIFT	10
#define VMCS_ENC_TYPE_MASK	(3u << VMCS_ENC_TYPE_SHIFT)
#define VMCS_ENC_TYPE_CONTROL	0
#define VMCS_ENC_TYPE_EXIT_INFO 1 /* read-only VM-exit information */
#define VMCS_ENC_TYPE_GUEST	2
#define VMCS_ENC_TYPE_HOST	3
#define VMCS_ENC_WIDTH_SHIFT	13
#define VMCS_ENC_WIDTH_MASK	(3u << VMCS_ENC_WIDTH_SHIFT)
#define VMCS_ENC_WIDTH_16	0
#define VMCS_ENC_WIDTH_64	1
#define VMCS_ENC_WIDTH_32	2
#define VMCS_ENC_WIDTH_NATURAL	3
#define VMCS_ENC_WIDTH(enc)	(((enc)&VMCS_ENC_WIDTH_MASK) >> VMCS_ENC_WIDTH_SHIFT)
#define VMCS_ENC_TYPE(enc)	(((enc)&VMCS_ENC_TYPE_MASK) >> VMCS_ENC_TYPE_SHIFT)

/* B.1.1 16-bit control fields. */
#define VIRTUAL_PROCESSOR_ID 0x0000
#define POSTED_INTR_NV	     0x0002
#define EPTP_INDEX	     0x0004
/* B.1.2 16-bit guest-state fields. */
#define GUEST_ES_SELECTOR   0x0800
#define GUEST_CS_SELECTOR   0x0802
#define GUEST_SS_SELECTOR   0x0804
#define GUEST_DS_SELECTOR   0x0806
#define GUEST_FS_SELECTOR   0x0808
#define GUEST_GS_SELECTOR   0x080a
#define GUEST_LDTR_SELECTOR 0x080c
#define GUEST_TR_SELECTOR   0x080e
#define GUEST_INTR_STATUS   0x0810
#define GUEST_PML_INDEX	    0x0812
/* B.1.3 16-bit host-state fields. */
#define HOST_ES_SELECTOR 0x0c00
#define HOST_CS_SELECTOR 0x0c02
#define HOST_SS_SELECTOR 0x0c04
#define HOST_DS_SELECTOR 0x0c06
#define HOST_FS_SELECTOR 0x0c08
#define HOST_GS_SELECTOR 0x0c0a
#define HOST_TR_SELECTOR 0x0c0c

/* B.2.1 64-bit control fields. */
#define IO_BITMAP_A	       0x2000
#define IO_BITMAP_B	       0x2002
#define MSR_BITMAP	       0x2004
#define VM_EXIT_MSR_STORE_ADDR 0x2006
#define VM_EXIT_MSR_LOAD_ADDR  0x2008
#define VM_ENTRY_MSR_LOAD_ADDR 0x200a
#define EXECUTIVE_VMCS_POINTER 0x200c
#define PML_ADDRESS	       0x200e
#define TSC_OFFSET	       0x2010
#define VIRTUAL_APIC_PAGE_ADDR 0x2012
#define APIC_ACCESS_ADDR       0x2014
#define POSTED_INTR_DESC_ADDR  0x2016
#define VM_FUNCTION_CONTROL    0x2018
#define EPT_POINTER	       0x201a
#define EOI_EXIT_BITMAP0       0x201c
#define EOI_EXIT_BITMAP1       0x201e
#define EOI_EXIT_BITMAP2       0x2020
#define EOI_EXIT_BITMAP3       0x2022
#define EPTP_LIST_ADDRESS      0x2024
#define VMREAD_BITMAP	       0x2026
#define VMWRITE_BITMAP	       0x2028
#define VE_INFORMATION_ADDRESS 0x202a
#define XSS_EXIT_BITMAP	       0x202c
#define TSC_MULTIPLIER	       0x2032
/* B.2.2 64-bit read-only data field. */
#define GUEST_PHYSICAL_ADDRESS 0x2400
/* B.2.3 64-bit guest-state fields. */
#define VMCS_LINK_POINTER	    0x2800
#define GUEST_IA32_DEBUGCTL	    0x2802
#define GUEST_IA32_PAT		    0x2804
#define GUEST_IA32_EFER		    0x2806
#define GUEST_IA32_PERF_GLOBAL_CTRL 0x2808
#define GUEST_PDPTR0		    0x280a
#define GUEST_PDPTR1		    0x280c
#define GUEST_PDPTR2		    0x280e
#define GUEST_PDPTR3		    0x2810
#define GUEST_IA32_BNDCFGS	    0x2812
/* B.2.4 64-bit host-state fields. */
#define HOST_IA32_PAT		   0x2c00
#define HOST_IA32_EFER		   0x2c02
#define HOST_IA32_PERF_GLOBAL_CTRL 0x2c04

/* B.3.1 32-bit control fields. */
#define PIN_BASED_VM_EXEC_CONTROL     0x4000
#define CPU_BASED_VM_EXEC_CONTROL     0x4002
#define EXCEPTION_BITMAP	      0x4004
#define PAGE_FAULT_ERROR_CODE_MASK    0x4006
#define PAGE_FAULT_ERROR_CODE_MATCH   0x4008
#define CR3_TARGET_COUNT	      0x400a
#define VM_EXIT_CONTROLS	      0x400c
#define VM_EXIT_MSR_STORE_COUNT	      0x400e
#define VM_EXIT_MSR_LOAD_COUNT	      0x4010
#define VM_ENTRY_CONTROLS	      0x4012
#define VM_ENTRY_MSR_LOAD_COUNT	      0x4014
#define VM_ENTRY_INTR_INFO_FIELD      0x4016
#define VM_ENTRY_EXCEPTION_ERROR_CODE 0x4018
#define VM_ENTRY_INSTRUCTION_LEN      0x401a
#define TPR_THRESHOLD		      0x401c
#define SECONDARY_VM_EXEC_CONTROL     0x401e
#define PLE_GAP			      0x4020
#define PLE_WINDOW		      0x4022
/* B.3.2 32-bit read-only data fields. */
#define VM_INSTRUCTION_ERROR	 0x4400
#define VM_EXIT_REASON		 0x4402
#define VM_EXIT_INTR_INFO	 0x4404
#define VM_EXIT_INTR_ERROR_CODE	 0x4406
#define IDT_VECTORING_INFO_FIELD 0x4408
#define IDT_VECTORING_ERROR_CODE 0x440a
#define VM_EXIT_INSTRUCTION_LEN	 0x440c
#define VMX_INSTRUCTION_INFO	 0x440e
/* B.3.3 32-bit guest-state fields. */
#define GUEST_ES_LIMIT		    0x4800
#define GUEST_CS_LIMIT		    0x4802
#define GUEST_SS_LIMIT		    0x4804
#define GUEST_DS_LIMIT		    0x4806
#define GUEST_FS_LIMIT		    0x4808
#define GUEST_GS_LIMIT		    0x480a
#define GUEST_LDTR_LIMIT	    0x480c
#define GUEST_TR_LIMIT		    0x480e
#define GUEST_GDTR_LIMIT	    0x4810
#define GUEST_IDTR_LIMIT	    0x4812
#define GUEST_ES_AR_BYTES	    0x4814
#define GUEST_CS_AR_BYTES	    0x4816
#define GUEST_SS_AR_BYTES	    0x4818
#define GUEST_DS_AR_BYTES	    0x481a
#define GUEST_FS_AR_BYTES	    0x481c
#define GUEST_GS_AR_BYTES	    0x481e
#define GUEST_LDTR_AR_BYTES	    0x4820
#define GUEST_TR_AR_BYTES	    0x4822
#define GUEST_INTERRUPTIBILITY_INFO 0x4824
#define GUEST_ACTIVITY_STATE	    0x4826
#define GUEST_SMBASE		    0x4828
#define GUEST_SYSENTER_CS	    0x482a
#define VMX_PREEMPTION_TIMER_VALUE  0x482e
/* B.3.4 32-bit host-state field. */
#define HOST_IA32_SYSENTER_CS 0x4c00

/* B.4.1 natural-width control fields. */
#define CR0_GUEST_HOST_MASK 0x6000
#define CR4_GUEST_HOST_MASK 0x6002
#define CR0_READ_SHADOW	    0x6004
#define CR4_READ_SHADOW	    0x6006
#define CR3_TARGET_VALUE0   0x6008
#define CR3_TARGET_VALUE1   0x600a
#define CR3_TARGET_VALUE2   0x600c
#define CR3_TARGET_VALUE3   0x600e
/* B.4.2 natural-width read-only data fields. */
#define EXIT_QUALIFICATION   0x6400
#define IO_RCX		     0x6402
#define IO_RSI		     0x6404
#define IO_RDI		     0x6406
#define IO_RIP		     0x6408
#define GUEST_LINEAR_ADDRESS 0x640a
/* B.4.3 natural-width guest-state fields. */
#define GUEST_CR0		     0x6800
#define GUEST_CR3		     0x6802
#define GUEST_CR4		     0x6804
#define GUEST_ES_BASE		     0x6806
#define GUEST_CS_BASE		     0x6808
#define GUEST_SS_BASE		     0x680a
#define GUEST_DS_BASE		     0x680c
#define GUEST_FS_BASE		     0x680e
#define GUEST_GS_BASE		     0x6810
#define GUEST_LDTR_BASE		     0x6812
#define GUEST_TR_BASE		     0x6814
#define GUEST_GDTR_BASE		     0x6816
#define GUEST_IDTR_BASE		     0x6818
#define GUEST_DR7		     0x681a
#define GUEST_RSP		     0x681c
#define GUEST_RIP		     0x681e
#define GUEST_RFLAGS		     0x6820
#define GUEST_PENDING_DBG_EXCEPTIONS 0x6822
#define GUEST_SYSENTER_ESP	     0x6824
#define GUEST_SYSENTER_EIP	     0x6826
/* B.4.4 natural-width host-state fields. */
#define HOST_CR0	       0x6c00
#define HOST_CR3	       0x6c02
#define HOST_CR4	       0x6c04
#define HOST_FS_BASE	       0x6c06
#define HOST_GS_BASE	       0x6c08
#define HOST_TR_BASE	       0x6c0a
#define HOST_GDTR_BASE	       0x6c0c
#define HOST_IDTR_BASE	       0x6c0e
#define HOST_IA32_SYSENTER_ESP 0x6c10
#define HOST_IA32_SYSENTER_EIP 0x6c12
#define HOST_RSP	       0x6c14
#define HOST_RIP	       0x6c16

/*
 * Pin-based VM-execution controls, SDM vol. 3C "Pin-Based VM-Execution Controls" (table
 * "Definitions of Pin-Based VM-Execution Controls"). Bits 1, 2, 4 are reserved default-1.
 */
#define PIN_BASED_EXT_INTR_EXITING (1u << 0)
#define PIN_BASED_NMI_EXITING	   (1u << 3)
#define PIN_BASED_VIRTUAL_NMIS	   (1u << 5)
#define PIN_BASED_PREEMPTION_TIMER (1u << 6)
#define PIN_BASED_POSTED_INTR	   (1u << 7)

/*
 * Primary processor-based VM-execution controls, SDM vol. 3C "Processor-Based VM-Execution
 * Controls" (table "Definitions of Primary Processor-Based VM-Execution Controls"). Bits 1,
 * 4-6, 8, 13-16 and 26 are reserved default-1 (15/16 are CR3 exiting, clearable with TRUE MSRs).
 */
#define CPU_BASED_INTR_WINDOW_EXITING (1u << 2)
#define CPU_BASED_USE_TSC_OFFSETTING  (1u << 3)
#define CPU_BASED_HLT_EXITING	      (1u << 7)
#define CPU_BASED_INVLPG_EXITING      (1u << 9)
#define CPU_BASED_MWAIT_EXITING	      (1u << 10)
#define CPU_BASED_RDPMC_EXITING	      (1u << 11)
#define CPU_BASED_RDTSC_EXITING	      (1u << 12)
#define CPU_BASED_CR3_LOAD_EXITING    (1u << 15)
#define CPU_BASED_CR3_STORE_EXITING   (1u << 16)
#define CPU_BASED_ACTIVATE_TERTIARY   (1u << 17)
#define CPU_BASED_CR8_LOAD_EXITING    (1u << 19)
#define CPU_BASED_CR8_STORE_EXITING   (1u << 20)
#define CPU_BASED_TPR_SHADOW	      (1u << 21)
#define CPU_BASED_NMI_WINDOW_EXITING  (1u << 22)
#define CPU_BASED_MOV_DR_EXITING      (1u << 23)
#define CPU_BASED_UNCOND_IO_EXITING   (1u << 24)
#define CPU_BASED_USE_IO_BITMAPS      (1u << 25)
#define CPU_BASED_MONITOR_TRAP_FLAG   (1u << 27)
#define CPU_BASED_USE_MSR_BITMAPS     (1u << 28)
#define CPU_BASED_MONITOR_EXITING     (1u << 29)
#define CPU_BASED_PAUSE_EXITING	      (1u << 30)
#define CPU_BASED_ACTIVATE_SECONDARY  (1u << 31)

/*
 * Secondary processor-based VM-execution controls, same section (table "Definitions of
 * Secondary Processor-Based VM-Execution Controls"). No bit is default-1.
 */
#define SECONDARY_EXEC_VIRT_APIC_ACCESSES  (1u << 0)
#define SECONDARY_EXEC_EPT		   (1u << 1)
#define SECONDARY_EXEC_DESC_TABLE_EXITING  (1u << 2)
#define SECONDARY_EXEC_RDTSCP		   (1u << 3)
#define SECONDARY_EXEC_VIRT_X2APIC_MODE	   (1u << 4)
#define SECONDARY_EXEC_VPID		   (1u << 5)
#define SECONDARY_EXEC_WBINVD_EXITING	   (1u << 6)
#define SECONDARY_EXEC_UNRESTRICTED_GUEST  (1u << 7)
#define SECONDARY_EXEC_APIC_REGISTER_VIRT  (1u << 8)
#define SECONDARY_EXEC_VIRT_INTR_DELIVERY  (1u << 9)
#define SECONDARY_EXEC_PAUSE_LOOP_EXITING  (1u << 10)
#define SECONDARY_EXEC_RDRAND_EXITING	   (1u << 11)
#define SECONDARY_EXEC_INVPCID		   (1u << 12)
#define SECONDARY_EXEC_VMFUNC		   (1u << 13)
#define SECONDARY_EXEC_VMCS_SHADOWING	   (1u << 14)
#define SECONDARY_EXEC_ENCLS_EXITING	   (1u << 15)
#define SECONDARY_EXEC_RDSEED_EXITING	   (1u << 16)
#define SECONDARY_EXEC_PML		   (1u << 17)
#define SECONDARY_EXEC_EPT_VE		   (1u << 18)
#define SECONDARY_EXEC_PT_CONCEAL_VMX	   (1u << 19)
#define SECONDARY_EXEC_XSAVES		   (1u << 20)
#define SECONDARY_EXEC_MODE_BASED_EPT_EXEC (1u << 22)
#define SECONDARY_EXEC_TSC_SCALING	   (1u << 25)

/*
 * Primary VM-exit controls, SDM vol. 3C "VM-Exit Controls" (table "Definitions of Primary
 * VM-Exit Controls"). Bits 0-8, 10, 11, 13, 14, 16, 17 are reserved default-1; bit 2 (save
 * debug controls) is clearable with the TRUE MSR.
 */
#define VM_EXIT_SAVE_DEBUG_CONTROLS   (1u << 2)
#define VM_EXIT_HOST_ADDR_SPACE_SIZE  (1u << 9)
#define VM_EXIT_LOAD_PERF_GLOBAL      (1u << 12)
#define VM_EXIT_ACK_INTR_ON_EXIT      (1u << 15)
#define VM_EXIT_SAVE_PAT	      (1u << 18)
#define VM_EXIT_LOAD_PAT	      (1u << 19)
#define VM_EXIT_SAVE_EFER	      (1u << 20)
#define VM_EXIT_LOAD_EFER	      (1u << 21)
#define VM_EXIT_SAVE_PREEMPTION_TIMER (1u << 22)
#define VM_EXIT_CLEAR_BNDCFGS	      (1u << 23)

/*
 * VM-entry controls, SDM vol. 3C "VM-Entry Controls" (table "Definitions of VM-Entry
 * Controls"). Bits 0-8 and 12 are reserved default-1; bit 2 is clearable with the TRUE MSR.
 */
#define VM_ENTRY_LOAD_DEBUG_CONTROLS (1u << 2)
#define VM_ENTRY_IA32E_MODE	     (1u << 9)
#define VM_ENTRY_SMM		     (1u << 10)
#define VM_ENTRY_DEACT_DUAL_MONITOR  (1u << 11)
#define VM_ENTRY_LOAD_PERF_GLOBAL    (1u << 13)
#define VM_ENTRY_LOAD_PAT	     (1u << 14)
#define VM_ENTRY_LOAD_EFER	     (1u << 15)
#define VM_ENTRY_LOAD_BNDCFGS	     (1u << 16)

#endif
