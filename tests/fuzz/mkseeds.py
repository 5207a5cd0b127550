#!/usr/bin/env python3
"""mkseeds.py - write the seed corpora of the libFuzzer targets (insn, gwalk, mbload, bzimage):
small valid inputs of every kind each target parses, so that fuzzing starts past the
signatures and checksums. Usage: mkseeds.py OUTDIR (one subfolder per target)."""
import os
import struct
import sys

# --- fuzz_insn: a mode byte (0: 16-bit, 1: 32-bit, 2: 64-bit), then instruction bytes ---
INSNS = {
    0: ["0fa2", "8b863412", "c8100001", "ea78563412", "c40e3412", "e93412", "66b878563412",
        "f3a4", "26ff1e3412", "0f20c0", "cd10"],
    1: ["0fa2", "0f30", "0f32", "e6f4", "ef", "cc", "8d04c578563412", "8b4c2404",
        "c5f877", "c4e27900c1", "62c0", "c40678563412", "ff2d78563412", "0f78c0", "660f78c00102",
        "f00fc10a", "0f3a0fc108", "0f3800c1", "0f01c1", "0f01d9", "f6c001", "f7d0", "a178563412",
        "66" * 14 + "90", "66" * 15 + "90"],
    2: ["0fa2", "48b8efcdab8967452301", "488b0578563412", "41ff24c5efbeadde", "c4e3fd00c1ff",
        "c5fc77", "62f17c48", "4890", "40f390", "0f01c1", "0f22d8", "0f23f8", "e8efbeadde",
        "66e8efbeadde", "67a1efbeadde", "48a1efcdab8967452301", "8f00", "c7f800000000",
        "65488b042528000000", "f3480fb8c0", "0f0fc19e"],
}

# --- fuzz_gwalk: cr0, cr3, cr4, efer, gva, mem_base (u64), maxphyaddr (u8), then memory ---
PG, PE, PSE, PAE, LA57 = 1 << 31, 1, 1 << 4, 1 << 5, 1 << 12
LMA, NXE = (1 << 10) | (1 << 8), 1 << 11
P, RW, PS, XD = 1, 2, 1 << 7, 1 << 63
BASE = 0x200000


class Mem:
    """Fake physical memory at BASE, made of 4 KiB pages of page tables."""

    def __init__(self, pages):
        self.buf = bytearray(pages * 4096)

    def put(self, page, index, value, size=8):
        off = page * 4096 + index * size
        self.buf[off:off + size] = value.to_bytes(size, "little")


def gwalk(cr0, cr3, cr4, efer, gva, mem, maxphy=0):
    return struct.pack("<6QB", cr0, cr3, cr4, efer, gva, BASE, maxphy) + bytes(mem.buf)


def idx(va, shift):
    return (va >> shift) & 0x1ff


def gwalk_seeds():
    seeds = [gwalk(PE, 0, 0, 0, 0x12345678, Mem(1))]
    va = 0x00403123
    m = Mem(2)  # 32-bit paging, 4 KiB page
    m.put(0, va >> 22, (BASE + 0x1000) | P | RW, 4)
    m.put(1, (va >> 12) & 0x3ff, 0x5000 | P, 4)
    seeds.append(gwalk(PG | PE, BASE, 0, 0, va, m))
    m = Mem(1)  # 32-bit paging, 4 MiB page with PSE-36 bits
    m.put(0, va >> 22, 0x00c00000 | (0x3 << 13) | PS | P, 4)
    seeds.append(gwalk(PG | PE, BASE, PSE, 0, va, m, 36))
    va = 0xc0201234
    m = Mem(3)  # PAE: PDPTEs at CR3, PD, PT; and a 2 MiB page
    m.put(0, va >> 30, (BASE + 0x1000) | P)
    m.put(1, idx(va, 21), (BASE + 0x2000) | P | RW)
    m.put(1, idx(va, 21) + 1, 0x40000000 | PS | P)
    m.put(2, idx(va, 12), 0x7000 | P | XD)
    seeds.append(gwalk(PG | PE, BASE, PAE, NXE, va, m))
    seeds.append(gwalk(PG | PE, BASE, PAE, 0, va + (1 << 21), m))
    va = 0xffff800040201234
    for la57 in (0, 1):  # 4- and 5-level paging: 4 KiB, 2 MiB and 1 GiB pages
        top = 48 if la57 else 39
        m = Mem(5)
        page = 0
        for shift in range(top, 12, -9):
            m.put(page, idx(va, shift), (BASE + (page + 1) * 4096) | P | RW)
            page += 1
        m.put(page, idx(va, 12), 0x9000 | P)
        m.put(page - 1, idx(va, 21) + 1, 0x80200000 | PS | P)
        m.put(page - 2, idx(va, 30) + 1, 0xc0000000 | PS | P)
        cr4 = PAE | (LA57 if la57 else 0)
        for gva in (va, va + (1 << 21), va + (1 << 30)):
            seeds.append(gwalk(PG | PE, BASE, cr4, LMA | NXE, gva, m, 46))
    return seeds


# --- fuzz_mbload: multiboot1 (ELF32, a.out kludge) and multiboot2 (ELF32/64, address tag) ---
MB1_MAGIC, MB2_MAGIC = 0x1BADB002, 0xE85250D6
LOAD = 0x100000


def elf(cls, entry, phdrs, size=0x3000):
    """An ET_EXEC for i386 (32) or x86-64 (64) with PT_LOAD (offset, paddr, filesz, memsz)."""
    f = bytearray((i * 13 + 5) & 0xff for i in range(size))
    ehsize, phsize = (64, 56) if cls == 64 else (52, 32)
    f[0:ehsize] = bytes(ehsize)
    f[0:7] = b"\x7fELF" + bytes([2 if cls == 64 else 1, 1, 1])
    if cls == 64:
        f[16:64] = struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, entry, ehsize, 0, 0, ehsize,
                               phsize, len(phdrs), 0, 0, 0)
    else:
        f[16:52] = struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, entry, ehsize, 0, 0, ehsize, phsize,
                               len(phdrs), 0, 0, 0)
    for i, (off, paddr, filesz, memsz) in enumerate(phdrs):
        at = ehsize + i * phsize
        if cls == 64:
            f[at:at + phsize] = struct.pack("<IIQQQQQQ", 1, 5, off, paddr, paddr, filesz, memsz,
                                            0x1000)
        else:
            f[at:at + phsize] = struct.pack("<IIIIIIII", 1, off, paddr, paddr, filesz, memsz, 5,
                                            0x1000)
    return f


def mb1_header(flags, addr=None):
    h = struct.pack("<III", MB1_MAGIC, flags, (-(MB1_MAGIC + flags)) & 0xffffffff)
    return h + (struct.pack("<5I", *addr) if addr else b"")


def mb2_header(tags):
    body = b"".join(struct.pack("<HHI", t, fl, 8 + len(d)) + d + bytes(-len(d) % 8)
                    for t, fl, d in tags + [(0, 0, b"")])
    length = 16 + len(body)
    return struct.pack("<IIII", MB2_MAGIC, 0, length,
                       (-(MB2_MAGIC + length)) & 0xffffffff) + body


def with_header(f, off, h):
    f[off:off + len(h)] = h
    return bytes(f)


def mbload_seeds():
    segs = [(0x1000, LOAD, 0x1000, 0x1000), (0x2000, LOAD + 0x2000, 0x800, 0x3000)]
    aout_at = 0x40
    mb2_info = struct.pack("<3I", 1, 6, 21)  # command line, memory map, load base
    return [
        with_header(elf(32, LOAD + 0xc, segs), 0x1000, mb1_header(0x3)),
        with_header(bytearray(0x1000), aout_at,
                    mb1_header(0x10003, (LOAD + aout_at, LOAD, 0, LOAD + 0x4000, LOAD + 0x80))),
        with_header(elf(32, LOAD + 0xc, segs), 0x1000,
                    mb2_header([(1, 0, mb2_info), (6, 0, b""), (4, 1, struct.pack("<I", 1))])),
        with_header(elf(64, 0xffffffff80000000 + LOAD + 0x10,
                        [(0x1000, LOAD, 0x1000, 0x2000)]), 0x1000,
                    mb2_header([(3, 0, struct.pack("<I", LOAD + 0x20)),
                                (10, 1, struct.pack("<4I", LOAD, 0x1000000, 0x1000, 1))])),
        with_header(bytearray(0x1800), 0x800,
                    mb2_header([(2, 0, struct.pack("<4I", LOAD + 0x800, 0xffffffff, 0,
                                                   LOAD + 0x3000)),
                                (3, 0, struct.pack("<I", LOAD + 0x900)),
                                (5, 1, struct.pack("<3I", 1024, 768, 32))])),
    ]


# --- fuzz_bzimage: a setup header, the kernel after the setup sectors; the last byte of the
# file is the fuzzer's memory map size ---
def bzimage(version, setup_sects, kernel_len, last, pref=0x1000000, init=0x20000):
    hdr_end = 0x26c if version >= 0x20f else 0x264
    f = bytearray(((setup_sects or 4) + 1) * 512 + kernel_len)  # 0 setup sectors means 4
    f[0x1f1] = setup_sects
    f[0x1f4:0x1f8] = struct.pack("<I", kernel_len // 16)
    f[0x1fe:0x200] = b"\x55\xaa"
    f[0x200:0x202] = bytes([0xeb, hdr_end - 0x202])
    f[0x202:0x208] = b"HdrS" + struct.pack("<H", version)
    f[0x211] = 0x81  # LOADED_HIGH, CAN_USE_HEAP
    f[0x22c:0x230] = struct.pack("<I", 0x7fffffff)
    f[0x236:0x23c] = struct.pack("<HI", 1, 2047)  # XLF_KERNEL_64, cmdline_size
    f[0x258:0x264] = struct.pack("<QI", pref, init)
    f[-1] = last
    return bytes(f)


def bzimage_seeds():
    # 200 map entries are 134 non-empty ones (refused), 191 exactly the 128 that fit.
    return [bzimage(0x20f, 1, 0x40, 7), bzimage(0x20a, 0, 0x100, 200, 0x80000),
            bzimage(0x20e, 27, 0x200, 191, 0xfff00000, 0x1000)]


def main():
    out = sys.argv[1]
    corpora = {
        "insn": [bytes([mode]) + bytes.fromhex(h) for mode, hs in INSNS.items() for h in hs],
        "gwalk": gwalk_seeds(),
        "mbload": mbload_seeds(),
        "bzimage": bzimage_seeds(),
    }
    for name, seeds in corpora.items():
        os.makedirs(os.path.join(out, name), exist_ok=True)
        for i, data in enumerate(seeds):
            with open(os.path.join(out, name, "seed%02d" % i), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
