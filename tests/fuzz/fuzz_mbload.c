/* fuzz_mbload.c - libFuzzer target: any bytes as a multiboot2 and as a multiboot1 kernel, then
 * placed in and copied to a fake guest memory. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/mb2load.h"
#include "guest/mbload.h"
#include "fuzz_util.h"

#define ERRLEN	 160 /* guest_boot()'s ERR_MAX */
#define LIMIT_4G (1ull << 32)
/* The multiboot1 flags bits 0-15 mbload honours; any other there is refused. */
#define MB1_HONOURED (MBLOAD_HDR_PAGE_ALIGN | MBLOAD_HDR_MEMORY_INFO | MBLOAD_HDR_VIDEO_MODE)

/*
 * The guest's memory map: conventional memory, a reserved page inside RAM above 1 MiB (the
 * non-usable entry wins), adjacent and overlapping usable entries, an empty reserved one.
 */
static const struct mem_range guest_map[] = {
    {0x0, 0x9fc00, MEM_USABLE},	      {0x9fc00, 0x400, MEM_RESERVED},
    {0xf0000, 0x10000, MEM_RESERVED}, {0x100000, 0x80000, MEM_USABLE},
    {0x180000, 0x80000, MEM_USABLE},  {0x1c0000, 0x1000, MEM_RESERVED},
    {0x1ff000, 0x3000, MEM_USABLE},   {0x1a0000, 0, MEM_ACPI_NVS},
};
#define NMAP (sizeof(guest_map) / sizeof(guest_map[0]))

/* The RAM behind the map, one heap block per run of usable memory (below 640 KiB; the three
 * usable entries from 1 MiB): a write past a run is an ASan report even where the checks
 * below would miss it. */
static struct run {
	uint32_t base, len;
	uint8_t *mem;
} runs[] = {{0x0, 0x9fc00, NULL}, {0x100000, 0x102000, NULL}};
#define NRUNS (sizeof(runs) / sizeof(runs[0]))

static bool overlaps(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 < e2 && s2 < e1;
}

/* mbload_copy() asks only for what mbload_check_placement() allowed: usable RAM. */
static uint8_t *gpa_ptr(uint32_t gpa, uint32_t len, void *ctx)
{
	uint64_t end = (uint64_t)gpa + len;

	(void)ctx;
	CHECK(len > 0 && end <= LIMIT_4G);
	for (size_t i = 0; i < NMAP; i++)
		CHECK(guest_map[i].type == MEM_USABLE || !guest_map[i].len ||
		      !overlaps(gpa, end, guest_map[i].base, guest_map[i].base + guest_map[i].len));
	for (size_t i = 0; i < NRUNS; i++)
		if (gpa >= runs[i].base && end <= (uint64_t)runs[i].base + runs[i].len)
			return runs[i].mem + (gpa - runs[i].base);
	CHECK(false);
	return NULL;
}

/* What a successful parse promises: 1-16 segments, each non-empty, its file bytes inside
 * the file, below 4 GiB, none overlapping another; the entry in a segment's file bytes. */
static void check_image(const struct mbload_image *img, size_t len)
{
	uint32_t lowest = UINT32_MAX, highest = 0;
	bool entry_in = false;

	CHECK(img->nseg >= 1 && img->nseg <= MBLOAD_MAX_SEGS);
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct mbload_seg *s = &img->seg[i];
		uint64_t end = (uint64_t)s->paddr + s->memsz;

		CHECK(s->memsz > 0 && s->filesz <= s->memsz);
		CHECK(s->file_off <= len && s->filesz <= len - s->file_off);
		CHECK(end <= UINT32_MAX);
		for (unsigned j = 0; j < i; j++)
			CHECK(!overlaps(s->paddr, end, img->seg[j].paddr,
					(uint64_t)img->seg[j].paddr + img->seg[j].memsz));
		entry_in |= img->entry >= s->paddr && img->entry - s->paddr < s->filesz;
		lowest = s->paddr < lowest ? s->paddr : lowest;
		highest = end > highest ? (uint32_t)end : highest;
	}
	CHECK(entry_in);
	CHECK(img->lowest == lowest && img->highest_end == highest);
}

/* Placed where the map allows, copied through gpa_ptr(): every segment's bytes in RAM. */
static void check_copy(const struct mbload_image *img, const uint8_t *file)
{
	char *err = malloc(ERRLEN);

	CHECK(err);
	if (mbload_check_placement(img, guest_map, NMAP, err, ERRLEN) == 0) {
		mbload_copy(img, file, gpa_ptr, NULL);
		for (unsigned i = 0; i < img->nseg; i++) {
			const struct mbload_seg *s = &img->seg[i];
			const uint8_t *p = gpa_ptr(s->paddr, s->memsz, NULL);

			CHECK(memcmp(p, file + s->file_off, s->filesz) == 0);
			for (uint32_t k = s->filesz; k < s->memsz; k++)
				CHECK(p[k] == 0);
		}
	} else {
		CHECK(err[0] && memchr(err, 0, ERRLEN));
	}
	free(err);
}

/* A reason for every refusal, NUL-terminated inside the buffer; none on success. */
static void check_err(int rc, const char *err)
{
	CHECK(rc <= 0 && rc >= MBLOAD_E_HEADER);
	CHECK(memchr(err, 0, ERRLEN) && (rc == 0) == (err[0] == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mb2load_request no_req;
	uint8_t *file = fuzz_dup(data, size);
	char *err = malloc(ERRLEN);
	struct mbload_image img;
	struct mb2load_request req;
	int rc;

	CHECK(err);
	if (!runs[0].mem)
		for (size_t i = 0; i < NRUNS; i++)
			CHECK((runs[i].mem = malloc(runs[i].len)));

	rc = mb2load_parse(file, size, &img, &req, err, ERRLEN);
	check_err(rc, err);
	if (rc == 0) {
		check_image(&img, size);
		CHECK(req.load_base_addr == img.lowest && (!req.relocatable || req.load_base));
		rc = mb2load_relocate(&img, &req, guest_map, NMAP, err, ERRLEN);
		check_err(rc, err);
		if (rc == 0) {
			check_image(&img, size);
			CHECK(req.load_base_addr == img.lowest);
		}
		check_copy(&img, file);
	} else {
		CHECK(img.nseg == 0 && memcmp(&req, &no_req, sizeof(req)) == 0);
	}

	rc = mbload_parse(file, size, &img, err, ERRLEN);
	check_err(rc, err);
	if (rc == 0) {
		check_image(&img, size);
		CHECK(!(img.flags & MBLOAD_HDR_REQUIRED_MASK & ~MB1_HONOURED));
		check_copy(&img, file);
	} else {
		CHECK(img.nseg == 0);
	}
	free(err);
	free(file);
	return 0;
}
