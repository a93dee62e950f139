"""Run a learner's Python against hidden tests inside a bubblewrap sandbox (no Django, no Celery).

The sandbox (`bwrap`, Debian's bubblewrap) has every namespace unshared (no network, its own pids, ipc, uts), a
read-only view of only the Python install, the virtualenv's site-packages and /usr, a private size-capped tmpfs at
/tmp, a fresh /proc and a minimal /dev, an empty environment, and it dies with its parent. Inside it runs as the
real unprivileged uid 65534, so RLIMIT_NPROC applies (the kernel never applies it to real root).

Warm start: importing torch costs about a second, so one sandboxed interpreter (`sandbox_zygote.py`) imports it
once and forks a child per run; the child sets the rlimits (CPU, address space, processes, file size, open files)
before it touches the learner's code, and the zygote enforces wall time and output size and kills every process
left in the sandbox after each run. If the zygote itself dies or stops answering, it is killed and a fresh one
starts on the next run. Without a usable `bwrap` nothing runs: `sandbox_unavailable_reason()` says why.
"""

import errno
import functools
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ZYGOTE_SOURCE = Path(__file__).with_name("sandbox_zygote.py")
START_TIMEOUT = 60.0
REPLY_GRACE = 5.0  # the zygote enforces wall time itself; the host waits this much longer before giving up on it
MAX_RUNS_PER_ZYGOTE = 200  # a fresh interpreter now and then, whatever a run may have left in its memory
NOBODY = 65534
SANDBOX_TMP = "/tmp"  # noqa: S108 - inside the sandbox: a size-capped tmpfs of its own, not the host's /tmp
# Imported once by the warm interpreter: the hidden tests compare with these (llama alone takes seconds to import).
PRELOAD = (
    "torch",
    "transformers.generation.logits_process",
    "transformers.modeling_attn_mask_utils",
    "transformers.models.llama.modeling_llama",
    "transformers.models.gpt2.modeling_gpt2",
    "transformers.models.bloom.modeling_bloom",
    "transformers.models.distilbert.modeling_distilbert",
    "peft",
)


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 5
    wall_seconds: float = 10.0
    memory_mb: int = 1024  # address space on top of the warm interpreter's (torch maps a lot it never touches)
    processes: int = 16
    file_mb: int = 16
    open_files: int = 256
    output_bytes: int = 64_000
    tmp_mb: int = 64


DEFAULT_LIMITS = Limits()


class SandboxUnavailable(RuntimeError):
    pass


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def _python_paths() -> tuple[Path, Path]:
    """The base interpreter's install (stdlib, binary) and the virtualenv's site-packages."""
    return Path(sys.base_prefix).resolve(), Path(sysconfig.get_paths()["purelib"]).resolve()


def _root_filesystem_args() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/lib", "/lib64", "/bin"):
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), top]
        elif path.exists():
            args += ["--ro-bind", top, top]
    return args


def bwrap_command(
    *, limits: Limits, userns_fd: int | None, preload: list[str], seccomp_fd: int | None = None
) -> list[str]:
    prefix, site = _python_paths()
    python = f"/sandbox/python/bin/python{sys.version_info.major}.{sys.version_info.minor}"
    command = [bwrap_path() or "bwrap"]
    if userns_fd is None:
        # Not root: bwrap makes the user namespace and maps our (unprivileged) uid to 65534 inside.
        command += ["--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY), "--disable-userns"]
    else:
        # Root: a prepared user namespace where 65534 is the real 65534; the zygote switches to it first thing.
        command += ["--userns", str(userns_fd), "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    if seccomp_fd is not None:
        command += ["--seccomp", str(seccomp_fd)]
    command += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    command += ["--die-with-parent", "--new-session", "--hostname", "sandbox", "--clearenv"]
    for key, value in (("PATH", "/usr/bin:/bin"), ("HOME", SANDBOX_TMP), ("LANG", "C.UTF-8"), ("OMP_NUM_THREADS", "1"),
                       ("MKL_NUM_THREADS", "1"), ("PYTHONDONTWRITEBYTECODE", "1"), ("OMP_WAIT_POLICY", "PASSIVE"),
                       ("HF_HUB_OFFLINE", "1"),
                       # the interpreter's RUNPATH names its real prefix, absent here: find libpython in the bind
                       ("LD_LIBRARY_PATH", "/sandbox/python/lib"), ("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")):  # fmt: skip
        command += ["--setenv", key, value]
    command += _root_filesystem_args()
    command += ["--perms", "0755", "--dir", "/sandbox"]
    command += ["--ro-bind", str(prefix), "/sandbox/python", "--ro-bind", str(site), "/sandbox/site"]
    command += ["--proc", "/proc", "--dev", "/dev"]
    command += ["--perms", "1777", "--size", str(limits.tmp_mb * 2**20), "--tmpfs", SANDBOX_TMP]
    command += ["--chdir", SANDBOX_TMP]
    command += [python, "-I", "-c", ZYGOTE_SOURCE.read_text(), json.dumps({"preload": preload})]
    return command


CLONE_NEWUSER = 0x10000000
# Syscalls a learner's program has no use for and that widen the kernel surface it can reach.
DENIED_SYSCALLS = ("ptrace", "process_vm_readv", "process_vm_writev", "perf_event_open", "bpf", "userfaultfd",
                   "keyctl", "add_key", "request_key", "io_uring_setup", "mount", "umount2", "pivot_root",
                   "init_module", "finit_module", "kexec_load", "swapon", "setns")  # fmt: skip


@functools.cache
def seccomp_program() -> bytes:
    """A seccomp filter for bwrap --seccomp: the calls above fail with EPERM, so does creating a user namespace
    (unshare or clone with CLONE_NEWUSER: bwrap's --disable-userns needs the namespace bwrap makes itself), and
    clone3, whose flags a filter cannot read, answers ENOSYS so the C library falls back to clone.
    b"" when libseccomp is missing: the namespaces and rlimits still apply."""
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError):
        return b""
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in DENIED_SYSCALLS:
        rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
    for name in ("unshare", "clone"):
        rules.add_rule(seccomp.ERRNO(errno.EPERM), name, seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_NEWUSER,
                                                                     CLONE_NEWUSER))  # fmt: skip
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    with tempfile.TemporaryFile() as out:
        rules.export_bpf(out)
        out.seek(0)
        return out.read()


class _UserNamespace:
    """A user namespace mapping 0 -> 0 and 65534 -> 65534, held open by a sleeping `unshare` until bwrap joins it.

    Only real root may write a two-line uid_map; bwrap alone would map the sandbox user to real root."""

    def __init__(self):
        self.holder = subprocess.Popen(["unshare", "--user", "--", "sleep", "600"], stdin=subprocess.DEVNULL,
                                       start_new_session=True)  # fmt: skip
        own = os.readlink("/proc/self/ns/user")
        deadline = time.monotonic() + 5
        while os.readlink(f"/proc/{self.holder.pid}/ns/user") == own:
            if time.monotonic() > deadline or self.holder.poll() is not None:
                self.close()
                raise SandboxUnavailable("could not create a user namespace (unshare --user)")
            time.sleep(0.002)
        for kind in ("uid", "gid"):
            Path(f"/proc/{self.holder.pid}/{kind}_map").write_text(f"0 0 1\n{NOBODY} {NOBODY} 1\n")
        self.fd = os.open(f"/proc/{self.holder.pid}/ns/user", os.O_RDONLY)

    def close(self):
        if getattr(self, "fd", None) is not None:
            os.close(self.fd)
            self.fd = None
        if self.holder.poll() is None:
            self.holder.kill()
        self.holder.wait()


class Sandbox:
    """One warm sandboxed interpreter; `run` is serialized (a worker runs one exercise at a time).

    Start it from a thread that lives as long as the sandbox should: --die-with-parent (PR_SET_PDEATHSIG) kills it
    when the starting thread exits, not only the process."""

    def __init__(self, *, limits: Limits = DEFAULT_LIMITS, preload: tuple[str, ...] = PRELOAD):
        self.limits, self.preload = limits, list(preload)
        self.process: subprocess.Popen | None = None
        self.runs = 0
        self.started_seconds = 0.0
        self.base_vm_mb = 0
        self._lock = threading.Lock()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        if not bwrap_path():
            raise SandboxUnavailable("bubblewrap (bwrap) is not installed")
        started = time.perf_counter()
        self._stderr = tempfile.TemporaryFile()  # a file, not a pipe: import warnings must never block the zygote
        userns = _UserNamespace() if os.geteuid() == 0 else None
        program = seccomp_program()
        seccomp_file = tempfile.TemporaryFile() if program else None
        try:
            pass_fds = [userns.fd] if userns else []
            if seccomp_file:
                seccomp_file.write(program)
                seccomp_file.seek(0)
                pass_fds.append(seccomp_file.fileno())
            command = bwrap_command(limits=self.limits, userns_fd=userns.fd if userns else None, preload=self.preload,
                                    seccomp_fd=seccomp_file.fileno() if seccomp_file else None)  # fmt: skip
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=self._stderr, pass_fds=pass_fds, start_new_session=True)  # fmt: skip
            line = self._read_line(deadline=time.monotonic() + START_TIMEOUT)
        finally:
            if userns:
                userns.close()  # bwrap is inside it now (or failed): the namespace lives as long as the sandbox
            if seccomp_file:
                seccomp_file.close()
        if not line:
            error = self._stderr_tail()
            self.close()
            raise SandboxUnavailable(f"the sandbox did not start: {error or 'no reply'}")
        self.base_vm_mb = json.loads(line).get("base_vm_mb", 0)
        self.runs = 0
        self.started_seconds = time.perf_counter() - started

    def _read_line(self, *, deadline: float) -> bytes:
        stdout = self.process.stdout
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            buffer = b""
            while not buffer.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    return b""
                chunk = os.read(stdout.fileno(), 1 << 20)
                if not chunk:
                    return b""
                buffer += chunk
            return buffer

    def _stderr_tail(self) -> str:
        if self.process is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read()[-1000:].decode(errors="replace").strip()

    def close(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self._stderr):
            stream.close()
        self.process = None

    def run(self, *, code: str, tests: str) -> dict:
        """Returns {"verdict", "message", "tests": [per-test dicts], "output", "seconds", "sandbox_start_seconds"}."""
        with self._lock:
            fresh_start = 0.0
            if not self.alive() or self.runs >= MAX_RUNS_PER_ZYGOTE:
                self.close()
                self.start()
                fresh_start = self.started_seconds
            self.runs += 1
            request = {"code": code, "tests": tests, "limits": asdict(self.limits)}
            try:
                self.process.stdin.write(json.dumps(request).encode() + b"\n")
                self.process.stdin.flush()
                line = self._read_line(deadline=time.monotonic() + self.limits.wall_seconds + REPLY_GRACE)
            except BrokenPipeError:
                line = b""
            if not line:
                # The program killed the zygote (it can signal processes of its own uid) or the zygote hung.
                self.close()
                return {"verdict": "crashed", "tests": [], "output": "", "seconds": 0.0,
                        "sandbox_start_seconds": fresh_start,
                        "message": "The sandbox was stopped by the program; it restarts for the next run."}  # fmt: skip
            reply = json.loads(line)
            reply["sandbox_start_seconds"] = fresh_start
            return reply


_shared: Sandbox | None = None
_shared_lock = threading.Lock()


def sandbox_unavailable_reason() -> str:
    """An empty string when exercises can run here; otherwise a sentence for the learner (and the operator)."""
    if not bwrap_path():
        return "The sandbox (bubblewrap) is not installed on the worker: install it with `apt-get install bubblewrap`."
    return ""


def _shared_sandbox() -> Sandbox:
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Sandbox()
        return _shared


def sandbox_warm_up() -> None:
    """Start this process's sandbox now (a worker calls it at start), so the first learner does not wait for it."""
    sandbox = _shared_sandbox()
    with sandbox._lock:
        if not sandbox.alive():
            sandbox.start()


def sandbox_run(*, code: str, tests: str) -> dict:
    """Run on this process's warm sandbox (started on first use). Never runs anything unsandboxed."""
    try:
        return _shared_sandbox().run(code=code, tests=tests)
    except SandboxUnavailable as error:
        return {"verdict": "unavailable", "message": str(error), "tests": [], "output": "", "seconds": 0.0,
                "sandbox_start_seconds": 0.0}  # fmt: skip


def sandbox_self_check() -> str:
    """Start a throwaway sandbox with no preload and run one trivial test: "" when it works, else the reason."""
    reason = sandbox_unavailable_reason()
    if reason:
        return reason
    sandbox = Sandbox(preload=())
    try:
        reply = sandbox.run(code="x = 1", tests="def test_x(check):\n    check.equal(x, 1)\n")
    except SandboxUnavailable as error:
        return str(error)
    finally:
        sandbox.close()
    return "" if reply["verdict"] == "passed" else f"the sandbox answered {reply['verdict']}: {reply['message']}"
