/* test_insn.c - cmocka tests for the x86 instruction length decoder in core/insn.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/insn.h"

#define M16	   INSN_MODE_16
#define M32	   INSN_MODE_32
#define M64	   INSN_MODE_64
#define NELEMS(a)  (sizeof(a) / sizeof((a)[0]))
#define BYTES(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
/* Decode exactly these bytes, which must form one whole instruction. */
#define OK(mode, ...) decode_whole(mode, BYTES(__VA_ARGS__))
/* Decode these bytes (all of them available) and return the error code. */
#define ERR(mode, ...) decode_err(mode, BYTES(__VA_ARGS__))

/*
 * Decode @n bytes copied into a buffer of exactly @n (so ASan catches any read past
 * @avail), require success and len == @n, and require every shorter @avail to be reported
 * as truncated, as when a page boundary cuts the fetch.
 */
static struct insn decode_whole(enum insn_mode mode, const uint8_t *bytes, size_t n)
{
	uint8_t *buf = malloc(n);
	struct insn in, tmp;

	assert_non_null(buf);
	memcpy(buf, bytes, n);
	for (size_t k = 0; k < n; k++)
		assert_int_equal(insn_decode(buf, k, mode, &tmp), INSN_ERR_TRUNCATED);
	assert_int_equal(insn_decode(buf, n, mode, &in), 0);
	assert_int_equal(in.len, n);
	free(buf);
	return in;
}

/* insn_is() on a decoded value. */
static bool is(struct insn in, uint8_t map, uint8_t opcode)
{
	return insn_is(&in, map, opcode);
}

static int decode_err(enum insn_mode mode, const uint8_t *bytes, size_t n)
{
	uint8_t *buf = malloc(n);
	struct insn in;
	int r;

	assert_non_null(buf);
	memcpy(buf, bytes, n);
	r = insn_decode(buf, n, mode, &in);
	free(buf);
	return r;
}

struct known {
	enum insn_mode mode;
	uint8_t len;
	uint8_t bytes[INSN_MAX_LEN];
	const char *text;
};

#define T(m, txt, ...)                                                                             \
	{                                                                                          \
		m, sizeof((const uint8_t[]){__VA_ARGS__}), {__VA_ARGS__}, txt                      \
	}

/* Lengths as produced by GNU as 2.40 (as --64 / --32, .code16) and objdump -d. */
static const struct known known[] = {
    T(M64, "push %rbp", 0x55),
    T(M64, "mov %rsp,%rbp", 0x48, 0x89, 0xe5),
    T(M64, "xor %eax,%eax", 0x31, 0xc0),
    T(M64, "call *%rax", 0xff, 0xd0),
    T(M64, "leave", 0xc9),
    T(M64, "ret", 0xc3),
    T(M64, "nop", 0x90),
    T(M64, "syscall", 0x0f, 0x05),
    T(M64, "sub $0x1000,%rsp", 0x48, 0x81, 0xec, 0x00, 0x10, 0x00, 0x00),
    T(M64, "mov (%rax,%rbx,8),%rcx", 0x48, 0x8b, 0x0c, 0xd8),
    T(M64, "mov 0x100(%rip),%rax", 0x48, 0x8b, 0x05, 0x00, 0x01, 0x00, 0x00),
    T(M64, "lea 0x100(%rip),%rsi", 0x48, 0x8d, 0x35, 0x00, 0x01, 0x00, 0x00),
    T(M64, "movabs $0x123456789abcdef0,%rax", 0x48, 0xb8, 0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34,
      0x12),
    T(M64, "mov $0xffffffffffffffff,%rax", 0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff),
    T(M64, "mov $0x1,%r8d", 0x41, 0xb8, 0x01, 0x00, 0x00, 0x00),
    T(M64, "movq $0x12,0x8(%rsp)", 0x48, 0xc7, 0x44, 0x24, 0x08, 0x12, 0x00, 0x00, 0x00),
    T(M64, "movl $0x12,0x0(%r13)", 0x41, 0xc7, 0x45, 0x00, 0x12, 0x00, 0x00, 0x00),
    T(M64, "movw $0x1234,(%rax)", 0x66, 0xc7, 0x00, 0x34, 0x12),
    T(M64, "movb $0x1,(%rax)", 0xc6, 0x00, 0x01),
    T(M64, "xor %r15,%r15", 0x4d, 0x31, 0xff),
    T(M64, "add $0x1000,%rax", 0x48, 0x05, 0x00, 0x10, 0x00, 0x00),
    T(M64, "add $0x1000,%eax", 0x05, 0x00, 0x10, 0x00, 0x00),
    T(M64, "cmp $0x1234,%ax", 0x66, 0x3d, 0x34, 0x12),
    T(M64, "testl $0x100,(%rdi)", 0xf7, 0x07, 0x00, 0x01, 0x00, 0x00),
    T(M64, "testb $0x1,0x10(%rdi)", 0xf6, 0x47, 0x10, 0x01),
    T(M64, "imul $0x1000,%rax,%rax", 0x48, 0x69, 0xc0, 0x00, 0x10, 0x00, 0x00),
    T(M64, "call *0x10(%rax)", 0xff, 0x50, 0x10),
    T(M64, "ret $0x8", 0xc2, 0x08, 0x00),
    T(M64, "nopw (%rax,%rax,1)", 0x66, 0x0f, 0x1f, 0x04, 0x00),
    T(M64, "movslq %edi,%rax", 0x48, 0x63, 0xc7),
    T(M64, "bt $0x3,%eax", 0x0f, 0xba, 0xe0, 0x03),
    T(M64, "lock cmpxchg %rcx,(%rdx)", 0xf0, 0x48, 0x0f, 0xb1, 0x0a),
    T(M64, "rep movsb %ds:(%rsi),%es:(%rdi)", 0xf3, 0xa4),
    T(M64, "rep stos %rax,%es:(%rdi)", 0xf3, 0x48, 0xab),
    T(M64, "repnz scas %es:(%rdi),%al", 0xf2, 0xae),
    T(M64, "movdqu (%rax),%xmm1", 0xf3, 0x0f, 0x6f, 0x08),
    T(M64, "pshufd $0x1b,%xmm0,%xmm1", 0x66, 0x0f, 0x70, 0xc8, 0x1b),
    T(M64, "pinsrd $0x1,%eax,%xmm0", 0x66, 0x0f, 0x3a, 0x22, 0xc0, 0x01),
    T(M64, "pshufb %xmm1,%xmm0", 0x66, 0x0f, 0x38, 0x00, 0xc1),
    T(M64, "crc32 %al,%eax", 0xf2, 0x0f, 0x38, 0xf0, 0xc0),
    T(M64, "movbe (%rax),%eax", 0x0f, 0x38, 0xf0, 0x00),
    T(M64, "vpbroadcastd %xmm0,%ymm1", 0xc4, 0xe2, 0x7d, 0x58, 0xc8),
    T(M64, "vpermq $0x4e,%ymm0,%ymm1", 0xc4, 0xe3, 0xfd, 0x00, 0xc8, 0x4e),
    T(M64, "vmovdqu 0x20(%r9),%ymm8", 0xc4, 0x41, 0x7e, 0x6f, 0x41, 0x20),
    T(M64, "andn %rax,%rbx,%rcx", 0xc4, 0xe2, 0xe0, 0xf2, 0xc8),
    T(M64, "rorx $0x3,%rax,%rbx", 0xc4, 0xe3, 0xfb, 0xf0, 0xd8, 0x03),
    T(M64, "endbr64", 0xf3, 0x0f, 0x1e, 0xfa),
    T(M64, "lidt 0x10(%rax)", 0x0f, 0x01, 0x58, 0x10),
    T(M64, "sysretq", 0x48, 0x0f, 0x07),
    T(M64, "mov %fs:0x28,%rax", 0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00),
    T(M64, "movabs 0x1122334455667788,%al", 0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
    T(M32, "mov 0x12345678,%eax", 0xa1, 0x78, 0x56, 0x34, 0x12),
    T(M32, "mov 0x1000(,%eax,2),%edx", 0x8b, 0x14, 0x45, 0x00, 0x10, 0x00, 0x00),
    T(M32, "lea 0x4(%esp),%ecx", 0x8d, 0x4c, 0x24, 0x04),
    T(M32, "push $0x12345678", 0x68, 0x78, 0x56, 0x34, 0x12),
    T(M32, "call rel", 0xe8, 0x00, 0x00, 0x00, 0x00),
    T(M32, "jmp rel", 0xe9, 0xfb, 0x00, 0x00, 0x00),
    T(M32, "jmp rel", 0xeb, 0x00),
    T(M32, "je rel", 0x0f, 0x84, 0xfa, 0x00, 0x00, 0x00),
    T(M32, "ljmp $0x8,$0x100000", 0xea, 0x00, 0x00, 0x10, 0x00, 0x08, 0x00),
    T(M32, "lcall $0x10,$0x1000", 0x9a, 0x00, 0x10, 0x00, 0x00, 0x10, 0x00),
    T(M32, "ljmpw $0x8,$0x1000", 0x66, 0xea, 0x00, 0x10, 0x08, 0x00),
    T(M32, "enter $0x10,$0x0", 0xc8, 0x10, 0x00, 0x00),
    T(M32, "fldl 0x8(%esp)", 0xdd, 0x44, 0x24, 0x08),
    T(M32, "mov 0x10(%bx,%si),%ax", 0x67, 0x66, 0x8b, 0x40, 0x10),
    T(M32, "vmovdqu (%eax),%ymm0", 0xc5, 0xfe, 0x6f, 0x00),
    T(M16, "mov $0x12345678,%eax", 0x66, 0xb8, 0x78, 0x56, 0x34, 0x12),
    T(M16, "mov 0x12(%bp,%di),%ax", 0x8b, 0x43, 0x12),
    T(M16, "mov 0x1234(%bx),%ax", 0x8b, 0x87, 0x34, 0x12),
    T(M16, "mov 0x0(%bp),%ax", 0x8b, 0x46, 0x00),
    T(M16, "mov 0x1234,%al", 0xa0, 0x34, 0x12),
    T(M16, "mov (%eax),%eax", 0x67, 0x66, 0x8b, 0x00),
    T(M16, "mov 0x12345678(%eax,%ebx,4),%eax", 0x67, 0x66, 0x8b, 0x84, 0x98, 0x78, 0x56, 0x34,
      0x12),
    T(M16, "ljmp $0xf000,$0xfff0", 0xea, 0xf0, 0xff, 0x00, 0xf0),
    T(M16, "ljmpl $0x8,$0x100000", 0x66, 0xea, 0x00, 0x00, 0x10, 0x00, 0x08, 0x00),
    T(M16, "lcall $0x1000,$0x10", 0x9a, 0x10, 0x00, 0x00, 0x10),
    T(M16, "call rel", 0xe8, 0x00, 0x00),
    T(M16, "jmp rel", 0xe9, 0xfd, 0x0f),
    T(M16, "je rel", 0x0f, 0x84, 0xfc, 0x00),
    T(M16, "pushl $0x12345678", 0x66, 0x68, 0x78, 0x56, 0x34, 0x12),
    T(M16, "lgdtl (%si)", 0x66, 0x0f, 0x01, 0x14),
};

static void test_known_lengths(void **state)
{
	(void)state;
	for (size_t k = 0; k < NELEMS(known); k++) {
		uint8_t padded[32];
		struct insn in;

		memset(padded, 0xcc, sizeof(padded));
		memcpy(padded, known[k].bytes, known[k].len);
		if (insn_decode(padded, sizeof(padded), known[k].mode, &in) ||
		    in.len != known[k].len)
			print_error("failing: %s\n", known[k].text);
		decode_whole(known[k].mode, known[k].bytes, known[k].len);
		/* Trailing bytes (INT3s above, ModRM-looking junk here) must not matter. */
		memset(padded, 0x84, sizeof(padded));
		memcpy(padded, known[k].bytes, known[k].len);
		assert_int_equal(insn_decode(padded, sizeof(padded), known[k].mode, &in), 0);
		assert_int_equal(in.len, known[k].len);
	}
}

static void test_cpuid_msr_cache(void **state)
{
	struct insn in;

	(void)state;
	for (int m = M16; m <= M64; m++) {
		in = OK(m, 0x0f, 0xa2);
		assert_true(insn_is(&in, INSN_MAP_0F, 0xa2));
		assert_false(in.has_modrm);
		assert_int_equal(in.nprefix, 0);
		in = OK(m, 0x0f, 0x32);
		assert_true(insn_is(&in, INSN_MAP_0F, 0x32));
		in = OK(m, 0x0f, 0x30);
		assert_true(insn_is(&in, INSN_MAP_0F, 0x30));
		assert_true(is(OK(m, 0x0f, 0x08), INSN_MAP_0F, 0x08)); /* INVD */
		assert_true(is(OK(m, 0x0f, 0x09), INSN_MAP_0F, 0x09)); /* WBINVD */
	}
	in = OK(M64, 0x66, 0x0f, 0xa2); /* meaningless prefix: still CPUID */
	assert_true(in.opsize);
	assert_int_equal(in.nprefix, 1);
	assert_true(insn_is(&in, INSN_MAP_0F, 0xa2));
	assert_false(insn_is(&in, INSN_MAP_1BYTE, 0xa2));
}

static void test_port_io(void **state)
{
	struct insn in;

	(void)state;
	for (uint8_t op = 0xe4; op <= 0xe7; op++) {
		in = OK(M64, op, 0x71);
		assert_true(insn_is(&in, INSN_MAP_1BYTE, op));
		assert_int_equal(in.imm, 0x71);
		in = OK(M32, 0x66, op, 0x70); /* 16-bit data, port is still Ib */
		assert_true(in.opsize);
	}
	for (uint8_t op = 0xec; op <= 0xef; op++) {
		assert_int_equal(OK(M16, op).len, 1);
		assert_true(OK(M64, 0x66, op).opsize);
	}
	for (uint8_t op = 0x6c; op <= 0x6f; op++) {
		in = OK(M64, 0xf3, op);
		assert_true(in.rep);
		assert_false(in.repne);
		assert_true(insn_is(&in, INSN_MAP_1BYTE, op));
		in = OK(M32, 0x66, 0xf3, op);
		assert_true(in.rep && in.opsize);
		in = OK(M64, 0xf3, 0x67, op); /* ECX/ESI/EDI */
		assert_true(in.rep && in.addrsize);
		in = OK(M16, 0x26, op);
		assert_int_equal(in.seg, 0x26);
		assert_false(in.rep);
	}
}

static void test_interrupts_and_flags(void **state)
{
	struct insn in;

	(void)state;
	for (int m = M16; m <= M64; m++) {
		assert_true(is(OK(m, 0xf4), INSN_MAP_1BYTE, 0xf4)); /* HLT */
		assert_true(is(OK(m, 0xcc), INSN_MAP_1BYTE, 0xcc)); /* INT3 */
		assert_true(is(OK(m, 0xf1), INSN_MAP_1BYTE, 0xf1)); /* ICEBP */
		assert_true(is(OK(m, 0xfb), INSN_MAP_1BYTE, 0xfb)); /* STI */
		assert_true(is(OK(m, 0x9d), INSN_MAP_1BYTE, 0x9d)); /* POPF */
		assert_true(is(OK(m, 0xcf), INSN_MAP_1BYTE, 0xcf)); /* IRET */
		in = OK(m, 0xcd, 0x21);
		assert_true(insn_is(&in, INSN_MAP_1BYTE, 0xcd));
		assert_int_equal(in.imm, 0x21);
	}
	assert_int_equal(OK(M32, 0xce).len, 1); /* INTO */
	assert_int_equal(ERR(M64, 0xce), INSN_ERR_INVALID);
	assert_true(OK(M64, 0x66, 0x9d).opsize);	 /* POPFW */
	assert_int_equal(OK(M64, 0x48, 0xcf).rex, 0x48); /* IRETQ */
	assert_true(OK(M16, 0x66, 0xcf).opsize);	 /* IRETD */
}

static void test_mov_cr_dr_register_form(void **state)
{
	/* mod is ignored: these would otherwise pull in a SIB and/or displacement. */
	static const uint8_t modrms[] = {0x00, 0x04, 0x05, 0x06, 0x44, 0x84, 0x85, 0xc0, 0xf8};

	(void)state;
	for (int m = M16; m <= M64; m++) {
		for (uint8_t op = 0x20; op <= 0x23; op++) {
			for (size_t k = 0; k < NELEMS(modrms); k++) {
				struct insn in = OK(m, 0x0f, op, modrms[k]);

				assert_true(insn_is(&in, INSN_MAP_0F, op));
				assert_true(in.has_modrm);
				assert_int_equal(in.modrm, modrms[k]);
				assert_int_equal(in.sib, 0);
				assert_int_equal(in.disp, 0);
			}
		}
	}
	assert_int_equal(OK(M64, 0x44, 0x0f, 0x20, 0xc0).rex, 0x44); /* mov %cr8,%rax */
	assert_true(OK(M32, 0xf0, 0x0f, 0x22, 0xc0).lock);	     /* AMD alias of CR8 */
}

static void test_0f01_system(void **state)
{
	/* VMRUN..INVLPGA, VMCALL, VMLAUNCH, VMRESUME, VMXOFF, XSETBV, VMFUNC. */
	static const uint8_t modrms[] = {0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde,
					 0xdf, 0xc1, 0xc2, 0xc3, 0xc4, 0xd1, 0xd4};

	(void)state;
	for (int m = M16; m <= M64; m++) {
		for (size_t k = 0; k < NELEMS(modrms); k++) {
			struct insn in = OK(m, 0x0f, 0x01, modrms[k]);

			assert_true(insn_is(&in, INSN_MAP_0F, 0x01));
			assert_int_equal(in.modrm, modrms[k]);
		}
	}
	assert_int_equal(OK(M64, 0x0f, 0x01, 0x38).modrm, 0x38);	      /* invlpg (%rax) */
	assert_int_equal(OK(M16, 0x0f, 0x01, 0x3e, 0x34, 0x12).disp, 0x1234); /* invlpg [0x1234] */
}

static void test_vmx_operands(void **state)
{
	struct insn in;

	(void)state;
	in = OK(M64, 0x0f, 0xc7, 0x70, 0x08); /* vmptrld 0x8(%rax) */
	assert_true(insn_is(&in, INSN_MAP_0F, 0xc7));
	assert_int_equal(insn_modrm_reg(&in), 6);
	assert_int_equal(in.disp, 8);
	in = OK(M64, 0x66, 0x0f, 0xc7, 0x34, 0x24); /* vmclear (%rsp) */
	assert_true(in.opsize);
	assert_int_equal(in.sib, 0x24);
	in = OK(M64, 0xf3, 0x0f, 0xc7, 0x75, 0xf8); /* vmxon -0x8(%rbp) */
	assert_true(in.rep);
	assert_int_equal(in.disp, -8);
	in = OK(M64, 0xf3, 0x0f, 0xc7, 0x35, 0x00, 0x01, 0x00, 0x00); /* vmxon 0x100(%rip) */
	assert_int_equal(in.disp, 0x100);
	in = OK(M64, 0x0f, 0xc7, 0x38); /* vmptrst (%rax) */
	assert_int_equal(insn_modrm_reg(&in), 7);
	assert_int_equal(OK(M32, 0x0f, 0xc7, 0x05, 1, 2, 3, 4).disp, 0x04030201);

	assert_true(is(OK(M64, 0x0f, 0x78, 0xc1), INSN_MAP_0F, 0x78));	    /* vmread */
	in = OK(M64, 0x47, 0x0f, 0x79, 0xb4, 0xec, 0x78, 0x56, 0x34, 0x12); /* vmwrite */
	assert_true(insn_is(&in, INSN_MAP_0F, 0x79));
	assert_int_equal(in.rex, 0x47);
	assert_int_equal(in.disp, 0x12345678);
	/* AMD SSE4a EXTRQ/INSERTQ share 0F 78 and carry two immediates. */
	assert_int_equal(OK(M64, 0x66, 0x0f, 0x78, 0xc1, 0x04, 0x08).imm, 0x0804);
	assert_int_equal(OK(M64, 0xf2, 0x0f, 0x78, 0xc1, 0x04, 0x08).len, 6);

	in = OK(M64, 0x66, 0x0f, 0x38, 0x80, 0x08); /* invept (%rax),%rcx */
	assert_true(insn_is(&in, INSN_MAP_0F38, 0x80));
	in = OK(M64, 0x66, 0x0f, 0x38, 0x81, 0x54, 0x24, 0x10); /* invvpid 0x10(%rsp),%rdx */
	assert_true(insn_is(&in, INSN_MAP_0F38, 0x81));
	assert_int_equal(OK(M64, 0x66, 0x0f, 0x38, 0x80, 0x05, 0, 0x10, 0, 0).disp, 0x1000);
}

static void test_segment_loads(void **state)
{
	(void)state;
	assert_true(is(OK(M64, 0x8e, 0xd0), INSN_MAP_1BYTE, 0x8e));	/* mov %eax,%ss */
	assert_int_equal(OK(M16, 0x8e, 0x16, 0x34, 0x12).disp, 0x1234); /* mov [0x1234],%ss */
	assert_int_equal(ERR(M32, 0x8e, 0xc8), INSN_ERR_INVALID);	/* mov to CS */
	assert_int_equal(ERR(M32, 0x8e, 0xf0), INSN_ERR_INVALID);	/* Sreg 6 */
	assert_true(is(OK(M32, 0x17), INSN_MAP_1BYTE, 0x17));		/* pop %ss */
	assert_true(is(OK(M16, 0x17), INSN_MAP_1BYTE, 0x17));
	assert_int_equal(ERR(M64, 0x17), INSN_ERR_INVALID);
}

static void test_prefixes(void **state)
{
	struct insn in;

	(void)state;
	in = OK(M32, 0x66, 0x66, 0x66, 0x90);
	assert_true(in.opsize);
	assert_int_equal(in.nprefix, 3);
	in = OK(M64, 0x2e, 0x3e, 0x26, 0x64, 0x65, 0x36, 0x8b, 0x00);
	assert_int_equal(in.seg, 0x36); /* the last one wins */
	assert_int_equal(in.nprefix, 6);
	assert_true(OK(M32, 0xf2, 0xf3, 0xa4).rep);
	in = OK(M32, 0xf3, 0xf2, 0xa4);
	assert_true(in.repne && !in.rep);
	in = OK(M64, 0xf0, 0x67, 0x66, 0x3e, 0xf3, 0x0f, 0xc1, 0x07);
	assert_true(in.lock && in.addrsize && in.opsize && in.rep);
	assert_int_equal(in.seg, 0x3e);
	/* 14 prefixes + 1-byte opcode = 15 bytes: fine; one more is too long. */
	in = OK(M32, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x90);
	assert_int_equal(in.nprefix, 14);
	assert_int_equal(ERR(M32, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
			     0x66, 0x66, 0x66, 0x66, 0x90),
			 INSN_ERR_TOO_LONG);
}

static void test_rex(void **state)
{
	struct insn in;

	(void)state;
	in = OK(M64, 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8); /* movabs: Iv with REX.W */
	assert_int_equal(in.imm, 0x0807060504030201ull);
	assert_int_equal(in.nprefix, 1);
	assert_int_equal(OK(M64, 0x49, 0xbf, 1, 2, 3, 4, 5, 6, 7, 8).rex, 0x49);
	assert_int_equal(OK(M64, 0xb8, 1, 2, 3, 4).imm, 0x04030201);
	assert_int_equal(OK(M64, 0x66, 0xb8, 1, 2).imm, 0x0201);
	/* REX.W beats 66; a REX followed by a legacy prefix is ignored. */
	assert_int_equal(OK(M64, 0x66, 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8).len, 11);
	in = OK(M64, 0x48, 0x66, 0xb8, 1, 2);
	assert_int_equal(in.rex, 0);
	assert_int_equal(in.nprefix, 2);
	in = OK(M64, 0x48, 0x41, 0xb8, 1, 2, 3, 4); /* only the last REX counts */
	assert_int_equal(in.rex, 0x41);
	/* Outside 64-bit mode 40-4F are INC/DEC. */
	in = OK(M32, 0x48);
	assert_true(insn_is(&in, INSN_MAP_1BYTE, 0x48));
	assert_int_equal(in.rex, 0);
	assert_int_equal(OK(M16, 0x40).len, 1);
}

static void test_modrm_16bit(void **state)
{
	struct insn in;

	(void)state;
	in = OK(M16, 0x8b, 0x36, 0x34, 0x12); /* mod 00 rm 110: [disp16] */
	assert_int_equal(in.disp, 0x1234);
	assert_int_equal(OK(M16, 0x8b, 0x46, 0xfe).disp, -2); /* [bp-2] */
	assert_int_equal(OK(M16, 0x8b, 0x80, 0x00, 0x80).disp, -0x8000);
	assert_int_equal(OK(M16, 0x8b, 0x04).sib, 0); /* [si]: no SIB in 16-bit forms */
	assert_int_equal(OK(M32, 0x67, 0x8b, 0x36, 0x34, 0x12).disp, 0x1234);
	in = OK(M16, 0x67, 0x8b, 0x04, 0x25, 1, 2, 3, 4); /* 32-bit form: SIB, no base */
	assert_int_equal(in.sib, 0x25);
	assert_int_equal(in.disp, 0x04030201);
	assert_int_equal(OK(M16, 0x67, 0x8b, 0x05, 1, 2, 3, 4).disp, 0x04030201);
}

static void test_modrm_32_64bit(void **state)
{
	struct insn in;

	(void)state;
	for (int m = M32; m <= M64; m++) {
		in = OK(m, 0x8b, 0x04, 0x25, 0xf8, 0xff, 0xff, 0xff); /* SIB base 101, mod 00 */
		assert_int_equal(in.disp, -8);
		assert_int_equal(OK(m, 0x8b, 0x44, 0x25, 0x10).disp, 0x10); /* base rBP + disp8 */
		assert_int_equal(OK(m, 0x8b, 0x84, 0x25, 0, 0, 0, 0x80).disp, INT32_MIN);
		assert_int_equal(OK(m, 0x8b, 0x05, 0x10, 0, 0, 0).disp,
				 0x10); /* disp32 / RIP-rel */
		assert_int_equal(OK(m, 0x8b, 0x45, 0x80).disp, -0x80);
		assert_int_equal(OK(m, 0x8b, 0x85, 0, 1, 0, 0).disp, 0x100);
		assert_int_equal(OK(m, 0x8b, 0x04, 0x24).sib, 0x24);
		assert_int_equal(OK(m, 0x8b, 0xc4).sib, 0); /* mod 11 rm 100: no SIB */
	}
	in = OK(M64, 0x67, 0x8b, 0x05, 0, 0, 0, 0); /* EIP-relative */
	assert_true(in.addrsize);
	assert_int_equal(OK(M64, 0x41, 0x8b, 0x45, 0x00).len, 4); /* [r13+0] needs disp8 */
	assert_int_equal(OK(M64, 0x41, 0x8b, 0x04, 0x24).len, 4); /* [r12] needs SIB */
}

static void test_immediates(void **state)
{
	struct insn in;

	(void)state;
	assert_int_equal(OK(M32, 0xc8, 0x10, 0x00, 0x02).imm, 0x020010); /* ENTER Iw, Ib */
	assert_int_equal(OK(M16, 0xc8, 0x10, 0x00, 0x02).len, 4);
	in = OK(M32, 0xea, 0x00, 0x00, 0x10, 0x00, 0x08, 0x00);
	assert_int_equal(in.imm, 0x0008ull << 32 | 0x100000);
	assert_int_equal(OK(M16, 0xea, 0xf0, 0xff, 0x00, 0xf0).imm, 0xf000fff0);
	assert_int_equal(ERR(M64, 0xea, 0, 0, 0, 0, 0, 0), INSN_ERR_INVALID);
	assert_int_equal(ERR(M64, 0x9a, 0, 0, 0, 0, 0, 0), INSN_ERR_INVALID);
	/* moffs follow the address size. */
	for (uint8_t op = 0xa0; op <= 0xa3; op++) {
		assert_int_equal(OK(M64, op, 1, 2, 3, 4, 5, 6, 7, 8).imm, 0x0807060504030201ull);
		assert_int_equal(OK(M64, 0x67, op, 1, 2, 3, 4).imm, 0x04030201);
		assert_int_equal(OK(M64, 0x66, op, 1, 2, 3, 4, 5, 6, 7, 8).len, 10);
		assert_int_equal(OK(M32, op, 1, 2, 3, 4).len, 5);
		assert_int_equal(OK(M32, 0x67, op, 1, 2).len, 4);
		assert_int_equal(OK(M16, op, 1, 2).len, 3);
		assert_int_equal(OK(M16, 0x67, op, 1, 2, 3, 4).len, 6);
	}
	/* Group 3: only TEST (/0, /1) has an immediate. */
	assert_int_equal(OK(M64, 0xf6, 0xc0, 0x7f).imm, 0x7f);
	assert_int_equal(OK(M64, 0xf6, 0xc8, 0x7f).imm, 0x7f);
	for (uint8_t reg = 2; reg < 8; reg++) {
		assert_int_equal(OK(M64, 0xf6, 0xc0 | reg << 3).len, 2);
		assert_int_equal(OK(M64, 0xf7, 0x00 | reg << 3).len, 2);
	}
	assert_int_equal(OK(M64, 0xf7, 0xc0, 1, 2, 3, 4).imm, 0x04030201);
	assert_int_equal(OK(M64, 0x48, 0xf7, 0xc0, 1, 2, 3, 4).len, 7); /* Iz, not Iv */
	assert_int_equal(OK(M32, 0x66, 0xf7, 0xc0, 1, 2).len, 5);
	assert_int_equal(OK(M16, 0xf7, 0x06, 0x34, 0x12, 1, 2).disp, 0x1234);
	assert_int_equal(OK(M64, 0xc2, 0x08, 0x00).imm, 8); /* RET Iw */
	assert_int_equal(OK(M64, 0xca, 0x08, 0x00).imm, 8); /* RETF Iw */
	/* Branches: rel8, rel16/32 by operand size; 64-bit mode always rel32 (Intel). */
	for (uint8_t op = 0x70; op <= 0x7f; op++)
		assert_int_equal(OK(M64, op, 0xfe).imm, 0xfe);
	for (uint8_t op = 0xe0; op <= 0xe3; op++)
		assert_int_equal(OK(M32, op, 0x10).len, 2);
	assert_int_equal(OK(M64, 0xeb, 0xfe).len, 2);
	for (uint8_t op = 0x80; op <= 0x8f; op++) {
		assert_true(is(OK(M64, 0x0f, op, 0, 0, 0, 0), INSN_MAP_0F, op));
		assert_int_equal(OK(M64, 0x66, 0x0f, op, 0, 0, 0, 0).len, 7);
		assert_int_equal(OK(M32, 0x66, 0x0f, op, 0, 0).len, 5);
		assert_int_equal(OK(M16, 0x0f, op, 0, 0).len, 4);
		assert_int_equal(OK(M16, 0x66, 0x0f, op, 0, 0, 0, 0).len, 7);
	}
	assert_int_equal(OK(M64, 0x66, 0xe8, 0, 0, 0, 0).len, 6);
	assert_int_equal(OK(M16, 0xe9, 0, 0).len, 3);
	assert_int_equal(OK(M64, 0x66, 0x68, 1, 2).len, 4); /* push Iz */
	assert_int_equal(OK(M64, 0x6a, 0x80).imm, 0x80);
	assert_int_equal(OK(M64, 0x48, 0x69, 0xc0, 1, 2, 3, 4).len, 7);
	assert_int_equal(OK(M64, 0xc7, 0xf8, 0, 0, 0, 0).len, 6); /* xbegin */
	assert_int_equal(OK(M64, 0xc6, 0xf8, 0xff).len, 3);	  /* xabort */
}

static void test_invalid(void **state)
{
	/* Valid outside 64-bit mode only (SDM vol. 2A, table A-2 "i64"). */
	static const uint8_t i64[] = {0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27,
				      0x2f, 0x37, 0x3f, 0x60, 0x61, 0xce, 0xd4, 0xd5};

	(void)state;
	for (size_t k = 0; k < NELEMS(i64); k++) {
		uint8_t buf[2] = {i64[k], 0x0a};
		struct insn in;

		assert_int_equal(insn_decode(buf, 2, M64, &in), INSN_ERR_INVALID);
		assert_int_equal(insn_decode(buf, 2, M32, &in), 0);
		assert_int_equal(in.len, i64[k] == 0xd4 || i64[k] == 0xd5 ? 2 : 1);
	}
	assert_int_equal(ERR(M64, 0x82, 0xc0, 1), INSN_ERR_INVALID);
	assert_int_equal(OK(M32, 0x82, 0xc0, 1).len, 3);
	assert_int_equal(ERR(M32, 0xd6), INSN_ERR_INVALID); /* SALC: undefined */
	assert_int_equal(ERR(M64, 0x0f, 0x04), INSN_ERR_INVALID);
	assert_int_equal(ERR(M64, 0x0f, 0x0a), INSN_ERR_INVALID);
	assert_int_equal(ERR(M32, 0x0f, 0x24, 0xc0), INSN_ERR_INVALID); /* MOV TR: 386/486 */
	assert_int_equal(ERR(M32, 0x0f, 0x39), INSN_ERR_INVALID);
	assert_int_equal(ERR(M32, 0x0f, 0x7a, 0xc0), INSN_ERR_INVALID);
	assert_int_equal(ERR(M64, 0xfe, 0xd0), INSN_ERR_INVALID); /* group 4 /2 */
	assert_int_equal(ERR(M64, 0xff, 0xf8), INSN_ERR_INVALID); /* group 5 /7 */
	assert_int_equal(ERR(M64, 0xff, 0xd8), INSN_ERR_INVALID); /* far call via register */
	assert_int_equal(OK(M64, 0xff, 0x18).len, 2);		  /* far call via memory */
	assert_int_equal(ERR(M64, 0x8d, 0xc0), INSN_ERR_INVALID); /* LEA from a register */
	assert_int_equal(ERR(M64, 0x8f, 0xe8, 0x78, 0xc2, 0xc1, 0), INSN_ERR_INVALID); /* XOP */
	assert_int_equal(OK(M64, 0x8f, 0xc0).len, 2);				       /* pop */
	assert_int_equal(ERR(M64, 0xc6, 0xc8, 0), INSN_ERR_INVALID);
	/* EVEX is not supported; 62 is BOUND outside 64-bit mode when mod != 11. */
	assert_int_equal(ERR(M64, 0x62, 0xf1, 0x7c, 0x48, 0x28, 0xc1), INSN_ERR_INVALID);
	assert_int_equal(ERR(M32, 0x62, 0xf1, 0x7c, 0x48, 0x28, 0xc1), INSN_ERR_INVALID);
	assert_int_equal(OK(M32, 0x62, 0x03).opcode, 0x62);
}

static void test_0f38_0f3a(void **state)
{
	struct insn in;

	(void)state;
	in = OK(M64, 0x66, 0x0f, 0x38, 0x00, 0x44, 0x24, 0x08); /* pshufb 8(%rsp),%xmm0 */
	assert_true(insn_is(&in, INSN_MAP_0F38, 0x00));
	assert_int_equal(in.disp, 8);
	in = OK(M64, 0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x08); /* palignr $8,%xmm1,%xmm0 */
	assert_true(insn_is(&in, INSN_MAP_0F3A, 0x0f));
	assert_int_equal(in.imm, 8);
	assert_int_equal(OK(M16, 0x66, 0x0f, 0x3a, 0x16, 0x06, 0x34, 0x12, 0x01).disp, 0x1234);
	assert_int_equal(OK(M64, 0xf2, 0x48, 0x0f, 0x38, 0xf1, 0xc1).rex, 0x48); /* crc32q */
}

static void test_vex(void **state)
{
	struct insn in;

	(void)state;
	for (int m = M16; m <= M64; m++) {
		in = OK(m, 0xc5, 0xf8, 0x77); /* vzeroupper: no ModRM */
		assert_true(insn_is(&in, INSN_MAP_0F, 0x77));
		assert_int_equal(in.vex, 2);
		assert_false(in.has_modrm);
		in = OK(m, 0xc4, 0xe3, 0x7d, 0x18, 0xc1, 0x01); /* vinsertf128: 0F3A has Ib */
		assert_true(insn_is(&in, INSN_MAP_0F3A, 0x18));
		assert_int_equal(in.vex, 3);
		assert_int_equal(in.imm, 1);
		in = OK(m, 0xc5, 0xf4, 0xc2, 0xc2, 0x01); /* vcmpltps: 0F C2 has Ib */
		assert_int_equal(in.imm, 1);
		assert_int_equal(OK(m, 0xc5, 0xf0, 0xc6, 0xc2, 0x01).imm, 1);	 /* vshufps */
		assert_int_equal(OK(m, 0xc5, 0xf9, 0xc4, 0xc0, 0x01).imm, 1);	 /* vpinsrw */
		assert_int_equal(OK(m, 0xc5, 0xf9, 0x70, 0xc1, 0x1b).imm, 0x1b); /* vpshufd */
		assert_int_equal(OK(m, 0xc5, 0xf1, 0x73, 0xd0, 0x04).imm, 4);	 /* vpsrlq */
		assert_int_equal(OK(m, 0xc5, 0xf9, 0xef, 0xc1).len, 4);		 /* vpxor: none */
		in = OK(m, 0xc4, 0xe2, 0x7d, 0x58, 0xc8); /* vpbroadcastd: 0F38 has none */
		assert_true(insn_is(&in, INSN_MAP_0F38, 0x58));
	}
	in = OK(M64, 0xc4, 0x41, 0x7e, 0x6f, 0x41, 0x20); /* vmovdqu 0x20(%r9),%ymm8 */
	assert_int_equal(in.rex, 0x45);			  /* R and B, from the inverted bits */
	assert_int_equal(in.disp, 0x20);
	assert_int_equal(OK(M64, 0xc4, 0xe2, 0xe0, 0xf2, 0xc8).rex, 0x48);     /* andn: W */
	assert_int_equal(OK(M64, 0xc5, 0x7d, 0x6f, 0x05, 0, 0, 0, 0).disp, 0); /* RIP-relative */
	assert_int_equal(OK(M64, 0x67, 0x64, 0xc5, 0xfe, 0x6f, 0x00).nprefix, 2);
	/* Outside 64-bit mode, C4/C5 with mod != 11 after them are LES/LDS. */
	in = OK(M32, 0xc5, 0x00);
	assert_true(insn_is(&in, INSN_MAP_1BYTE, 0xc5));
	assert_int_equal(in.vex, 0);
	assert_int_equal(OK(M16, 0xc4, 0x06, 0x34, 0x12).disp, 0x1234);
	assert_int_equal(ERR(M64, 0xc4, 0x00), INSN_ERR_TRUNCATED); /* VEX, cut short */
	/* 66/F2/F3/LOCK/REX before VEX and reserved maps are #UD. */
	assert_int_equal(ERR(M64, 0x66, 0xc5, 0xf8, 0x77), INSN_ERR_INVALID);
	assert_int_equal(ERR(M64, 0xf3, 0xc5, 0xf8, 0x77), INSN_ERR_INVALID);
	assert_int_equal(ERR(M64, 0x48, 0xc5, 0xf8, 0x77), INSN_ERR_INVALID);
	assert_int_equal(ERR(M64, 0xc4, 0xe0, 0x7d, 0x58, 0xc8), INSN_ERR_INVALID);
	assert_int_equal(ERR(M64, 0xc4, 0xe4, 0x7d, 0x58, 0xc8), INSN_ERR_INVALID);
}

static void test_truncated_too_long(void **state)
{
	uint8_t buf[32] = {0};
	struct insn in;

	(void)state;
	assert_int_equal(insn_decode(buf, 0, M64, &in), INSN_ERR_TRUNCATED);
	/* 11 prefixes + movabs (10) = 21 bytes: too long, once 15 bytes are visible. */
	memset(buf, 0x2e, 11);
	memcpy(buf + 11, BYTES(0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8));
	assert_int_equal(insn_decode(buf, 21, M64, &in), INSN_ERR_TOO_LONG);
	assert_int_equal(insn_decode(buf, 15, M64, &in), INSN_ERR_TOO_LONG);
	/* Known to be too long as soon as the opcode is seen; before that merely cut. */
	assert_int_equal(insn_decode(buf, 13, M64, &in), INSN_ERR_TOO_LONG);
	assert_int_equal(insn_decode(buf, 12, M64, &in), INSN_ERR_TRUNCATED);
	/* Exactly 15 bytes: 5 prefixes + movabs. */
	assert_int_equal(insn_decode(buf + 6, 26, M64, &in), 0);
	assert_int_equal(in.len, 15);
	memset(buf, 0xf0, sizeof(buf)); /* prefixes only */
	assert_int_equal(insn_decode(buf, sizeof(buf), M32, &in), INSN_ERR_TOO_LONG);
	assert_int_equal(insn_decode(buf, 9, M32, &in), INSN_ERR_TRUNCATED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_lengths),
	    cmocka_unit_test(test_cpuid_msr_cache),
	    cmocka_unit_test(test_port_io),
	    cmocka_unit_test(test_interrupts_and_flags),
	    cmocka_unit_test(test_mov_cr_dr_register_form),
	    cmocka_unit_test(test_0f01_system),
	    cmocka_unit_test(test_vmx_operands),
	    cmocka_unit_test(test_segment_loads),
	    cmocka_unit_test(test_prefixes),
	    cmocka_unit_test(test_rex),
	    cmocka_unit_test(test_modrm_16bit),
	    cmocka_unit_test(test_modrm_32_64bit),
	    cmocka_unit_test(test_immediates),
	    cmocka_unit_test(test_invalid),
	    cmocka_unit_test(test_0f38_0f3a),
	    cmocka_unit_test(test_vex),
	    cmocka_unit_test(test_truncated_too_long),
	};

	return cmocka_run_group_tests_name("insn", tests, NULL, NULL);
}
