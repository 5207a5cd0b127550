#!/usr/bin/env python3
"""mkseeds.py - write the seed corpora of the libFuzzer targets (insn, gwalk):
small valid inputs of every kind each target parses, so that fuzzing starts from deep
paths. Usage: mkseeds.py OUTDIR (one subfolder per target)."""
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


def main():
    out = sys.argv[1]
    corpora = {
        "insn": [bytes([mode]) + bytes.fromhex(h) for mode, hs in INSNS.items() for h in hs],
        "gwalk": gwalk_seeds(),
    }
    for name, seeds in corpora.items():
        os.makedirs(os.path.join(out, name), exist_ok=True)
        for i, data in enumerate(seeds):
            with open(os.path.join(out, name, "seed%02d" % i), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
