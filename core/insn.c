/* insn.c - x86 instruction length decoder (SDM vol. 2A chapter 2, opcode maps in appendix A). */
#include "insn.h"

#include "core/hw/string.h"

/* REX is 0100WRXB (SDM vol. 2A, 2.2.1). */
#define REX_W 0x08

/* The bytes seen so far; reads after the first error (see need()) return 0, moving nothing. */
struct cursor {
	const uint8_t *buf;
	size_t avail; /* already clamped to INSN_MAX_LEN */
	size_t pos;
	int err; /* 0 or the first INSN_ERR_* */
};

/* Can @n more bytes be read? Past 15 bytes is too long even if the buffer ends first. */
static bool need(struct cursor *c, size_t n)
{
	if (!c->err && c->pos + n > INSN_MAX_LEN)
		c->err = INSN_ERR_TOO_LONG;
	else if (!c->err && c->pos + n > c->avail)
		c->err = INSN_ERR_TRUNCATED;
	return !c->err;
}

/* Read @n (<= 8) bytes as a little-endian unsigned value. */
static uint64_t fetch(struct cursor *c, size_t n)
{
	uint64_t val = 0;
	if (!need(c, n))
		return 0;
	for (size_t k = 0; k < n; k++)
		val |= (uint64_t)c->buf[c->pos + k] << (8 * k);
	c->pos += n;
	return val;
}

static int64_t sign_extend(uint64_t v, size_t bytes)
{
	unsigned shift = 64 - 8 * (unsigned)bytes;
	return bytes ? (int64_t)(v << shift) >> shift : 0;
}

/* ModRM, SIB and displacement (SDM vol. 2A, 2.1.5, tables 2-1 to 2-3; RIP-relative 2.2.1.6).
 * @force_reg: MOV to/from CR/DR ignore mod, always the register form (SDM vol. 2A, MOV). */
static void decode_modrm(struct cursor *c, unsigned asize, bool force_reg, struct insn *out)
{
	unsigned mod, rm;
	size_t dlen = 0;

	out->has_modrm = true;
	out->modrm = (uint8_t)fetch(c, 1);
	mod = out->modrm >> 6;
	rm = out->modrm & 7;
	if (force_reg || mod == 3)
		return;
	if (asize == 16) {
		/* Table 2-1: no SIB; [disp16] replaces [bp] when mod == 00. */
		if (mod == 1)
			dlen = 1;
		else if (mod == 2 || rm == 6)
			dlen = 2;
	} else {
		if (rm == 4) {
			out->sib = (uint8_t)fetch(c, 1);
			/* Table 2-3: base 101 with mod 00 means disp32, no base. */
			if (mod == 0 && (out->sib & 7) == 5)
				dlen = 4;
		}
		/* mod 00 rm 101: disp32 (32-bit), RIP/EIP + disp32 (64-bit mode). */
		if (mod == 0 && rm == 5)
			dlen = 4;
		else if (mod == 1)
			dlen = 1;
		else if (mod == 2)
			dlen = 4;
	}
	out->disp = sign_extend(fetch(c, dlen), dlen);
}

/* Legacy prefixes (SDM vol. 2A, 2.1.1) and REX (2.2.1). Leaves @c at the opcode. */
static void decode_prefixes(struct cursor *c, enum insn_mode mode, struct insn *out)
{
	while (need(c, 1)) {
		uint8_t b = c->buf[c->pos];

		if (b == 0x66) {
			out->opsize = true;
		} else if (b == 0x67) {
			out->addrsize = true;
		} else if (b == 0xf0) {
			out->lock = true;
		} else if (b == 0xf2 || b == 0xf3) {
			out->repne = b == 0xf2;
			out->rep = b == 0xf3;
		} else if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 ||
			   b == 0x65) {
			out->seg = b;
		} else if (mode == INSN_MODE_64 && (b & 0xf0) == 0x40) {
			/* REX counts only right before the opcode; a later one replaces it. */
			out->rex = b;
			c->pos++;
			continue;
		} else {
			return;
		}
		out->rex = 0; /* REX followed by a legacy prefix is ignored (2.2.1) */
		c->pos++;
	}
}

/* VEX C4/C5 (SDM vol. 2A, 2.3.5-2.3.6). @c is just past the C4/C5 byte. */
static int decode_vex(struct cursor *c, enum insn_mode mode, uint8_t first, unsigned asize,
		      struct insn *out)
{
	uint64_t v1, v2 = 0;
	uint8_t rxb, op;

	if (out->opsize || out->rep || out->repne || out->lock || out->rex)
		return INSN_ERR_INVALID; /* 66, F2, F3, LOCK or REX before VEX: #UD (2.3.2) */
	v1 = fetch(c, 1);
	if (first == 0xc4) {
		v2 = fetch(c, 1);
		out->map = v1 & 0x1f; /* m-mmmm: 1 = 0F, 2 = 0F38, 3 = 0F3A, others reserved */
		if (!c->err && (out->map < INSN_MAP_0F || out->map > INSN_MAP_0F3A))
			return INSN_ERR_INVALID;
		rxb = (~v1 >> 5) & 7;
		out->vex = 3;
	} else {
		out->map = INSN_MAP_0F;
		rxb = (~v1 >> 5) & 4; /* only R */
		out->vex = 2;
	}
	if (mode == INSN_MODE_64)
		out->rex = 0x40 | ((v2 & 0x80) ? REX_W : 0) | rxb;
	op = out->opcode = (uint8_t)fetch(c, 1);
	/* Every VEX instruction has a ModRM except VZEROUPPER/VZEROALL (VEX.0F 77). */
	if (!(out->map == INSN_MAP_0F && op == 0x77))
		decode_modrm(c, asize, false, out);
	/* Ib: all of 0F3A, and 0F 70-73, C2, C4-C6 (table A-3). */
	if (out->map == INSN_MAP_0F3A ||
	    (out->map == INSN_MAP_0F &&
	     ((op >= 0x70 && op <= 0x73) || op == 0xc2 || (op >= 0xc4 && op <= 0xc6))))
		out->imm = fetch(c, 1);
	return c->err;
}

/* Undefined ModRM.reg values in the one-byte map's groups (SDM vol. 2A, table A-6). */
static bool group_invalid(uint8_t op, const struct insn *out)
{
	unsigned mod = out->modrm >> 6, reg = insn_modrm_reg(out);

	switch (op) {
	case 0x8c: /* MOV Ev, Sreg */
		return reg > 5;
	case 0x8e: /* MOV Sreg, Ew: no CS */
		return reg == 1 || reg > 5;
	case 0x8d: /* LEA needs memory */
		return mod == 3;
	case 0x8f: /* group 1A: only POP; other reg values are AMD XOP */
		return reg != 0;
	case 0xc6: /* group 11: MOV, and XABORT (C6 F8) / XBEGIN (C7 F8) */
	case 0xc7:
		return reg != 0 && out->modrm != 0xf8;
	case 0xfe: /* group 4: INC, DEC */
		return reg > 1;
	case 0xff: /* group 5: far CALL/JMP need memory */
		return reg == 7 || ((reg == 3 || reg == 5) && mod == 3);
	default:
		return false;
	}
}

/* Bytes of an immediate of @kind. Jz is rel32 in 64-bit mode even after 66, as on Intel (SDM
 * vol. 2A, JMP); AMD would take rel16. */
static size_t imm_len(unsigned kind, enum insn_mode mode, unsigned osize, unsigned asize)
{
	const size_t z = osize == 16 ? 2 : 4;
	const size_t len[] = {[INSN_IMM_B] = 1,
			      [INSN_IMM_W] = 2,
			      [INSN_IMM_Z] = z,
			      [INSN_IMM_V] = osize / 8,
			      [INSN_IMM_WB] = 3,
			      [INSN_IMM_AP] = z + 2,
			      [INSN_IMM_MOFFS] = asize / 8,
			      [INSN_IMM_JZ] = mode == INSN_MODE_64 ? 4 : z,
			      [INSN_IMM_BB] = 2};

	return kind < NELEMS(len) ? len[kind] : 0;
}

int insn_decode(const uint8_t *buf, size_t avail, enum insn_mode mode, struct insn *out)
{
	struct cursor c = {buf, avail < INSN_MAX_LEN ? avail : INSN_MAX_LEN, 0, 0};
	unsigned osize, asize, attr, kind;
	uint8_t op;

	*out = (struct insn){0};
	decode_prefixes(&c, mode, out);
	out->nprefix = (uint8_t)c.pos;

	/* Operand and address size (SDM vol. 1, 3.6 and table 3-4; vol. 2A, 2.2.1.2). */
	if (mode == INSN_MODE_64) {
		osize = (out->rex & REX_W) ? 64 : out->opsize ? 16 : 32;
		asize = out->addrsize ? 32 : 64;
	} else {
		bool big = mode == INSN_MODE_32;

		osize = big != out->opsize ? 32 : 16;
		asize = big != out->addrsize ? 32 : 16;
	}

	op = (uint8_t)fetch(&c, 1);
	if (op == 0x0f) {
		out->map = INSN_MAP_0F;
		op = (uint8_t)fetch(&c, 1);
		if (op == 0x38 || op == 0x3a) {
			out->map = op == 0x38 ? INSN_MAP_0F38 : INSN_MAP_0F3A;
			op = (uint8_t)fetch(&c, 1);
		}
	} else if (op == 0xc4 || op == 0xc5 || op == 0x62) {
		/* LES/LDS/BOUND outside 64-bit mode unless the next byte has mod == 11 (2.3.5);
		 * else VEX, or EVEX, which is not supported. */
		bool escape = mode == INSN_MODE_64 || (need(&c, 1) && (buf[c.pos] >> 6) == 3);

		if (escape && op == 0x62)
			return INSN_ERR_INVALID;
		if (escape) {
			int err = decode_vex(&c, mode, op, asize, out);

			out->len = (uint8_t)c.pos;
			return err;
		}
	}
	if (c.err)
		return c.err;
	out->opcode = op;

	if (out->map == INSN_MAP_1BYTE)
		attr = insn_map_1byte[op];
	else if (out->map == INSN_MAP_0F)
		attr = insn_map_0f[op];
	else if (out->map == INSN_MAP_0F38)
		attr = INSN_A_MODRM; /* table A-4: ModRM, no immediate */
	else
		attr = INSN_A_MODRM | INSN_IMM_B; /* table A-5: ModRM and Ib */
	if ((attr & INSN_A_INVALID) || ((attr & INSN_A_INVALID64) && mode == INSN_MODE_64))
		return INSN_ERR_INVALID;
	kind = attr & INSN_A_IMM;

	if (attr & INSN_A_MODRM) {
		bool cr_dr = out->map == INSN_MAP_0F && op >= 0x20 && op <= 0x23;

		decode_modrm(&c, asize, cr_dr, out);
		if (c.err)
			return c.err;
		if (out->map == INSN_MAP_1BYTE && group_invalid(op, out))
			return INSN_ERR_INVALID;
		/* Group 3 (F6/F7): only TEST (/0, and its alias /1) has an immediate. */
		if (out->map == INSN_MAP_1BYTE && (op == 0xf6 || op == 0xf7) &&
		    insn_modrm_reg(out) > 1)
			kind = INSN_IMM_NONE;
	}
	/* 66/F2 0F 78 are AMD SSE4a EXTRQ/INSERTQ with two Ib, not VMREAD. */
	if (out->map == INSN_MAP_0F && op == 0x78 && (out->opsize || out->repne) && !out->rep)
		kind = INSN_IMM_BB;

	out->imm = fetch(&c, imm_len(kind, mode, osize, asize));
	out->len = (uint8_t)c.pos;
	return c.err;
}

bool insn_is(const struct insn *i, uint8_t map, uint8_t opcode)
{
	return i->map == map && i->opcode == opcode;
}
