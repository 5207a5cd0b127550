/* nested_pt.h - build the guest's identity-mapped nested page tables (NPT or EPT) with holes. */
#ifndef DBGVISOR_NESTED_PT_H
#define DBGVISOR_NESTED_PT_H

#include "core/hw/pmem.h"

/* NPT (long-mode format) and EPT both use 4-level, 512-entry tables; only the bits differ. */
struct nested_pt_format {
	uint64_t table;	    /* bits of a non-leaf entry */
	uint64_t leaf_ram;  /* 4 KiB leaf over RAM */
	uint64_t leaf_mmio; /* 4 KiB leaf over anything else (device memory) */
	uint64_t large;	    /* extra bit(s) that make a PDE a 2 MiB leaf */
	uint64_t write;	    /* the write-permission bit, cleared over read-only ranges */
	/* For nested_pt_protect: the bits whose clearing denies all access (NPT P; EPT R, W, X),
	 * and execute permission (EPT X) or execute-disable (NPT NX, APM vol. 2, 15.25.5). */
	uint64_t access, exec, nx;
};

/* What nested_pt_protect denies on a 4 KiB page. */
#define NESTED_DENY_EXEC   1u
#define NESTED_DENY_WRITE  2u
#define NESTED_DENY_ACCESS 4u
/* Not a denial: asks nested_protect for nested_pt_map_device (device memory above the map). */
#define NESTED_MAP_DEVICE 8u

struct nested_pt_env {
	uint64_t (*alloc_page)(void *ctx); /* a zeroed page's address; 0 when out of memory */
	uint64_t *(*table_ptr)(uint64_t pa, void *ctx); /* where we read and write table @pa */
	void *ctx;
};

struct nested_pt_layout {
	uint64_t end;		      /* map [0, end) */
	const struct phys_range *ram; /* ranges that are RAM (others are MMIO) */
	unsigned nram;
	const struct phys_range *holes; /* ranges left unmapped (the hypervisor) */
	unsigned nholes;
	const struct phys_range *readonly; /* mapped without write access (writes exit) */
	unsigned nreadonly;
	const struct nested_pt_shadow { /* a 4 KiB guest page shown as a patched host copy */
		uint64_t gpa, hpa;
	} * shadow;
	unsigned nshadow;
};

struct nested_pt_stats {
	uint64_t large_pages, small_pages, tables;
};

/* Fill the tables under @root_pa; returns 0, or -1 when a table could not be allocated. */
int nested_pt_build(uint64_t root_pa, const struct nested_pt_layout *l,
		    const struct nested_pt_format *f, const struct nested_pt_env *env,
		    struct nested_pt_stats *stats);

/* Deny @deny (NESTED_DENY_*; 0 restores the page as built) on the 4 KiB page at @gpa, first
 * splitting a 2 MiB leaf; -1 when @gpa has no leaf or out of memory. The caller flushes the TLB. */
int nested_pt_protect(uint64_t root_pa, uint64_t gpa, unsigned deny,
		      const struct nested_pt_format *f, const struct nested_pt_env *env);

/* Map the 2 MiB page holding @gpa 1:1 as device memory (f->leaf_mmio), creating its tables;
 * -1 when an entry maps it already or a table could not be allocated. */
int nested_pt_map_device(uint64_t root_pa, uint64_t gpa, const struct nested_pt_format *f,
			 const struct nested_pt_env *env);

/* Look up the leaf entry mapping @gpa (for tests and diagnostics); 0 if none. */
uint64_t nested_pt_lookup(uint64_t root_pa, uint64_t gpa, const struct nested_pt_format *f,
			  const struct nested_pt_env *env, uint64_t *page_size);

#endif
