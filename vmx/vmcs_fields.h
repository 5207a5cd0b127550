/* vmcs_fields.h - VT-x formats (SDM): VMCS field encodings, exit reasons, event info, EPT. */
#ifndef DBGVISOR_VMCS_FIELDS_H
#define DBGVISOR_VMCS_FIELDS_H

/* A field encoding (SDM vol. 3C, "VMREAD, VMWRITE, and Encodings of VMCS Fields"): bit 0 high
 * half, 9:1 index, 11:10 type (0 control, 1 exit info, 2 guest, 3 host), 14:13 width. */
#define VMCS_ENC_TYPE_SHIFT	10
#define VMCS_ENC_TYPE_MASK	(3u << VMCS_ENC_TYPE_SHIFT)
#define VMCS_ENC_TYPE_EXIT_INFO 1 /* read-only VM-exit information */
#define VMCS_ENC_TYPE_HOST	3
#define VMCS_ENC_WIDTH_SHIFT	13
#define VMCS_ENC_WIDTH_MASK	(3u << VMCS_ENC_WIDTH_SHIFT)
#define VMCS_ENC_WIDTH_64	1 /* 0 is 16-bit */
#define VMCS_ENC_WIDTH_32	2
#define VMCS_ENC_WIDTH_NATURAL	3
#define VMCS_ENC_WIDTH(enc)	(((enc)&VMCS_ENC_WIDTH_MASK) >> VMCS_ENC_WIDTH_SHIFT)
#define VMCS_ENC_TYPE(enc)	(((enc)&VMCS_ENC_TYPE_MASK) >> VMCS_ENC_TYPE_SHIFT)

/* The fields used, in SDM vol. 3D appendix B order, named as Linux and Xen do: the list of
 * X(name, encoding) yields enum vmcs_field and the names in VMREAD/VMWRITE failure reports. */
#define VMCS_FIELDS(X)                                                                             \
	/* B.1.1 16-bit control fields */                                                          \
	X(VIRTUAL_PROCESSOR_ID, 0x0000)                                                            \
	/* B.1.2 16-bit guest-state fields */                                                      \
	X(GUEST_ES_SELECTOR, 0x0800)                                                               \
	X(GUEST_CS_SELECTOR, 0x0802)                                                               \
	X(GUEST_SS_SELECTOR, 0x0804)                                                               \
	X(GUEST_DS_SELECTOR, 0x0806)                                                               \
	X(GUEST_FS_SELECTOR, 0x0808)                                                               \
	X(GUEST_GS_SELECTOR, 0x080a)                                                               \
	X(GUEST_LDTR_SELECTOR, 0x080c)                                                             \
	X(GUEST_TR_SELECTOR, 0x080e)                                                               \
	/* B.1.3 16-bit host-state fields */                                                       \
	X(HOST_ES_SELECTOR, 0x0c00)                                                                \
	X(HOST_CS_SELECTOR, 0x0c02)                                                                \
	X(HOST_SS_SELECTOR, 0x0c04)                                                                \
	X(HOST_DS_SELECTOR, 0x0c06)                                                                \
	X(HOST_FS_SELECTOR, 0x0c08)                                                                \
	X(HOST_GS_SELECTOR, 0x0c0a)                                                                \
	X(HOST_TR_SELECTOR, 0x0c0c)                                                                \
	/* B.2.1 64-bit control fields */                                                          \
	X(IO_BITMAP_A, 0x2000)                                                                     \
	X(IO_BITMAP_B, 0x2002)                                                                     \
	X(MSR_BITMAP, 0x2004)                                                                      \
	X(EPT_POINTER, 0x201a)                                                                     \
	/* B.2.2 64-bit read-only data field */                                                    \
	X(GUEST_PHYSICAL_ADDRESS, 0x2400)                                                          \
	/* B.2.3 64-bit guest-state fields */                                                      \
	X(VMCS_LINK_POINTER, 0x2800)                                                               \
	X(GUEST_IA32_DEBUGCTL, 0x2802)                                                             \
	X(GUEST_IA32_PAT, 0x2804)                                                                  \
	X(GUEST_IA32_EFER, 0x2806)                                                                 \
	/* B.2.4 64-bit host-state fields */                                                       \
	X(HOST_IA32_PAT, 0x2c00)                                                                   \
	X(HOST_IA32_EFER, 0x2c02)                                                                  \
	/* B.3.1 32-bit control fields */                                                          \
	X(PIN_BASED_VM_EXEC_CONTROL, 0x4000)                                                       \
	X(CPU_BASED_VM_EXEC_CONTROL, 0x4002)                                                       \
	X(EXCEPTION_BITMAP, 0x4004)                                                                \
	X(PAGE_FAULT_ERROR_CODE_MASK, 0x4006)                                                      \
	X(PAGE_FAULT_ERROR_CODE_MATCH, 0x4008)                                                     \
	X(CR3_TARGET_COUNT, 0x400a)                                                                \
	X(VM_EXIT_CONTROLS, 0x400c)                                                                \
	X(VM_EXIT_MSR_STORE_COUNT, 0x400e)                                                         \
	X(VM_EXIT_MSR_LOAD_COUNT, 0x4010)                                                          \
	X(VM_ENTRY_CONTROLS, 0x4012)                                                               \
	X(VM_ENTRY_MSR_LOAD_COUNT, 0x4014)                                                         \
	X(VM_ENTRY_INTR_INFO_FIELD, 0x4016)                                                        \
	X(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x4018)                                                   \
	X(VM_ENTRY_INSTRUCTION_LEN, 0x401a)                                                        \
	X(SECONDARY_VM_EXEC_CONTROL, 0x401e)                                                       \
	/* B.3.2 32-bit read-only data fields */                                                   \
	X(VM_INSTRUCTION_ERROR, 0x4400)                                                            \
	X(VM_EXIT_REASON, 0x4402)                                                                  \
	X(VM_EXIT_INTR_INFO, 0x4404)                                                               \
	X(VM_EXIT_INTR_ERROR_CODE, 0x4406)                                                         \
	X(IDT_VECTORING_INFO_FIELD, 0x4408)                                                        \
	X(IDT_VECTORING_ERROR_CODE, 0x440a)                                                        \
	X(VM_EXIT_INSTRUCTION_LEN, 0x440c)                                                         \
	/* B.3.3 32-bit guest-state fields */                                                      \
	X(GUEST_ES_LIMIT, 0x4800)                                                                  \
	X(GUEST_CS_LIMIT, 0x4802)                                                                  \
	X(GUEST_SS_LIMIT, 0x4804)                                                                  \
	X(GUEST_DS_LIMIT, 0x4806)                                                                  \
	X(GUEST_FS_LIMIT, 0x4808)                                                                  \
	X(GUEST_GS_LIMIT, 0x480a)                                                                  \
	X(GUEST_LDTR_LIMIT, 0x480c)                                                                \
	X(GUEST_TR_LIMIT, 0x480e)                                                                  \
	X(GUEST_GDTR_LIMIT, 0x4810)                                                                \
	X(GUEST_IDTR_LIMIT, 0x4812)                                                                \
	X(GUEST_ES_AR_BYTES, 0x4814)                                                               \
	X(GUEST_CS_AR_BYTES, 0x4816)                                                               \
	X(GUEST_SS_AR_BYTES, 0x4818)                                                               \
	X(GUEST_DS_AR_BYTES, 0x481a)                                                               \
	X(GUEST_FS_AR_BYTES, 0x481c)                                                               \
	X(GUEST_GS_AR_BYTES, 0x481e)                                                               \
	X(GUEST_LDTR_AR_BYTES, 0x4820)                                                             \
	X(GUEST_TR_AR_BYTES, 0x4822)                                                               \
	X(GUEST_INTERRUPTIBILITY_INFO, 0x4824)                                                     \
	X(GUEST_ACTIVITY_STATE, 0x4826)                                                            \
	X(GUEST_SYSENTER_CS, 0x482a)                                                               \
	X(VMX_PREEMPTION_TIMER_VALUE, 0x482e)                                                      \
	/* B.3.4 32-bit host-state field */                                                        \
	X(HOST_IA32_SYSENTER_CS, 0x4c00)                                                           \
	/* B.4.1 natural-width control fields */                                                   \
	X(CR0_GUEST_HOST_MASK, 0x6000)                                                             \
	X(CR4_GUEST_HOST_MASK, 0x6002)                                                             \
	X(CR0_READ_SHADOW, 0x6004)                                                                 \
	X(CR4_READ_SHADOW, 0x6006)                                                                 \
	/* B.4.2 natural-width read-only data fields */                                            \
	X(EXIT_QUALIFICATION, 0x6400)                                                              \
	X(GUEST_LINEAR_ADDRESS, 0x640a)                                                            \
	/* B.4.3 natural-width guest-state fields */                                               \
	X(GUEST_CR0, 0x6800)                                                                       \
	X(GUEST_CR3, 0x6802)                                                                       \
	X(GUEST_CR4, 0x6804)                                                                       \
	X(GUEST_ES_BASE, 0x6806)                                                                   \
	X(GUEST_CS_BASE, 0x6808)                                                                   \
	X(GUEST_SS_BASE, 0x680a)                                                                   \
	X(GUEST_DS_BASE, 0x680c)                                                                   \
	X(GUEST_FS_BASE, 0x680e)                                                                   \
	X(GUEST_GS_BASE, 0x6810)                                                                   \
	X(GUEST_LDTR_BASE, 0x6812)                                                                 \
	X(GUEST_TR_BASE, 0x6814)                                                                   \
	X(GUEST_GDTR_BASE, 0x6816)                                                                 \
	X(GUEST_IDTR_BASE, 0x6818)                                                                 \
	X(GUEST_DR7, 0x681a)                                                                       \
	X(GUEST_RSP, 0x681c)                                                                       \
	X(GUEST_RIP, 0x681e)                                                                       \
	X(GUEST_RFLAGS, 0x6820)                                                                    \
	X(GUEST_PENDING_DBG_EXCEPTIONS, 0x6822)                                                    \
	X(GUEST_SYSENTER_ESP, 0x6824)                                                              \
	X(GUEST_SYSENTER_EIP, 0x6826)                                                              \
	/* B.4.4 natural-width host-state fields */                                                \
	X(HOST_CR0, 0x6c00)                                                                        \
	X(HOST_CR3, 0x6c02)                                                                        \
	X(HOST_CR4, 0x6c04)                                                                        \
	X(HOST_FS_BASE, 0x6c06)                                                                    \
	X(HOST_GS_BASE, 0x6c08)                                                                    \
	X(HOST_TR_BASE, 0x6c0a)                                                                    \
	X(HOST_GDTR_BASE, 0x6c0c)                                                                  \
	X(HOST_IDTR_BASE, 0x6c0e)                                                                  \
	X(HOST_IA32_SYSENTER_ESP, 0x6c10)                                                          \
	X(HOST_IA32_SYSENTER_EIP, 0x6c12)                                                          \
	X(HOST_RSP, 0x6c14)                                                                        \
	X(HOST_RIP, 0x6c16)

#define VMCS_FIELD_ENUM(name, enc) name = enc,
enum vmcs_field { VMCS_FIELDS(VMCS_FIELD_ENUM) };
#undef VMCS_FIELD_ENUM

/* Basic exit reasons, SDM vol. 3D appendix C table C-1: the list of X(name, number, text) yields
 * enum vmx_exit_reason and vmx_exit_reason_str's table. */
#define VMX_EXIT_REASONS(X)                                                                        \
	X(EXIT_REASON_EXCEPTION_NMI, 0, "exception or NMI")                                        \
	X(EXIT_REASON_EXTERNAL_INTERRUPT, 1, "external interrupt")                                 \
	X(EXIT_REASON_TRIPLE_FAULT, 2, "triple fault")                                             \
	X(EXIT_REASON_INIT, 3, "INIT signal")                                                      \
	X(EXIT_REASON_SIPI, 4, "start-up IPI (SIPI)")                                              \
	X(EXIT_REASON_IO_SMI, 5, "I/O system-management interrupt (SMI)")                          \
	X(EXIT_REASON_OTHER_SMI, 6, "other SMI")                                                   \
	X(EXIT_REASON_INTERRUPT_WINDOW, 7, "interrupt window")                                     \
	X(EXIT_REASON_NMI_WINDOW, 8, "NMI window")                                                 \
	X(EXIT_REASON_TASK_SWITCH, 9, "task switch")                                               \
	X(EXIT_REASON_CPUID, 10, "CPUID")                                                          \
	X(EXIT_REASON_GETSEC, 11, "GETSEC")                                                        \
	X(EXIT_REASON_HLT, 12, "HLT")                                                              \
	X(EXIT_REASON_INVD, 13, "INVD")                                                            \
	X(EXIT_REASON_INVLPG, 14, "INVLPG")                                                        \
	X(EXIT_REASON_RDPMC, 15, "RDPMC")                                                          \
	X(EXIT_REASON_RDTSC, 16, "RDTSC")                                                          \
	X(EXIT_REASON_RSM, 17, "RSM")                                                              \
	X(EXIT_REASON_VMCALL, 18, "VMCALL")                                                        \
	X(EXIT_REASON_VMCLEAR, 19, "VMCLEAR")                                                      \
	X(EXIT_REASON_VMLAUNCH, 20, "VMLAUNCH")                                                    \
	X(EXIT_REASON_VMPTRLD, 21, "VMPTRLD")                                                      \
	X(EXIT_REASON_VMPTRST, 22, "VMPTRST")                                                      \
	X(EXIT_REASON_VMREAD, 23, "VMREAD")                                                        \
	X(EXIT_REASON_VMRESUME, 24, "VMRESUME")                                                    \
	X(EXIT_REASON_VMWRITE, 25, "VMWRITE")                                                      \
	X(EXIT_REASON_VMXOFF, 26, "VMXOFF")                                                        \
	X(EXIT_REASON_VMXON, 27, "VMXON")                                                          \
	X(EXIT_REASON_CR_ACCESS, 28, "control-register access")                                    \
	X(EXIT_REASON_DR_ACCESS, 29, "MOV DR")                                                     \
	X(EXIT_REASON_IO_INSTRUCTION, 30, "I/O instruction")                                       \
	X(EXIT_REASON_MSR_READ, 31, "RDMSR")                                                       \
	X(EXIT_REASON_MSR_WRITE, 32, "WRMSR")                                                      \
	X(EXIT_REASON_INVALID_GUEST_STATE, 33, "VM-entry failure due to invalid guest state")      \
	X(EXIT_REASON_MSR_LOAD_FAIL, 34, "VM-entry failure due to MSR loading")                    \
	X(EXIT_REASON_MWAIT, 36, "MWAIT")                                                          \
	X(EXIT_REASON_MTF, 37, "monitor trap flag")                                                \
	X(EXIT_REASON_MONITOR, 39, "MONITOR")                                                      \
	X(EXIT_REASON_PAUSE, 40, "PAUSE")                                                          \
	X(EXIT_REASON_MCE_DURING_ENTRY, 41, "VM-entry failure due to machine-check event")         \
	X(EXIT_REASON_TPR_BELOW, 43, "TPR below threshold")                                        \
	X(EXIT_REASON_APIC_ACCESS, 44, "APIC access")                                              \
	X(EXIT_REASON_VIRTUALIZED_EOI, 45, "virtualized EOI")                                      \
	X(EXIT_REASON_GDTR_IDTR, 46, "access to GDTR or IDTR")                                     \
	X(EXIT_REASON_LDTR_TR, 47, "access to LDTR or TR")                                         \
	X(EXIT_REASON_EPT_VIOLATION, 48, "EPT violation")                                          \
	X(EXIT_REASON_EPT_MISCONFIG, 49, "EPT misconfiguration")                                   \
	X(EXIT_REASON_INVEPT, 50, "INVEPT")                                                        \
	X(EXIT_REASON_RDTSCP, 51, "RDTSCP")                                                        \
	X(EXIT_REASON_PREEMPTION_TIMER, 52, "VMX-preemption timer expired")                        \
	X(EXIT_REASON_INVVPID, 53, "INVVPID")                                                      \
	X(EXIT_REASON_WBINVD, 54, "WBINVD or WBNOINVD")                                            \
	X(EXIT_REASON_XSETBV, 55, "XSETBV")                                                        \
	X(EXIT_REASON_APIC_WRITE, 56, "APIC write")                                                \
	X(EXIT_REASON_RDRAND, 57, "RDRAND")                                                        \
	X(EXIT_REASON_INVPCID, 58, "INVPCID")                                                      \
	X(EXIT_REASON_VMFUNC, 59, "VMFUNC")                                                        \
	X(EXIT_REASON_ENCLS, 60, "ENCLS")                                                          \
	X(EXIT_REASON_RDSEED, 61, "RDSEED")                                                        \
	X(EXIT_REASON_PML_FULL, 62, "page-modification log full")                                  \
	X(EXIT_REASON_XSAVES, 63, "XSAVES")                                                        \
	X(EXIT_REASON_XRSTORS, 64, "XRSTORS")                                                      \
	X(EXIT_REASON_PCONFIG, 65, "PCONFIG")                                                      \
	X(EXIT_REASON_SPP, 66, "SPP-related event")                                                \
	X(EXIT_REASON_UMWAIT, 67, "UMWAIT")                                                        \
	X(EXIT_REASON_TPAUSE, 68, "TPAUSE")                                                        \
	X(EXIT_REASON_LOADIWKEY, 69, "LOADIWKEY")                                                  \
	X(EXIT_REASON_ENCLV, 70, "ENCLV")                                                          \
	X(EXIT_REASON_ENQCMD_PASID, 72, "ENQCMD PASID translation failure")                        \
	X(EXIT_REASON_ENQCMDS_PASID, 73, "ENQCMDS PASID translation failure")                      \
	X(EXIT_REASON_BUS_LOCK, 74, "bus lock")                                                    \
	X(EXIT_REASON_INSTRUCTION_TIMEOUT, 75, "instruction timeout")

#define VMX_EXIT_REASON_ENUM(name, nr, text) name = nr,
enum vmx_exit_reason { VMX_EXIT_REASONS(VMX_EXIT_REASON_ENUM) };
#undef VMX_EXIT_REASON_ENUM

/* Exit-reason and interruption-information formats (SDM vol. 3C, "VM-Exit Information"). */
#define VM_EXIT_REASON_BASIC_MASK   0xffffu
#define VM_EXIT_REASON_FAILED_ENTRY (1u << 31)
#define INTR_INFO_VECTOR_MASK	    0xffu
#define INTR_INFO_TYPE_SHIFT	    8
#define INTR_INFO_TYPE_MASK	    (7u << INTR_INFO_TYPE_SHIFT)
#define INTR_INFO_DELIVER_CODE	    (1u << 11)
#define INTR_INFO_NMI_UNBLOCKING    (1u << 12) /* exit info only: NMI unblocked by IRET */
#define INTR_INFO_VALID		    (1u << 31)
#define INTR_TYPE_EXT_INTR	    0
#define INTR_TYPE_NMI		    2
#define INTR_TYPE_HW_EXCEPTION	    3
#define INTR_TYPE_SW_INT	    4
#define INTR_TYPE_PRIV_SW_EXC	    5 /* INT1 (ICEBP) */
#define INTR_TYPE_SW_EXC	    6 /* INT3, INTO */
#define INTR_INFO_TYPE(info)	    (((info)&INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT)
#define INTR_INFO_MAKE(vec, type)   (INTR_INFO_VALID | ((type) << INTR_INFO_TYPE_SHIFT) | (vec))

/* Exit qualifications for CR access, MOV DR, I/O and EPT violations (SDM vol. 3C 28.2.1). */
#define EXITQ_CR_NUM_MASK	  0xfu
#define EXITQ_CR_TYPE_SHIFT	  4
#define EXITQ_CR_TYPE_MASK	  (3u << EXITQ_CR_TYPE_SHIFT)
#define EXITQ_CR_TYPE_MOV_TO_CR	  0
#define EXITQ_CR_TYPE_MOV_FROM_CR 1
#define EXITQ_CR_TYPE_CLTS	  2 /* 3 is LMSW */
#define EXITQ_CR_GPR_SHIFT	  8
#define EXITQ_CR_GPR_MASK	  (0xfu << EXITQ_CR_GPR_SHIFT)
#define EXITQ_CR_LMSW_DATA_SHIFT  16
#define EXITQ_DR_NUM_MASK	  0x7u
#define EXITQ_DR_FROM_DR	  (1u << 4) /* 1 = MOV from DR (read), 0 = MOV to DR */
#define EXITQ_DR_GPR_SHIFT	  8
#define EXITQ_DR_GPR_MASK	  0xfu
#define EXITQ_IO_SIZE_MASK	  0x7u /* access size minus 1: 0, 1 or 3 */
#define EXITQ_IO_IN		  (1u << 3)
#define EXITQ_IO_STRING		  (1u << 4)
#define EXITQ_IO_REP		  (1u << 5)
#define EXITQ_IO_PORT_SHIFT	  16
#define EXITQ_IO_PORT(q)	  (((q) >> EXITQ_IO_PORT_SHIFT) & 0xffffu)
#define EXITQ_EPT_WRITE		  (1u << 1)
#define EXITQ_EPT_FETCH		  (1u << 2)
#define EXITQ_EPT_GLA_VALID	  (1u << 7)

/* Guest non-register state (SDM vol. 3C, "Guest Non-Register State"). */
#define GUEST_INTR_STATE_STI	(1u << 0)
#define GUEST_INTR_STATE_MOV_SS (1u << 1)
#define GUEST_INTR_STATE_NMI	(1u << 3)
#define GUEST_INTR_STATE_SHADOW (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)
#define GUEST_ACTIVITY_ACTIVE	0
#define PENDING_DBG_BS		(1ull << 14)

/* Access rights (SDM vol. 3C, "Format of Access Rights"): descriptor bits 8-15 and 20-23 at 7:0
 * and 15:12, "unusable" at 16; core/vcpu.h's SEG_ATTR_* packs 15:12 down to 11:8. */
#define VMX_AR_DPL_SHIFT       5
#define VMX_AR_DPL_MASK	       (3u << VMX_AR_DPL_SHIFT)
#define VMX_AR_UNUSABLE	       (1u << 16)
#define VMX_AR_FROM_ATTR(attr) (((attr)&0xffu) | (((attr)&0xf00u) << 4))
#define VMX_AR_TO_ATTR(ar)     (((ar)&0xffu) | (((ar) >> 4) & 0xf00u))

/* EPT entries and the EPT pointer (SDM vol. 3C, "EPT Translation Mechanism", "EPTP"). */
#define EPT_READ	       (1ull << 0)
#define EPT_WRITE	       (1ull << 1)
#define EPT_EXEC	       (1ull << 2)
#define EPT_RWX		       (EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MEMTYPE_SHIFT      3 /* leaf entries only */
#define EPT_MEMTYPE_UC	       0
#define EPT_MEMTYPE_WB	       6
#define EPT_LARGE	       (1ull << 7) /* PDPTE: 1 GiB page, PDE: 2 MiB page */
#define EPTP_MEMTYPE_WB	       6ull	   /* bits 2:0 */
#define EPTP_WALK_LENGTH_SHIFT 3	   /* bits 5:3, page-walk length minus 1 */
#define EPTP_WALK_LENGTH_4     (3ull << EPTP_WALK_LENGTH_SHIFT)

/* IA32_VMX_EPT_VPID_CAP, _BASIC (bit 55: core/cpu_caps.h), _MISC: SDM vol. 3D A.10, A.1, A.6. */
#define VMX_EPT_PAGE_WALK_4		(1ull << 6)
#define VMX_EPT_MEMTYPE_WB		(1ull << 14)
#define VMX_VPID_INVVPID		(1ull << 32)
#define VMX_VPID_INVVPID_SINGLE_CONTEXT (1ull << 41)
#define VMX_VPID_INVVPID_ALL_CONTEXT	(1ull << 42)
#define VMX_BASIC_REVISION_MASK		0x7fffffffull
#define VMX_BASIC_PA32			(1ull << 48)
#define VMX_MISC_PREEMPTION_SHIFT_MASK	0x1full /* timer counts down every 2^N TSC ticks */

#endif
