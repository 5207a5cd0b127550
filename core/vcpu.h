/* vcpu.h - the vendor-neutral virtual CPU, its exit record, and the backend operations table. */
#ifndef DBGVISOR_VCPU_H
#define DBGVISOR_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hw/dr_bits.h"
#include "insn.h"

/* General-purpose registers in x86 encoding order, so decoders can index them directly. */
enum vcpu_gpr {
	GPR_RAX,
	GPR_RCX,
	GPR_RDX,
	GPR_RBX,
	GPR_RSP, /* lives in the VMCB/VMCS; the backend syncs it around each run */
	GPR_RBP,
	GPR_RSI,
	GPR_RDI,
	GPR_R8,
	GPR_R9,
	GPR_R10,
	GPR_R11,
	GPR_R12,
	GPR_R13,
	GPR_R14,
	GPR_R15,
	GPR_COUNT
};

/* Registers a backend keeps in its control structure. */
enum vcpu_reg {
	REG_RIP,
	REG_RFLAGS,
	REG_CR0,
	REG_CR2,
	REG_CR3,
	REG_CR4,
	REG_EFER,
	REG_DR6,
	REG_DR7,
	REG_DEBUGCTL,
	REG_PENDING_DBG, /* VT-x's pending debug exceptions (B0-B3 held by MOV SS); SVM: 0 */
	REG_COUNT
};

enum vcpu_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, SEG_COUNT };

/* Segment attributes: descriptor bits 8-15 and 20-23 packed as in the VMCB (APM 15.5.1). */
#define SEG_ATTR_S	   (1u << 4)
#define SEG_ATTR_DPL_SHIFT 5
#define SEG_ATTR_DPL_MASK  (3u << SEG_ATTR_DPL_SHIFT)
#define SEG_ATTR_P	   (1u << 7)
#define SEG_ATTR_L	   (1u << 9)
#define SEG_ATTR_DB	   (1u << 10)
#define SEG_ATTR_G	   (1u << 11)

struct vcpu_segment {
	uint16_t sel;
	uint16_t attr;
	uint32_t limit;
	uint64_t base;
};

struct vcpu_dtable {
	uint64_t base;
	uint16_t limit;
};
enum vcpu_dtable_id { DTABLE_GDT, DTABLE_IDT };

/* Event injection kinds (SDM vol. 3C, 25.8.3; APM vol. 2, 15.20). */
enum vcpu_event_type {
	EVENT_EXT_INTR,
	EVENT_NMI,
	EVENT_HW_EXCEPTION, /* faults and traps raised by the CPU */
	EVENT_SW_INT,	    /* INT n */
	EVENT_PRIV_SW_EXC,  /* ICEBP / INT1 */
	EVENT_SW_EXC,	    /* INT3, INTO */
};

struct vcpu_event {
	enum vcpu_event_type type;
	uint8_t vector;
	bool has_error;
	uint32_t error;
	uint8_t insn_len; /* for the software kinds: the return address is RIP + insn_len */
};

/* What made the guest stop running, decoded by the backend into vendor-free terms. */
enum exit_kind {
	EXIT_NONE,
	EXIT_CPUID,
	EXIT_IO,
	EXIT_MSR_READ,
	EXIT_MSR_WRITE,
	EXIT_VIRT_INSN, /* VMX/SVM instruction the guest may not use: #UD */
	EXIT_TRIPLE_FAULT,
	EXIT_NPF, /* nested page fault / EPT violation */
	EXIT_NPT_MISCONFIG,
	EXIT_EXCEPTION,
	EXIT_DR_ACCESS,
	EXIT_INIT,
	EXIT_SIPI,
	EXIT_XSETBV,
	EXIT_INVD,
	EXIT_TIMER, /* preemption timer or equivalent: the core regains control */
	EXIT_EXT_INTR,
	EXIT_NMI,
	EXIT_TASK_SWITCH,
	EXIT_SW_INT, /* INT n intercepted (SVM INTn) */
	EXIT_ICEBP,
	EXIT_ENTRY_FAILED,
	EXIT_CR_ACCESS, /* a control-register write the backend must see (VMX CR0/CR4 masks) */
	EXIT_HV_FAULT,	/* an exception in the hypervisor's VM-exit window (core/hw/trap.h) */
	EXIT_PROBED,	/* the backend probed the CPU and the guest did not run: enter again */
	EXIT_IRET,	/* IRET about to run while an injected NMI blocks NMIs (SVM) */
	EXIT_UNHANDLED, /* a vendor exit the core has no rule for */
	EXIT_KIND_COUNT
};

struct vcpu_exit {
	enum exit_kind kind;
	uint64_t raw_reason;  /* vendor exit code, for reports */
	const char *raw_name; /* vendor name of raw_reason */
	uint8_t insn_len;     /* length of the exiting instruction, 0 if the CPU did not say */
	union {
		struct {
			uint16_t port;
			uint8_t size; /* 1, 2 or 4 */
			bool in, string, rep;
		} io;
		struct {
			uint64_t gpa, gla;
			bool gla_valid, write, fetch;
		} npf;
		struct {
			uint8_t vector;
			bool has_error;
			uint32_t error;
			uint64_t cr2;	      /* #PF only */
			uint64_t dr6_pending; /* #DB only: status bits, VMX pending-debug format */
			uint64_t dr6_hw;      /* #DB only: DR6 as the CPU left it, if valid */
			bool dr6_hw_valid, software; /* software: #DB raised by ICEBP */
		} exc;
		struct {
			uint8_t dr;
			uint8_t gpr; /* 0xff when the backend could not decode it */
			bool write;
		} dr;
		struct {
			uint8_t vector;
			bool vector_valid; /* else the core decodes the INT instruction */
		} swint;
		struct {
			uint16_t selector; /* the new task's TSS selector */
			uint8_t source;	   /* enum task_switch_source */
			bool has_error;	   /* through a task gate: the exception's error code */
			uint32_t error;
		} task;
		struct {
			uint8_t cr;
			uint8_t gpr;
			enum { CR_MOV_TO, CR_MOV_FROM, CR_CLTS, CR_LMSW } type;
			uint16_t lmsw_data;
		} cr;
		struct {
			uint64_t qualification;
			const char *detail;
		} fail;
		struct {
			uint8_t vector;
			const char *name;	       /* the vector's, for the report */
			uint64_t error, cr2, host_rip; /* host_rip: where in the hypervisor */
		} hv;
	};
};

struct vcpu;
struct vcpu_gdb;
struct vcpu_npt;
struct vcpu_debug_hooks;
struct dr_state;
struct cpuid_regs;

/* Host services the exit handlers need: real hardware (boot/main.c) or unit-test fakes. */
struct vcpu_host {
	void (*cpuid)(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r);
	/* cpuid is the CPU's instruction: the fast path executes it in place. False in fakes. */
	bool cpuid_native;
	/* Guest-physical access to guest RAM; false outside what the guest owns. */
	bool (*read_phys)(uint64_t gpa, void *buf, uint64_t len);
	/* Where the hypervisor sees guest RAM [gpa, gpa + len), NULL outside it. May be NULL. */
	const void *(*phys_ptr)(uint64_t gpa, uint64_t len);
	bool (*write_phys)(uint64_t gpa, const void *buf, uint64_t len);
	bool (*hv_owns)(uint64_t gpa); /* inside the hypervisor's reserved region */
	uint32_t (*port_in)(uint16_t port, uint8_t size);
	void (*port_out)(uint16_t port, uint8_t size, uint32_t val);
	bool (*xsetbv)(uint32_t index, uint64_t value); /* for the guest; false on #GP */
	/* Forward a guest write the hypervisor checked: device memory and MSRs. */
	void (*mmio_write32)(uint64_t gpa, uint32_t val);
	uint32_t (*mmio_read32)(uint64_t gpa);
	/* The GDB line's receive interrupt on or off (off while the stub talks). May be NULL. */
	void (*gdb_line_irq)(bool on);
	void (*wrmsr)(uint32_t index, uint64_t val);
	bool (*gdb_kick)(void); /* an NMI exit: a watcher CPU's kick (line bytes)? May be NULL */
	bool (*gdb_kicked_in_host)(void); /* once: such a kick reached the host. May be NULL */
	/* VM exits reset DR7 (SDM 3C 28.5.1, APM 15.5.2): reload the host's. May be NULL. */
	void (*restore_host_dr)(void);
	/* NMIs the hypervisor's IDT took, not kicks, since the last call. May be NULL. */
	unsigned (*host_nmis)(void);
	/* An NMI (kick or not) reached the hypervisor's IDT and waits for the full exit path
	 * (nothing consumed). May be NULL. */
	bool (*host_events)(void);
	/* The flag the hypervisor's NMI handler clears from now on, at any NMI: the fast path's
	 * go-ahead (core/exit_fast.c). May be NULL. */
	void (*fast_flag)(volatile bool *flag);
	/* RDMSR/WRMSR of a native MSR a catchpoint made exit: false on #GP. May be NULL (#GP). */
	bool (*rdmsr_safe)(uint32_t index, uint64_t *val);
	bool (*wrmsr_safe)(uint32_t index, uint64_t val);
};

struct vcpu_ops {
	const char *name;
	/* An exit's raw code and name, as the vendor's manual writes them (printf format). */
	const char *exit_format;
	int (*hw_enable)(void); /* turn the extension on: 0, or a negative error after saying why */
	int (*init)(struct vcpu *v); /* control structures, nested paging, default intercepts */
	void (*run)(struct vcpu *v, struct vcpu_exit *exit); /* enter the guest until it exits */
	uint64_t (*get_reg)(struct vcpu *v, enum vcpu_reg r);
	void (*set_reg)(struct vcpu *v, enum vcpu_reg r, uint64_t val);
	void (*get_seg)(struct vcpu *v, enum vcpu_seg s, struct vcpu_segment *out);
	void (*set_seg)(struct vcpu *v, enum vcpu_seg s, const struct vcpu_segment *in);
	void (*get_dtable)(struct vcpu *v, enum vcpu_dtable_id d, struct vcpu_dtable *out);
	void (*set_dtable)(struct vcpu *v, enum vcpu_dtable_id d, const struct vcpu_dtable *in);
	void (*inject_event)(struct vcpu *v, const struct vcpu_event *e);
	void (*set_io_intercept)(struct vcpu *v, uint16_t port, bool on);
	void (*set_msr_intercept)(struct vcpu *v, uint32_t msr, bool read, bool write);
	void (*set_exception_intercept)(struct vcpu *v, uint8_t vector, bool on);
	/* STI / MOV SS interrupt shadow (SDM 3C 25.4.2, APM 15.21.5). */
	bool (*get_interrupt_shadow)(struct vcpu *v);
	void (*set_interrupt_shadow)(struct vcpu *v, bool on);
	unsigned (*get_cpl)(struct vcpu *v);
	/* Debug registers for the next entry: DR0-3 and DR6 to the CPU, DR7 to the VMCS/VMCB. */
	void (*load_debug)(struct vcpu *v, const uint64_t db[DR_SLOTS], uint64_t dr6, uint64_t dr7);
	/* After an exit: what the guest left in DR0-3, DR6 and DR7 while it ran natively. */
	void (*save_debug)(struct vcpu *v, uint64_t db[DR_SLOTS], uint64_t *dr6, uint64_t *dr7);
	void (*set_dr_intercept)(struct vcpu *v, bool on);
	/* Block interrupts for the debugger's next step only: SVM's interrupt shadow, VMX's MOV SS
	 * blocking, which unlike STI's also defers the #DB past the instruction (SDM 3C 27.7.3). */
	void (*set_step_shadow)(struct vcpu *v);
	bool (*event_queued)(struct vcpu *v); /* already one for the next entry (a re-delivery) */
	/* The CPU tracks NMI blocking (VT-x): may an NMI go in now? NULL when it does not (SVM:
	 * not every implementation blocks NMIs after an injected one). */
	bool (*nmi_window_open)(struct vcpu *v);
	/* SVM: exit before IRET to see the NMI handler return (needed without nmi_window_open). */
	void (*set_iret_intercept)(struct vcpu *v, bool on);
	/* Deny NESTED_DENY_* (core/paging/nested_pt.h) on the 4 KiB guest page at @gpa, 0 to
	 * restore it, and flush the nested translations; -1 where the tables map nothing. */
	int (*nested_protect)(struct vcpu *v, uint64_t gpa, unsigned deny);
};

/* The GDB line's I/O APIC entry, dbgvisor's (an NMI to this CPU); the guest sees a shadow. */
struct vcpu_ioapic {
	uint64_t base;	    /* the guarded I/O APIC page (0: none) */
	uint32_t pin;	    /* the redirection entry dbgvisor owns */
	uint32_t sel;	    /* the guest's IOREGSEL */
	uint32_t shadow[2]; /* the guest's view of that entry: low and high words */
};

/* The guest's NMI state as the core keeps it (SDM vol. 3A, 6.7.1; APM vol. 2, 8.2.4). */
struct vcpu_nmi {
	bool pending;	   /* one NMI latched for the guest (the CPU latches only one) */
	bool blocked;	   /* an injected NMI's handler runs: NMIs wait for its IRET */
	bool iret_seen;	   /* that IRET exited and runs on re-entry, at iret_rip */
	bool stepping;	   /* TF set to trap right after that IRET, an NMI waiting */
	uint64_t iret_rip; /* where the handler's IRET is */
	uint64_t dr6;	   /* DR6 before that single-step, put back after it */
	unsigned tails;	   /* this exit's NMI, which the host IDT takes again after STGI */
	uint64_t injected; /* NMIs delivered to the guest */
};

/* What an exit handler decided: run the guest on, or stop (v->stop says why). */
enum exit_result { EXIT_RESUME, EXIT_STOP };

/* Why the guest stopped for good (reported, then the machine exits). */
enum vcpu_stop_reason {
	STOP_NONE,
	STOP_GUEST_EXIT, /* the guest wrote the emulator's exit port */
	STOP_TRIPLE_FAULT,
	STOP_HV_MEMORY,	 /* touched the hypervisor's reserved memory */
	STOP_BAD_ACCESS, /* nested fault outside anything the guest may touch */
	STOP_ENTRY_FAILED,
	STOP_UNHANDLED_EXIT,
	STOP_INTERNAL,
	STOP_KILLED,	/* the debugger killed the machine */
	STOP_POWER_OFF, /* an ACPI sleep request: replayed after the report */
	STOP_HV_FAULT,	/* the hypervisor took an exception right after a VM exit */
};

struct vcpu_stop {
	enum vcpu_stop_reason reason;
	int exit_code;	      /* guest exit code for STOP_GUEST_EXIT */
	uint16_t port, value; /* STOP_POWER_OFF: the PM1a control port and the value written */
	uint64_t addr;	      /* guest-physical address for the memory stops */
	const char *detail;
};

/* A null exit as the backend read it from the VMCB/VMCS, for core/exit_fast.c. In: as the
 * exit left them; out: RIP, RFLAGS and the shadow for the next entry. */
struct vcpu_fast_exit {
	uint64_t rip, rflags;
	uint64_t cr4;	  /* the guest's view (CPUID's OSXSAVE and OSPKE follow it) */
	uint8_t insn_len; /* the CPU's report; 0: look it up (core/vcpu_util.c) */
	bool shadow;	  /* STI/MOV SS interrupt shadow, cleared by completion */
	uint64_t cr0, cr3, efer, cs_base; /* with no length: the code's place and size */
	uint32_t cs_attr;
};

/* The last length the CPU did not report (SVM without NRIP save), for the next exit at the
 * same place: same kind, linear RIP, CR3, code size and bytes at the same GPA (vcpu_util.c). */
struct vcpu_insn_cache {
	bool valid;
	uint8_t kind, mode, len;
	uint64_t lin, cr3, gpa;
	const uint8_t *where; /* the bytes at gpa as the hypervisor sees them (host->phys_ptr) */
	uint8_t bytes[INSN_MAX_LEN];
	uint64_t hits, misses;
};

/* The port and memory an emulated IN/OUT/INS/OUTS accessed: its I/O and data breakpoints are
 * checked when it completes (vcpu_complete_insn, the debug layer's step_trap). */
struct vcpu_insn_access {
	uint16_t port;
	uint8_t port_size; /* 0: no access recorded */
	bool mem_write;
	uint64_t mem_addr, mem_len; /* linear; mem_len 0: no memory */
};

struct vcpu {
	const struct vcpu_ops *ops;
	void *backend; /* struct svm_vcpu / struct vmx_vcpu */
	const struct vcpu_host *host;
	uint64_t gpr[GPR_COUNT]; /* saved and loaded by the backend's entry asm */
	bool is_amd;		 /* which vendor's MSR set the guest expects */
	uint16_t gdb_port;	 /* the UART the guest must not touch (0: none) */
	uint16_t pm1a_cnt_port;	 /* ACPI PM1a control (0: none): a sleep request ends the run */
	bool kernel_64bit;	 /* the loader saw a 64-bit kernel (gdb describes it as x86-64) */
	uint64_t virt_hsave_pa;	 /* guest's view of VM_HSAVE_PA: stored, never used */
	char shutdown_seen;	 /* bytes of "Shutdown" matched on the Bochs exit port */
	int last_exit_code;	 /* last byte written to the QEMU exit port */
	uint64_t lapic_base;	 /* write-protected local APIC page (0: not guarded) */
	uint64_t ipis_refused;	 /* INIT/SIPI/NMI/SMI IPIs aimed at CPUs the guest does not own */
	uint32_t apic_id;	 /* the guest CPU's own local APIC ID (xAPIC 8 bits, x2APIC 32) */
	uint32_t icr_high;	 /* the guest's last write to the xAPIC ICR's destination half */
	struct vcpu_nmi nmi;
	struct vcpu_ioapic ioapic;
	struct vcpu_insn_access access;	      /* what the instruction being emulated accessed */
	const struct vcpu_debug_hooks *debug; /* the debug layer (core/vcpu_hooks.h) */
	struct dr_state *dr; /* its state: the guest's debug registers, the debugger's slots */
	bool dr_loaded;	     /* debug registers were loaded for the last entry */
	bool dr_intercept;   /* MOV DR currently exits */
	bool db_intercept;   /* #DB currently exits */
	bool db_status_lost; /* the CPU keeps no status for an intercepted #DB (backend's probe) */
	bool dr_reload;	     /* a #DB changed DR6: load the debug registers again */
	bool dr_live;  /* the guest's native DRs are still in the CPU, newer than v->dr's copy */
	bool host_drs; /* the host uses DR0-DR7 itself (hostdr=on): restore_host_dr after exits */
	struct vcpu_gdb *gdb; /* the GDB stub, or NULL without a debugger line */
	struct vcpu_npt *npt; /* nested-page breakpoints (debug/vcpu_npt.c), NULL before any */
	bool npt_tf;	      /* RFLAGS.TF is the nested-page step's, not the guest's */
	struct vcpu_stop stop;
	struct vcpu_insn_cache insn_cache;
	volatile bool fast_ready; /* null exits may skip the full path; NMIs clear it */
	uint64_t exits[EXIT_KIND_COUNT];
	uint64_t exits_total;
};

const char *exit_kind_name(enum exit_kind k);
const char *vcpu_stop_reason_name(enum vcpu_stop_reason r);

#endif
