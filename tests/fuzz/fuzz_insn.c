/* fuzz_insn.c - libFuzzer target: any bytes through the instruction-length decoder, any mode. */
#include <sanitizer/asan_interface.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/insn.h"
#include "fuzz_util.h"

/* First input byte: the mode (modulo 3); the rest are the instruction bytes, all available. */
#define MODES 3

static bool legal_seg(uint8_t seg)
{
	static const uint8_t segs[] = {0, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65};

	for (size_t i = 0; i < sizeof(segs); i++)
		if (seg == segs[i])
			return true;
	return false;
}

/* Every field (a struct compare would see the padding). */
static bool same(const struct insn *a, const struct insn *b)
{
	return a->len == b->len && a->nprefix == b->nprefix && a->opsize == b->opsize &&
	       a->addrsize == b->addrsize && a->lock == b->lock && a->rep == b->rep &&
	       a->repne == b->repne && a->seg == b->seg && a->rex == b->rex && a->map == b->map &&
	       a->opcode == b->opcode && a->has_modrm == b->has_modrm && a->modrm == b->modrm &&
	       a->sib == b->sib && a->disp == b->disp && a->imm == b->imm && a->vex == b->vex;
}

/* What a successful decode of @n available bytes promises about @in. */
static void check_fields(const struct insn *in, size_t n, enum insn_mode mode)
{
	CHECK(in->len >= 1 && in->len <= INSN_MAX_LEN && in->len <= n);
	CHECK(in->nprefix < in->len);
	CHECK(in->map <= INSN_MAP_0F3A);
	CHECK(in->vex == 0 || in->vex == 2 || in->vex == 3);
	CHECK(!in->vex || in->map != INSN_MAP_1BYTE);
	CHECK(!in->rex || mode == INSN_MODE_64);
	CHECK(!(in->rep && in->repne));
	CHECK(legal_seg(in->seg));
	CHECK(in->has_modrm || (!in->modrm && !in->sib && !in->disp));
}

/* The instruction alone, in a buffer of exactly its length: the same decode; any shorter
 * prefix of it is truncated (what a fetch cut by a page boundary sees). */
static void check_alone(const uint8_t *bytes, const struct insn *in, enum insn_mode mode)
{
	uint8_t *buf = fuzz_dup(bytes, in->len);
	struct insn again;

	CHECK(insn_decode(buf, in->len, mode, &again) == 0 && same(in, &again));
	for (size_t k = 0; k < in->len; k++)
		CHECK(insn_decode(buf, k, mode, &again) == INSN_ERR_TRUNCATED);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum insn_mode mode;
	struct insn in;
	uint8_t *buf;
	size_t n;
	int rc;

	if (size < 1)
		return 0;
	mode = (enum insn_mode)(data[0] % MODES);
	n = size - 1;
	buf = fuzz_dup(data + 1, n);
	/* Never more than INSN_MAX_LEN bytes are read, however many are available. */
	if (n > INSN_MAX_LEN)
		ASAN_POISON_MEMORY_REGION(buf + INSN_MAX_LEN, n - INSN_MAX_LEN);
	rc = insn_decode(buf, n, mode, &in);
	ASAN_UNPOISON_MEMORY_REGION(buf, n);

	CHECK(rc == 0 || rc == INSN_ERR_TRUNCATED || rc == INSN_ERR_TOO_LONG ||
	      rc == INSN_ERR_INVALID);
	/* With INSN_MAX_LEN bytes available an instruction either fits or is too long. */
	CHECK(rc != INSN_ERR_TRUNCATED || n < INSN_MAX_LEN);
	if (rc == 0) {
		check_fields(&in, n, mode);
		check_alone(buf, &in, mode);
	}
	free(buf);
	return 0;
}
