"""Read the fields of an H.264 SPS that matter to browsers (profile, VUI reorder limit)."""

from __future__ import annotations


class Bits:
    """An RBSP bit reader with Exp-Golomb codes."""

    def __init__(self, nal: bytes) -> None:
        rbsp = bytearray()
        zeros = 0
        for byte in nal[1:]:  # emulation prevention: 00 00 03 -> 00 00
            if zeros >= 2 and byte == 3:
                zeros = 0
                continue
            rbsp.append(byte)
            zeros = zeros + 1 if byte == 0 else 0
        self.data = bytes(rbsp)
        self.pos = 0

    def u(self, count: int) -> int:
        value = 0
        for _ in range(count):
            value = (value << 1) | ((self.data[self.pos // 8] >> (7 - self.pos % 8)) & 1)
            self.pos += 1
        return value

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
        return (1 << zeros) - 1 + self.u(zeros)


def reorder_limit(sps: bytes) -> int | None:
    """Return VUI max_num_reorder_frames of a Baseline/Main SPS (None: no bitstream_restriction)."""
    bits = Bits(sps)
    profile = bits.u(8)
    assert profile in (66, 77), "a Baseline or Main SPS (no chroma format fields)"
    bits.u(16)  # constraint flags, level
    bits.ue()  # seq_parameter_set_id
    bits.ue()  # log2_max_frame_num_minus4
    poc_type = bits.ue()
    if poc_type == 0:
        bits.ue()
    elif poc_type == 1:
        bits.u(1)
        bits.ue()
        bits.ue()
        for _ in range(bits.ue()):
            bits.ue()
    bits.ue()  # max_num_ref_frames
    bits.u(1)
    bits.ue()  # width in macroblocks - 1
    bits.ue()  # height in map units - 1
    if not bits.u(1):  # frame_mbs_only
        bits.u(1)
    bits.u(1)  # direct_8x8_inference
    if bits.u(1):  # frame cropping
        for _ in range(4):
            bits.ue()
    if not bits.u(1):  # vui_parameters_present
        return None
    if bits.u(1) and bits.u(8) == 255:  # aspect ratio, extended SAR
        bits.u(32)
    if bits.u(1):  # overscan
        bits.u(1)
    if bits.u(1):  # video signal type
        bits.u(4)
        if bits.u(1):
            bits.u(24)
    if bits.u(1):  # chroma location
        bits.ue()
        bits.ue()
    if bits.u(1):  # timing info
        bits.u(65)
    nal_hrd, vcl_hrd = bits.u(1), 0
    assert not nal_hrd, "no HRD parameters expected"
    vcl_hrd = bits.u(1)
    assert not vcl_hrd, "no HRD parameters expected"
    bits.u(1)  # pic_struct_present
    if not bits.u(1):  # bitstream_restriction
        return None
    bits.u(1)
    for _ in range(4):
        bits.ue()
    return bits.ue()
