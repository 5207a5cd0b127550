/* insn.h - x86 instruction length decoder: the next RIP, and what the intercepted insn is. */
#ifndef DBGVISOR_INSN_H
#define DBGVISOR_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SDM vol. 2A, 2.3.11: an instruction is at most 15 bytes long, or it raises #GP. */
#define INSN_MAX_LEN 15

#define INSN_ERR_TRUNCATED (-1) /* @avail ends before the instruction does */
#define INSN_ERR_TOO_LONG  (-2) /* more than INSN_MAX_LEN bytes (#GP on hardware) */
#define INSN_ERR_INVALID   (-3) /* undefined in this mode, or not supported here (EVEX, XOP) */

/* Opcode maps (SDM vol. 2A, appendix A.3): one-byte, 0F, 0F38, 0F3A. */
#define INSN_MAP_1BYTE 0
#define INSN_MAP_0F    1
#define INSN_MAP_0F38  2
#define INSN_MAP_0F3A  3

/* Default operand/address size of the code segment (CS.D, CS.L; SDM vol. 3A, 3.4.5). */
enum insn_mode { INSN_MODE_16, INSN_MODE_32, INSN_MODE_64 };

struct insn {
	uint8_t len;	 /* total length in bytes */
	uint8_t nprefix; /* bytes before the opcode (or VEX) byte: legacy prefixes and REX */
	bool opsize, addrsize, lock, rep, repne; /* 66, 67, F0, F3, F2 (rep/repne: the last wins) */
	uint8_t seg;	/* 0 or the last segment override byte (26 2E 36 3E 64 65) */
	uint8_t rex;	/* 0 or the effective REX byte; for VEX the equivalent 0x40|WRXB */
	uint8_t map;	/* INSN_MAP_* */
	uint8_t opcode; /* the opcode byte within @map */
	bool has_modrm;
	uint8_t modrm, sib; /* sib: 0 when absent */
	int64_t disp;	    /* sign-extended displacement, 0 when absent */
	uint64_t imm;	    /* raw little-endian value of all immediate bytes (ENTER: iw | ib << 16;
			       far ptr: offset | sel << (8 * offset size)); not sign-extended */
	uint8_t vex; /* 0, or 2/3: length of the C5/C4 VEX prefix (vex.L/vvvv/pp are not kept) */
};

/* Decode the instruction at @buf (at most min(@avail, INSN_MAX_LEN) bytes): 0 with @out
 * filled, or an INSN_ERR_*. Meaningless prefixes (66 on CPUID) decode as on the CPU. */
int insn_decode(const uint8_t *buf, size_t avail, enum insn_mode mode, struct insn *out);

bool insn_is(const struct insn *i, uint8_t map, uint8_t opcode);

/* The ModRM reg field (SDM vol. 2A, 2.1.5). */
static inline uint8_t insn_modrm_reg(const struct insn *i)
{
	return (i->modrm >> 3) & 7;
}

/* Internal to insn.c and insn_tables.c from here on. */

/* Per-opcode attributes: the immediate kind (SDM vol. 2A, A.2.2) and flags. */
enum insn_imm_kind {
	INSN_IMM_NONE,
	INSN_IMM_B,	/* Ib/Jb: one byte */
	INSN_IMM_W,	/* Iw: two bytes */
	INSN_IMM_Z,	/* Iz: 2 or 4 bytes by operand size (4 for 64-bit operands) */
	INSN_IMM_V,	/* Iv: 2, 4 or 8 bytes (MOV r, imm: B8+r) */
	INSN_IMM_WB,	/* ENTER Iw, Ib */
	INSN_IMM_AP,	/* Ap: far pointer, 16:16 or 16:32 */
	INSN_IMM_MOFFS, /* Ob/Ov: offset of address size (A0-A3) */
	INSN_IMM_JZ,	/* Jz: rel16/rel32; always rel32 in 64-bit mode */
	INSN_IMM_BB,	/* Ib, Ib (SSE4a EXTRQ/INSERTQ) */
};

#define INSN_A_IMM	 0x0f
#define INSN_A_MODRM	 0x10 /* a ModRM byte follows the opcode */
#define INSN_A_INVALID	 0x20 /* undefined (#UD) in every mode */
#define INSN_A_INVALID64 0x40 /* undefined (#UD) in 64-bit mode (SDM vol. 2A, A.2.5 "i64") */

/* Attributes of each opcode in the one-byte and 0F maps (insn_tables.c). */
extern const uint8_t insn_map_1byte[256];
extern const uint8_t insn_map_0f[256];

#endif
