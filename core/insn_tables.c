/* insn_tables.c - one-byte and 0F opcode attribute tables for the decoder in insn.c. */
#include <stdint.h>

#include "insn.h"

/* Short names for the tables only. */
#define NO 0 /* no operand bytes; also prefixes and escapes, handled before the lookup */
#define MR INSN_A_MODRM
#define IB INSN_IMM_B
#define IW INSN_IMM_W
#define IZ INSN_IMM_Z
#define IV INSN_IMM_V
#define JZ INSN_IMM_JZ
#define MO INSN_IMM_MOFFS
#define EN INSN_IMM_WB
#define MB (INSN_A_MODRM | INSN_IMM_B)
#define MZ (INSN_A_MODRM | INSN_IMM_Z)
#define UD INSN_A_INVALID
#define I6 INSN_A_INVALID64
#define M6 (INSN_A_INVALID64 | INSN_A_MODRM)
#define B6 (INSN_A_INVALID64 | INSN_IMM_B)
#define P6 (INSN_A_INVALID64 | INSN_IMM_AP)
#define G6 (INSN_A_INVALID64 | INSN_A_MODRM | INSN_IMM_B)

/* One-byte opcode map (SDM vol. 2A, table A-2). */
const uint8_t insn_map_1byte[256] = {
    /* 00 */ MR, MR, MR, MR, IB, IZ, I6, I6, MR, MR, MR, MR, IB, IZ, I6, NO,
    /* 10 */ MR, MR, MR, MR, IB, IZ, I6, I6, MR, MR, MR, MR, IB, IZ, I6, I6,
    /* 20 */ MR, MR, MR, MR, IB, IZ, NO, I6, MR, MR, MR, MR, IB, IZ, NO, I6,
    /* 30 */ MR, MR, MR, MR, IB, IZ, NO, I6, MR, MR, MR, MR, IB, IZ, NO, I6,
    /* 40 */ NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO,
    /* 50 */ NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO,
    /* 60 */ I6, I6, M6, MR, NO, NO, NO, NO, IZ, MZ, IB, MB, NO, NO, NO, NO,
    /* 70 */ IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB,
    /* 80 */ MB, MZ, G6, MB, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
    /* 90 */ NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, P6, NO, NO, NO, NO, NO,
    /* A0 */ MO, MO, MO, MO, NO, NO, NO, NO, IB, IZ, NO, NO, NO, NO, NO, NO,
    /* B0 */ IB, IB, IB, IB, IB, IB, IB, IB, IV, IV, IV, IV, IV, IV, IV, IV,
    /* C0 */ MB, MB, IW, NO, M6, M6, MB, MZ, EN, NO, IW, NO, NO, IB, I6, NO,
    /* D0 */ MR, MR, MR, MR, B6, B6, UD, NO, MR, MR, MR, MR, MR, MR, MR, MR,
    /* E0 */ IB, IB, IB, IB, IB, IB, IB, IB, JZ, JZ, P6, IB, NO, NO, NO, NO,
    /* F0 */ NO, NO, NO, NO, NO, NO, MB, MZ, NO, NO, NO, NO, NO, NO, MR, MR,
};

/* Two-byte opcode map, 0F xx (SDM vol. 2A, tables A-3). 0F 0F is AMD 3DNow! (ModRM, Ib). */
const uint8_t insn_map_0f[256] = {
    /* 00 */ MR, MR, MR, MR, UD, NO, NO, NO, NO, NO, UD, NO, UD, MR, NO, MB,
    /* 10 */ MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
    /* 20 */ MR, MR, MR, MR, UD, UD, UD, UD, MR, MR, MR, MR, MR, MR, MR, MR,
    /* 30 */ NO, NO, NO, NO, NO, NO, UD, NO, NO, UD, NO, UD, UD, UD, UD, UD,
    /* 40 */ MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
    /* 50 */ MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
    /* 60 */ MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
    /* 70 */ MB, MB, MB, MB, MR, MR, MR, NO, MR, MR, UD, UD, MR, MR, MR, MR,
    /* 80 */ JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ,
    /* 90 */ MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
    /* A0 */ NO, NO, NO, MR, MB, MR, UD, UD, NO, NO, NO, MR, MB, MR, MR, MR,
    /* B0 */ MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MB, MR, MR, MR, MR, MR,
    /* C0 */ MR, MR, MB, MR, MB, MB, MB, MR, NO, NO, NO, NO, NO, NO, NO, NO,
    /* D0 */ MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
    /* E0 */ MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
    /* F0 */ MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
};
