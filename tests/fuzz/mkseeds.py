#!/usr/bin/env python3
"""Writes the hand-made seed inputs (elf, netlink, netstack, oci) under
OUTDIR: mkseeds.py OUTDIR.  (`make fuzz-seeds`; the seeds are kept in
the tree.)  mkseeds.c writes those of the harnesses with an encoder."""
import glob, os, shutil, socket, struct, sys

out = sys.argv[1]

def put(d, name, data):
    os.makedirs(os.path.join(out, d), exist_ok=True)
    with open(os.path.join(out, d, name), 'wb') as f:
        f.write(data)

# --- elf: small x86-64 images, and #! lines ------------------------------
def elf(etype, phdrs, size=0x2000):
    eh = b'\x7fELF' + bytes([2, 1, 1, 0]) + bytes(8)
    eh += struct.pack('<HHIQQQIHHHHHH', etype, 62, 1, 0x401000, 64, 0, 0, 64, 56,
                      len(phdrs), 64, 0, 0)
    ph = b''.join(struct.pack('<IIQQQQQQ', *p) for p in phdrs)
    img = eh + ph
    return img + bytes(size - len(img))

PT_LOAD, PT_INTERP, PT_PHDR, PT_GNU_STACK = 1, 3, 6, 0x6474e551
put('elf', 'static', elf(2, [(PT_LOAD, 5, 0, 0x400000, 0x400000, 0x1000, 0x1000, 0x1000),
                            (PT_LOAD, 6, 0x1000, 0x401000, 0x401000, 0x800, 0x3000, 0x1000),
                            (PT_GNU_STACK, 6, 0, 0, 0, 0, 0, 16)]))
interp = elf(3, [(PT_PHDR, 4, 64, 64, 64, 4 * 56, 4 * 56, 8),
                 (PT_INTERP, 4, 0x200, 0x200, 0x200, 28, 28, 1),
                 (PT_LOAD, 5, 0, 0, 0, 0x1000, 0x1000, 0x1000),
                 (PT_LOAD, 6, 0x1000, 0x1000, 0x1000, 0x100, 0x2000, 0x1000)])
interp = interp[:0x200] + b'/lib64/ld-linux-x86-64.so.2\0' + interp[0x200 + 28:]
put('elf', 'pie-interp', interp)
put('elf', 'script', b'#!/bin/sh -e\necho hi\n')
put('elf', 'script-noarg', b'#! /usr/bin/env\n')

# --- netlink: first byte = NLF_* options | 0x80 (network none) -------------
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETRULE, RTM_NEWADDR = 18, 22, 26, 34, 20
def nlmsg(t, flags, payload, seq=1):
    m = struct.pack('<IHHII', 16 + len(payload), t, flags, seq, 0) + payload
    return m + bytes(-len(m) % 4)
def nla(t, data):
    a = struct.pack('<HH', 4 + len(data), t) + data
    return a + bytes(-len(a) % 4)
ifinfo = lambda fam=0, idx=0: struct.pack('<BxHiII', fam, 0, idx, 0, 0)
ifaddr = lambda fam, idx=0: struct.pack('<BBBBI', fam, 0, 0, 0, idx)
rtmsg = lambda fam, table=0: struct.pack('<BBBBBBBBI', fam, 0, 0, 0, table, 0, 0, 0, 0)
put('netlink', 'getlink-dump', b'\x00' + nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, ifinfo()))
put('netlink', 'getlink-name', b'\x20' + nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK,
                                              ifinfo() + nla(3, b'eth0\0')))
put('netlink', 'getaddr-strict', b'\x60' + nlmsg(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP,
                                                ifaddr(2, 1)))
put('netlink', 'getaddr6', b'\x00' + nlmsg(RTM_GETADDR, NLM_F_REQUEST,
                                          ifaddr(10, 1) + nla(1, socket.inet_pton(socket.AF_INET6, '::1'))))
put('netlink', 'getroute-batch', b'\x40' +
    nlmsg(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, rtmsg(2, 254) + nla(15, struct.pack('<I', 254))) +
    nlmsg(RTM_GETRULE, NLM_F_REQUEST | NLM_F_DUMP, rtmsg(0), seq=2) +
    nlmsg(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK, ifaddr(2, 1), seq=3))
put('netlink', 'none-mode', b'\x90' + nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, ifinfo()))

# --- netstack: first byte = policy bits, then an Ethernet frame ------------
def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
MAC = bytes.fromhex('525400123456') + bytes.fromhex('525400123457')
def ip4(proto, src, dst, l4):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return MAC + b'\x08\x00' + h + l4
def ip6(nh, src, dst, l4):
    return MAC + b'\x86\xdd' + struct.pack('!IHBB16s16s', 6 << 28, len(l4), nh, 64,
                                            socket.inet_pton(socket.AF_INET6, src),
                                            socket.inet_pton(socket.AF_INET6, dst)) + l4
syn = struct.pack('!HHIIBBHHH', 40000, 80, 1, 0, 6 << 4, 0x02, 65535, 0, 0) + \
      bytes([2, 4, 0x05, 0xb4, 1, 1, 4, 2])
put('netstack', 'syn4', b'\x00' + ip4(6, '10.0.2.15', '93.184.216.34', syn))
put('netstack', 'syn4-allowlist', b'\x02' + ip4(6, '10.0.2.15', '10.1.2.3', syn))
put('netstack', 'syn6', b'\x00' + ip6(6, 'fd53:6e74::f', '2001:db8::1', syn))
dns = struct.pack('!HHHH', 40001, 53, 8 + 17, 0) + bytes.fromhex('12340100000100000000000001610000010001')[:17]
put('netstack', 'dns', b'\x06' + ip4(17, '10.0.2.15', '10.0.2.3', dns))
put('netstack', 'icmp6-echo', b'\x00' + ip6(58, 'fd53:6e74::f', '2001:db8::1', bytes([128, 0, 0, 0, 0, 1, 0, 1])))
put('netstack', 'hopopts', b'\x00' + ip6(0, 'fd53:6e74::f', '::ffff:1.2.3.4', bytes([6, 0, 1, 4, 0, 0, 0, 0]) + syn))
arp = struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, 1, MAC[6:], socket.inet_aton('10.0.2.15'),
                  bytes(6), socket.inet_aton('10.0.2.2'))
put('netstack', 'arp', b'\x00' + b'\xff' * 6 + MAC[6:] + b'\x08\x06' + arp)

# --- oci: the samples of the unit tests ------------------------------------
here = os.path.dirname(os.path.abspath(__file__))
for f in sorted(glob.glob(os.path.join(here, '..', 'unit', 'data', 'oci', '*.json'))):
    os.makedirs(os.path.join(out, 'oci'), exist_ok=True)
    shutil.copy(f, os.path.join(out, 'oci', os.path.basename(f)))
