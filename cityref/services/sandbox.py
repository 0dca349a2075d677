"""The second wall: a worker process that cannot reach the network or files it should not.

:func:`confine` is called at the start of a worker process (query, update, validation job),
before it opens anything and before any thread starts, since both kernel mechanisms bind
the calling thread and the threads and processes it creates afterwards:

- **seccomp-BPF** (any Linux since 3.5): ``socket()`` fails with EACCES for the internet,
  packet and netlink families, and io_uring (which could open sockets around the filter)
  cannot be set up. Unix sockets and inherited pipes keep working.
- **Landlock** (Linux 5.13+): files are readable only beneath the given ``readable`` paths
  and what the interpreter needs to keep importing, writable only beneath ``writable``;
  from Landlock ABI 4, TCP bind and connect are denied as well; from ABI 6, abstract unix
  sockets and signals to processes outside the confinement too.

Both need no privilege (``PR_SET_NO_NEW_PRIVS`` is set first). What the kernel lacks is
skipped, said in the returned :class:`Confinement` and logged once; ``confine`` never raises.
There is no undoing it: call it only in a process that exists to run untrusted work.

Always readable (read and execute, never write): ``sys.prefix``, ``sys.base_prefix``,
``sys.exec_prefix``, the site-packages and stdlib folders, cityref's own package, /usr/lib,
/lib, /lib64, /usr/share/zoneinfo, /etc/ld.so.cache, /etc/localtime, /dev/urandom, the
process's own /proc/<pid> (not the rest of /proc), and /dev/null (also writable); with
``connect_ports``, also the resolver's files (/etc/hosts, /etc/resolv.conf…) and the
certificate authorities TLS trusts, so that a server named by host, over https too, can be
reached.

A validation job worker, for instance, calls ``confine([sources, job_dir], [job_dir])``
first thing in its process, before it opens the upload or starts threads; it may check
``Confinement.complete`` and log what is missing.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import platform
import site
import ssl
import struct
import sys
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cityref

log = logging.getLogger(__name__)

# Syscall numbers and audit architectures (linux/audit.h, asm/unistd.h).
_ARCHES = {
    "x86_64": {"audit": 0xC000003E, "socket": 41, "seccomp": 317, "x32_bit": 0x40000000},
    "aarch64": {"audit": 0xC00000B7, "socket": 198, "seccomp": 277, "x32_bit": 0},
}
_IO_URING_SETUP = 425  # the same on both
_LANDLOCK_CREATE_RULESET, _LANDLOCK_ADD_RULE, _LANDLOCK_RESTRICT_SELF = 444, 445, 446
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP = 38, 22
_SECCOMP_MODE_FILTER, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC = 2, 1, 1
_SECCOMP_RET_ALLOW, _SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
_DENIED_FAMILIES = (2, 10, 16, 17)  # AF_INET, AF_INET6, AF_NETLINK, AF_PACKET

# Landlock access rights by the ABI that introduced them (linux/landlock.h).
_FS_READ = 1 << 0 | 1 << 2 | 1 << 3  # EXECUTE, READ_FILE, READ_DIR
_FS_FILE_RIGHTS = 1 << 0 | 1 << 1 | 1 << 2 | 1 << 14 | 1 << 15  # rights a file rule may hold
_NET_TCP = 1 << 0 | 1 << 1  # BIND_TCP, CONNECT_TCP
_NET_CONNECT_TCP = 1 << 1
_LANDLOCK_RULE_NET_PORT = 2
_SCOPE_UNIX_AND_SIGNALS = 1 << 0 | 1 << 1  # ABI 6: ABSTRACT_UNIX_SOCKET, SIGNAL


def _syscall(
    libc: ctypes.CDLL, number: int, *args: int | bytes | ctypes.Array[ctypes.c_char] | None
) -> int:
    """``syscall(2)`` with every integer passed as a full machine word (it is variadic)."""
    converted = [ctypes.c_long(a) if isinstance(a, int) else a for a in args]
    libc.syscall.restype = ctypes.c_long
    return int(libc.syscall(ctypes.c_long(number), *converted))


def _prctl(
    libc: ctypes.CDLL,
    option: int,
    argument: int,
    pointer: ctypes.Array[ctypes.c_char] | None = None,
) -> int:
    third: ctypes.c_ulong | ctypes.Array[ctypes.c_char] = pointer or ctypes.c_ulong(0)
    zero = ctypes.c_ulong(0)
    return int(libc.prctl(ctypes.c_int(option), ctypes.c_ulong(argument), third, zero, zero))


def _fs_rights(abi: int) -> int:
    rights = (1 << 13) - 1  # ABI 1: EXECUTE … MAKE_SYM
    if abi >= 2:
        rights |= 1 << 13  # REFER
    if abi >= 3:
        rights |= 1 << 14  # TRUNCATE
    if abi >= 5:
        rights |= 1 << 15  # IOCTL_DEV
    return rights


@dataclass(frozen=True)
class Confinement:
    """What :func:`confine` put in force, and why not where it could not."""

    seccomp: bool
    landlock_abi: int  # 0: no Landlock
    landlock_network: bool
    notes: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.seccomp and self.landlock_abi > 0


_warned = False


def confine(
    readable: Sequence[Path], writable: Sequence[Path], connect_ports: Sequence[int] = ()
) -> Confinement:
    """Confine this process for good: no network sockets, files only beneath ``readable``
    (read) and ``writable`` (read and write) plus the interpreter's own files.

    ``connect_ports``: TCP ports the process may connect to (a query worker of a remote
    store: the store's ports, from the settings alone); internet sockets are then allowed,
    and Landlock (ABI 4+) denies TCP connections to any other port.

    ``readable`` and ``writable`` are folders (everything beneath them) or single files;
    paths that do not exist are skipped. Call it before opening files or starting threads
    (they would keep what they had). Returns what is in force; never raises: a missing
    kernel feature is reported in the result and logged once, not fatal."""
    global _warned
    try:
        result = _confine(readable, writable, connect_ports)
    except Exception as exc:  # e.g. no libc to load: report, do not crash the worker
        result = Confinement(False, 0, False, (f"confinement failed: {exc!r}",))
    if result.notes and not _warned:
        _warned = True
        log.warning("worker confinement incomplete: %s", "; ".join(result.notes))
    return result


def _confine(
    readable: Sequence[Path], writable: Sequence[Path], connect_ports: Sequence[int]
) -> Confinement:
    notes: list[str] = []
    if sys.platform != "linux":
        result = Confinement(False, 0, False, (f"not Linux ({sys.platform}): no confinement",))
    else:
        libc = ctypes.CDLL(None, use_errno=True)
        if _prctl(libc, _PR_SET_NO_NEW_PRIVS, 1) != 0:
            notes.append(f"PR_SET_NO_NEW_PRIVS failed: {os.strerror(ctypes.get_errno())}")
            result = Confinement(False, 0, False, tuple(notes))
        else:
            denied = _DENIED_FAMILIES[2:] if connect_ports else _DENIED_FAMILIES
            seccomp = _install_seccomp(libc, denied, notes)
            abi, network = _install_landlock(libc, readable, writable, connect_ports, notes)
            result = Confinement(seccomp, abi, network, tuple(notes))
    return result


def _install_seccomp(libc: ctypes.CDLL, denied: Sequence[int], notes: list[str]) -> bool:
    arch = _ARCHES.get(platform.machine())
    if arch is None:
        notes.append(f"seccomp skipped: unknown architecture {platform.machine()}")
        return False
    program = _bpf_program(arch, denied)
    buffer = ctypes.create_string_buffer(program)
    fprog = struct.pack("HL", len(program) // 8, ctypes.addressof(buffer))
    fprog_buffer = ctypes.create_string_buffer(fprog)
    done = _syscall(
        libc, arch["seccomp"], _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC, fprog_buffer
    )
    if done != 0:  # an old kernel without the seccomp() call: this thread only
        done = _prctl(libc, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, fprog_buffer)
    if done != 0:
        notes.append(f"seccomp unavailable: {os.strerror(ctypes.get_errno())}")
        return False
    return True


def _bpf_program(arch: dict[str, int], denied: Sequence[int]) -> bytes:
    """Deny socket() for the ``denied`` families and io_uring_setup; allow everything else;
    deny every call made through another architecture's entry (e.g. 32-bit on x86_64)."""

    def statement(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
        return struct.pack("HBBI", code, jt, jf, k)

    load, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    deny = _SECCOMP_RET_ERRNO | errno.EACCES
    families = len(denied)
    program = [
        statement(load, 4),  # seccomp_data.arch
        statement(jeq, arch["audit"], 1, 0),
        statement(ret, _SECCOMP_RET_ERRNO | errno.EPERM),
        statement(load, 0),  # seccomp_data.nr
    ]
    if arch["x32_bit"]:
        program += [statement(jge, arch["x32_bit"], 0, 1), statement(ret, deny)]
    program += [
        statement(jeq, _IO_URING_SETUP, 0, 1),
        statement(ret, deny),
        statement(jeq, arch["socket"], 0, families + 1),
        statement(load, 16),  # low half of seccomp_data.args[0] (little-endian)
    ]
    for index, family in enumerate(denied):
        program.append(statement(jeq, family, families - index, 0))
    program += [statement(ret, _SECCOMP_RET_ALLOW), statement(ret, deny)]
    return b"".join(program)


def _interpreter_paths() -> list[Path]:
    """What Python needs to keep importing and resolving names after confinement."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.update(site.getsitepackages())
    paths.update(p for p in sysconfig.get_paths().values())
    # cityref itself, for the modules a worker imports late (not the whole checkout that
    # an editable install puts on sys.path: it may hold the store's tokens).
    paths.add(str(Path(cityref.__file__).resolve().parent))
    paths.update(
        ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/share/zoneinfo", "/etc/ld.so.cache")
    )
    # /proc/self only: the rest of /proc shows other processes (their environment, say).
    paths.update(("/etc/localtime", "/dev/urandom", f"/proc/{os.getpid()}"))
    return [Path(p) for p in sorted(paths)]


#: What the C library reads to turn a host name into addresses: a process that may connect
#: (a query worker of a remote store named by host, ``http://store.internal:7878``) needs
#: them, or every name, ``localhost`` too, fails to resolve.
_RESOLVER_FILES = ("/etc/hosts", "/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/host.conf")


def _network_paths() -> list[Path]:
    """What a process that may connect reads besides the interpreter: the resolver's files and
    the certificate authorities TLS verifies an https server with (the files OpenSSL is
    built to read, never all of /etc/ssl, which holds private keys too)."""
    verify = ssl.get_default_verify_paths()
    found = [verify.cafile, verify.capath, verify.openssl_cafile, verify.openssl_capath]
    authorities = {str(Path(p).resolve()) for p in found if p}
    return [Path(p) for p in (*_RESOLVER_FILES, "/etc/gai.conf", *sorted(authorities))]


def _install_landlock(
    libc: ctypes.CDLL,
    readable: Sequence[Path],
    writable: Sequence[Path],
    connect_ports: Sequence[int],
    notes: list[str],
) -> tuple[int, bool]:
    abi = _syscall(libc, _LANDLOCK_CREATE_RULESET, None, 0, 1)
    if abi < 1:
        notes.append(f"Landlock unavailable: {os.strerror(ctypes.get_errno())}")
        return 0, False
    handled_fs = _fs_rights(abi)
    network = abi >= 4
    if abi >= 6:  # also: no abstract unix sockets or signals beyond the worker's own domain
        attr = struct.pack("QQQ", handled_fs, _NET_TCP, _SCOPE_UNIX_AND_SIGNALS)
    elif network:
        attr = struct.pack("QQ", handled_fs, _NET_TCP)
    else:
        attr = struct.pack("Q", handled_fs)
    ruleset = _syscall(libc, _LANDLOCK_CREATE_RULESET, attr, len(attr), 0)
    if ruleset < 0:
        notes.append(f"Landlock ruleset refused: {os.strerror(ctypes.get_errno())}")
        return 0, False
    try:
        network_paths = _network_paths() if connect_ports else []
        rules = [(p, _FS_READ) for p in [*_interpreter_paths(), *network_paths, *readable]]
        rules += [(Path("/dev/null"), _FS_READ | 1 << 1)]
        rules += [(p, handled_fs) for p in writable]
        for path, rights in rules:
            _add_path_rule(libc, ruleset, path, rights & handled_fs, notes)
        for port in connect_ports if network else ():
            rule = struct.pack("=QQ", _NET_CONNECT_TCP, port)
            if _syscall(libc, _LANDLOCK_ADD_RULE, ruleset, _LANDLOCK_RULE_NET_PORT, rule, 0) != 0:
                notes.append(f"Landlock rule for port {port} refused")
        if _syscall(libc, _LANDLOCK_RESTRICT_SELF, ruleset, 0) != 0:
            notes.append(f"Landlock not applied: {os.strerror(ctypes.get_errno())}")
            return 0, False
    finally:
        os.close(ruleset)
    if not network:
        notes.append(f"Landlock ABI {abi} < 4: TCP is left to seccomp")
    return abi, network


def _add_path_rule(
    libc: ctypes.CDLL, ruleset: int, path: Path, rights: int, notes: list[str]
) -> None:
    try:
        descriptor = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a path that does not exist needs no rule
    try:
        if not os.path.isdir(path):
            rights &= _FS_FILE_RIGHTS
        rule = struct.pack("=Qi", rights, descriptor)
        if _syscall(libc, _LANDLOCK_ADD_RULE, ruleset, 1, rule, 0) != 0:
            notes.append(f"Landlock rule for {path} refused: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(descriptor)
