#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# tamper.py IFACE COUNT: on the browser's side of the wire, copy COUNT of the
# browser's SRTP packets (UDP to 198.18.0.1, first byte 0x80-0xbf), move
# each copy's RTP sequence number 16384 ahead (so it is no replay, only a
# forgery), fix the UDP checksum and send the copy to the gateway. Prints
# how many it sent. Starts 2 s after the first SRTP packet (the session
# is installed by then); bounded: gives up after 15 s.
import socket
import struct
import sys
import time

iface, count = sys.argv[1], int(sys.argv[2])
# ETH_P_ALL: only such sockets see a device's outgoing frames.
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.bind((iface, 0x0003))
s.settimeout(0.5)
gw = socket.inet_aton("198.18.0.1")
sent = 0
seen = 0
first = None
deadline = time.time() + 15
while sent < count and time.time() < deadline:
    try:
        frame, addr = s.recvfrom(2048)
    except socket.timeout:
        continue
    except OSError:
        time.sleep(0.1)  # the interface is not up yet, or went away
        continue
    seen += 1
    if addr[2] != socket.PACKET_OUTGOING or len(frame) < 14 + 20 + 8 + 12 or frame[12:14] != b"\x08\x00":
        continue
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    if ip[9] != 17 or ip[16:20] != gw:
        continue
    udp = ip[ihl:]
    payload = udp[8:]
    if not (0x80 <= payload[0] <= 0xBF) or 192 <= payload[1] <= 223:
        continue  # not SRTP (STUN, DTLS, SRTCP)
    if first is None:
        first = time.time()
    if time.time() - first < 2:
        continue  # let the gateway install the session first
    forged = bytearray(frame)
    off = 14 + ihl + 8
    # The sequence number 16384 ahead: a fresh index (no replay), so only
    # the authentication tag can catch the forgery.
    forged[off + 2] = (forged[off + 2] + 0x40) & 0xFF
    forged[14 + ihl + 6:14 + ihl + 8] = b"\x00\x00"  # IPv4 UDP: no checksum
    s.send(bytes(forged))
    sent += 1
    time.sleep(0.05)
print(sent)
print('seen', seen, file=sys.stderr)
