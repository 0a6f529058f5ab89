#!/usr/bin/env python3
# Writes the starting corpora of the binary harnesses (corpus/udp_to_tun, tso_split, wireguard):
# a few inputs that reach deep paths at once. The text harnesses' corpora are plain files.
import os, struct

here = os.path.dirname(os.path.abspath(__file__))

def write(harness, name, data):
    d = os.path.join(here, "corpus", harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def tcp_header(v6, payload_len, seq=1000, flags=0x10, ident=0x1234):
    tcp = struct.pack("!HHIIBBHHH", 40000, 5201, seq, 777, 8 << 4, flags, 502, 0, 0)
    tcp += bytes([1, 1, 8, 10]) + struct.pack("!II", 1000, 2000)
    if v6:
        ip = struct.pack("!IHBB", 0x60000000, len(tcp) + payload_len, 6, 64)
        ip += bytes([0xfd] + [0] * 14 + [2]) + bytes([0xfd] + [0] * 14 + [3])
    else:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + payload_len, ident, 0x4000,
                         64, 6, 0, bytes([10, 244, 2, 2]), bytes([10, 244, 3, 3]))
    return ip + tcp

# udp_to_tun: a raw fixed-up first segment, then continued segments (bit 1) of 1400 bytes.
for v6 in (False, True):
    first = tcp_header(v6, 1400) + bytes(i % 251 for i in range(1400))
    rec = bytes([0x01]) + struct.pack("<H", len(first)) + first
    for _ in range(4):
        rec += bytes([0x03, 175, 9])  # 175 * 8 = 1400 bytes of payload, a pattern from 9
    rec += bytes([0x07, 50, 3])       # a short last one with PSH
    write("udp_to_tun", "run-v6" if v6 else "run-v4", rec)
# ...and one whose second segment has a wrong checksum (fix-up bit clear).
first = tcp_header(False, 1400) + bytes(1400)
write("udp_to_tun", "bad-checksum",
      bytes([0x01]) + struct.pack("<H", len(first)) + first + bytes([0x02, 175, 1, 0x03, 175, 1]))

# tso_split: virtio header (flags, gso type, hdr len, gso size, csum start, csum offset; host
# order), headroom, tailroom, then the packet.
def vnet(flags, gso, hdr, size, start, off):
    return struct.pack("<BBHHHH", flags, gso, hdr, size, start, off)
for v6, gso in ((False, 1), (True, 4)):
    ipl = 40 if v6 else 20
    pkt = tcp_header(v6, 5000, seq=0xfffff000, flags=0x18) + bytes(i % 253 for i in range(5000))
    write("tso_split", "tso-v6" if v6 else "tso-v4",
          vnet(1, gso, ipl + 32, 1400, ipl, 16) + bytes([16, 8]) + pkt)
pkt = tcp_header(False, 333) + bytes(333)
write("tso_split", "partial-csum", vnet(1, 0, 0, 0, 20, 16) + bytes([0, 0]) + pkt)

# wireguard: op records (time step, kind, arguments) as fuzz_wireguard.cpp reads them.
ops = bytes([1, 0, 5]) + b"hello"        # A -> B
ops += bytes([1, 1, 3]) + b"abc"         # B -> A
ops += bytes([1, 2, 1, 0])               # replay A -> B #0
ops += bytes([1, 3, 4]) + b"data" + bytes([0, 20, 0x40])  # flip a byte of a transport message
ops += bytes([1, 4, 100, 1])             # flip a byte of an initiation
ops += bytes([1, 5, 0, 10, 1])           # handshake B -> A with a changed response
ops += bytes([1, 0, 0])                  # keepalive A -> B
ops += bytes([1, 6, 40]) + bytes([4]) + bytes(39)  # fuzz bytes as a transport message
write("wireguard", "script", ops)
