"""The warm Python inside the sandbox: imports torch once, then forks one limited child per run.

This file is sent as the program text of the sandboxed interpreter (`python -I -c`): it is not bound into the
sandbox and it imports nothing from the project. Protocol on stdin/stdout, one JSON object per line:
host -> {"code", "tests", "limits"}; zygote -> {"verdict", "tests", "output", "message", "seconds"}.

The learner's code and the hidden tests run in the same child process, after the rlimits are set; the verdict is a
practice aid for the learner's own code, so a program that rewrites the test harness only fools its author.
"""

import json
import os
import resource
import select
import shutil
import signal
import sys
import time
import traceback

SITE = "/sandbox/site"
NOBODY = 65534
RESULT_MAX = 256_000


def _drop_privileges() -> None:
    # Started as uid 0 of a user namespace whose 65534 maps to the real unprivileged 65534: switching to it here
    # makes RLIMIT_NPROC count (the kernel never enforces it on real root) and drops every capability.
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)


def _vm_size_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _preload(modules: list[str]) -> None:
    import importlib

    for name in modules:
        importlib.import_module(name)
    if "torch" in sys.modules:
        import torch

        # One thread: no OpenMP pool exists when we fork (a pool does not survive fork), and two cores are shared.
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        q = torch.randn(1, 1, 4, 8)
        torch.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True)  # lazy kernels initialised once


# ---------------------------------------------------------------------------------------------------- in the child


class CheckFailed(AssertionError):
    def __init__(self, message: str, *, inputs="", expected="", got=""):
        super().__init__(message)
        self.message, self.inputs, self.expected, self.got = message, inputs, expected, got


def _show(value, limit: int = 1500) -> str:
    try:
        torch = sys.modules.get("torch")
        if torch is not None and isinstance(value, torch.Tensor):
            text = f"tensor{tuple(value.shape)} {value.dtype}\n{value!r}"
        else:
            text = repr(value)
    except Exception:
        text = repr(value)
    return text if len(text) <= limit else text[:limit] + " …"


def _show_inputs(inputs) -> str:
    if isinstance(inputs, dict):
        return "\n".join(f"{key} = {_show(value, 600)}" for key, value in inputs.items())
    return _show(inputs)


class Check:
    """What a hidden test calls: compares with tolerances stated in the call and reports input, expected, got."""

    def close(self, got, expected, *, inputs=None, atol: float = 1e-5, rtol: float = 1e-4, what: str = "result"):
        import torch

        if isinstance(expected, torch.Tensor):
            if not isinstance(got, torch.Tensor):
                self._fail(f"{what}: expected a tensor, got {type(got).__name__}", inputs, expected, got)
            if tuple(got.shape) != tuple(expected.shape):
                self._fail(f"{what}: shape {tuple(got.shape)}, expected {tuple(expected.shape)}", inputs, expected,
                           got)  # fmt: skip
            if (got.dtype == torch.bool) != (expected.dtype == torch.bool) or (
                got.dtype.is_floating_point != expected.dtype.is_floating_point
            ):
                self._fail(f"{what}: dtype {got.dtype}, expected {expected.dtype}", inputs, expected, got)
            if expected.dtype == torch.bool:
                if not torch.equal(got, expected):
                    self._fail(f"{what}: values differ", inputs, expected, got)
                return
            ok = torch.allclose(got.detach().double(), expected.detach().double(), atol=atol, rtol=rtol,
                                equal_nan=True)  # fmt: skip
            if not ok:
                worst = (got.detach().double() - expected.detach().double()).abs().nan_to_num(float("inf")).max()
                self._fail(f"{what}: values differ (max |diff| {float(worst):.3g}; atol {atol}, rtol {rtol})", inputs,
                           expected, got)  # fmt: skip
            return
        if isinstance(expected, float) or isinstance(got, float):
            try:
                ok = abs(float(got) - float(expected)) <= atol + rtol * abs(float(expected))
            except (TypeError, ValueError):
                ok = False
            if not ok:
                self._fail(f"{what}: {got!r}, expected {expected!r} (atol {atol}, rtol {rtol})", inputs, expected, got)
            return
        self.equal(got, expected, inputs=inputs, what=what)

    def equal(self, got, expected, *, inputs=None, what: str = "result"):
        if type(got) is not type(expected) and not (isinstance(got, int) and isinstance(expected, int)):
            self._fail(f"{what}: a {type(got).__name__}, expected a {type(expected).__name__}", inputs, expected, got)
        if got != expected:
            self._fail(f"{what}: values differ", inputs, expected, got)

    def true(self, condition, message: str, *, inputs=None):
        if not condition:
            self._fail(message, inputs, "", "")

    def _fail(self, message, inputs, expected, got):
        raise CheckFailed(message, inputs=_show_inputs(inputs) if inputs is not None else "",
                          expected=_show(expected) if expected != "" else "", got=_show(got) if got != "" else "")  # fmt: skip


def _short_traceback(error: BaseException, filename: str) -> str:
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename in ("solution.py",
              "tests.py")]  # fmt: skip
    lines = traceback.format_list(frames[-4:]) + traceback.format_exception_only(type(error), error)
    text = "".join(lines)
    return text[-3000:]


def _run_child(request: dict, result_fd: int) -> None:
    results: dict = {"phase": "load", "tests": []}
    if "torch" in sys.modules:  # never import it here: a sandbox without the preload stays light
        sys.modules["torch"].set_printoptions(precision=4, threshold=40, edgeitems=2, linewidth=100)
    namespace: dict = {"__name__": "solution"}
    try:
        exec(compile(request["code"], "solution.py", "exec"), namespace)  # noqa: S102 - inside the sandbox
    except BaseException as error:  # SystemExit and MemoryError too: the verdict says what happened
        results.update(error=_short_traceback(error, "solution.py"), error_type=type(error).__name__)
        _write_result(result_fd, results)
        return
    results["phase"] = "tests"
    tests_ns = dict(namespace)
    tests_ns["__name__"] = "tests"
    exec(compile(request["tests"], "tests.py", "exec"), tests_ns)  # noqa: S102 - inside the sandbox
    check = Check()
    for name, function in list(tests_ns.items()):
        if not (name.startswith("test_") and callable(function)):
            continue
        doc = (function.__doc__ or "").strip().splitlines()
        entry = {"name": name, "title": doc[0] if doc else name.removeprefix("test_").replace("_", " ")}
        started = time.perf_counter()
        try:
            function(check)
            entry["passed"] = True
        except CheckFailed as failure:
            entry.update(passed=False, message=failure.message, inputs=failure.inputs, expected=failure.expected,
                         got=failure.got)  # fmt: skip
        except BaseException as error:
            entry.update(passed=False, message=_short_traceback(error, "tests.py"), error_type=type(error).__name__)
        entry["seconds"] = round(time.perf_counter() - started, 4)
        results["tests"].append(entry)
    results["phase"] = "done"
    _write_result(result_fd, results)


def _write_result(fd: int, results: dict) -> None:
    if os.getpid() != _CHILD_PID[0]:  # a process the program forked: only the run's own child reports
        os._exit(1)
    data = json.dumps(results).encode()[:RESULT_MAX]
    with os.fdopen(fd, "wb") as out:
        out.write(data)


_CHILD_PID = [0]


def _child(request: dict, workdir: str, output_w: int, result_w: int, base_vm: int) -> None:
    limits = request["limits"]
    _CHILD_PID[0] = os.getpid()
    os.setsid()
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(output_w, 1)
    os.dup2(output_w, 2)
    os.chdir(workdir)
    os.environ.update(HOME=workdir, TMPDIR=workdir)
    cpu = int(limits["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    memory = base_vm + int(limits["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_NPROC, (int(limits["processes"]),) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(limits["file_mb"]) * 1024 * 1024,) * 2)
    resource.setrlimit(resource.RLIMIT_NOFILE, (int(limits["open_files"]),) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.stdout = os.fdopen(1, "w", buffering=1)
    sys.stderr = os.fdopen(2, "w", buffering=1)
    try:
        _run_child(request, result_w)
    finally:
        sys.stdout.flush()
        os._exit(0)


# --------------------------------------------------------------------------------------------------- in the zygote


def _kill_strays() -> None:
    """Every process of the sandbox but bwrap's init (1) and us: nothing of one run survives into the next.
    Waits (up to a second) until bwrap's init has reaped them, so the next run starts alone."""
    me = os.getpid()
    deadline = time.monotonic() + 1.0
    while True:
        strays = [int(entry) for entry in os.listdir("/proc") if entry.isdigit() and int(entry) not in (1, me)]
        if not strays or time.monotonic() > deadline:
            return
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.005)


def _serve_one(request: dict, run_number: int, base_vm: int) -> dict:
    limits = request["limits"]
    workdir = f"/tmp/run-{run_number}"  # noqa: S108 - the sandbox's own private tmpfs
    os.mkdir(workdir, 0o700)
    output_r, output_w = os.pipe()
    result_r, result_w = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.close(output_r)
        os.close(result_r)
        _child(request, workdir, output_w, result_w, base_vm)
    os.close(output_w)
    os.close(result_w)
    output, result, reason = bytearray(), bytearray(), ""
    output_cap = int(limits["output_bytes"])
    deadline = started + float(limits["wall_seconds"])
    open_fds = {output_r, result_r}
    status = None
    while open_fds:
        left = deadline - time.perf_counter()
        if left <= 0:
            reason = "wall"
            break
        if status is None:
            exited, code = os.waitpid(pid, os.WNOHANG)
            status = code if exited else None
        # Once the run's own process has exited, only drain what is already written: a background process it
        # left holding the pipes must not stretch the run (it is killed below).
        ready, _, _ = select.select(list(open_fds), [], [], 0 if status is not None else min(left, 0.05))
        if not ready and status is not None:
            break
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                open_fds.discard(fd)
                os.close(fd)
                continue
            if fd == output_r:
                output += chunk
                if len(output) > output_cap:
                    reason = "output"
            else:
                result += chunk
                if len(result) > RESULT_MAX:
                    reason = "output"
        if reason:
            break
    if reason:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    if status is None:
        _, status = os.waitpid(pid, 0)
    seconds = time.perf_counter() - started
    for fd in open_fds:
        os.close(fd)
    _kill_strays()
    shutil.rmtree(workdir, ignore_errors=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    reply = _verdict(status=status, reason=reason, result=bytes(result), limits=limits)
    reply.update(output=output[:output_cap].decode(errors="replace"), seconds=round(seconds, 4),
                 cpu_seconds_total=round(usage.ru_utime + usage.ru_stime, 3))  # fmt: skip
    return reply


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


MEMORY_WORDS = ("MemoryError", "can't allocate memory", "not enough memory", "Cannot allocate memory")


def _verdict(*, status: int, reason: str, result: bytes, limits: dict) -> dict:
    if reason == "wall":
        return {"verdict": "timeout", "message": f"Stopped after {limits['wall_seconds']} s of wall time.", "tests": []}
    if reason == "output":
        return {"verdict": "output_limit", "tests": [],
                "message": f"Stopped: the program printed more than {limits['output_bytes'] // 1000} kB."}  # fmt: skip
    if os.WIFSIGNALED(status) or not result:
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        if sig in (signal.SIGXCPU, signal.SIGKILL) and not result:
            return {"verdict": "timeout", "tests": [],
                    "message": f"Stopped after {limits['cpu_seconds']} s of CPU time."}  # fmt: skip
        if sig == signal.SIGXFSZ:
            return {"verdict": "error", "tests": [],
                    "message": f"Stopped: a file grew past {limits['file_mb']} MB."}  # fmt: skip
        if sig:
            return {"verdict": "crashed", "tests": [], "message": f"The program crashed ({signal.Signals(sig).name})."}
    try:
        parsed = json.loads(result) if result else None
    except ValueError:
        parsed = None
    if parsed is None:
        return {"verdict": "error", "tests": [], "message": "The program exited before the tests could report."}
    tests = parsed.get("tests", [])
    error_text = parsed.get("error", "") + " ".join(t.get("message", "") for t in tests if not t.get("passed"))
    memory_hit = any(word in error_text for word in MEMORY_WORDS)
    if parsed["phase"] == "load":
        if parsed.get("error_type") == "BlockingIOError":  # EAGAIN from fork: RLIMIT_NPROC
            return {"verdict": "error", "tests": [], "message": f"Process limit ({limits['processes']}) reached.\n"
                    + parsed["error"]}  # fmt: skip
        if memory_hit:
            return {"verdict": "memory", "tests": [], "message": f"Out of memory (limit {limits['memory_mb']} MB).\n"
                    + parsed.get("error", "")}  # fmt: skip
        return {"verdict": "error", "tests": [], "message": parsed.get("error", "")}
    if parsed["phase"] != "done":
        return {"verdict": "error", "tests": tests, "message": "The tests did not finish."}
    if tests and all(test.get("passed") for test in tests):
        return {"verdict": "passed", "tests": tests, "message": f"All {len(tests)} tests passed."}
    if memory_hit:
        return {"verdict": "memory", "tests": tests, "message": f"Out of memory (limit {limits['memory_mb']} MB)."}
    failed = sum(1 for test in tests if not test.get("passed"))
    return {"verdict": "failed", "tests": tests, "message": f"{failed} of {len(tests)} tests failed."}


def main() -> None:
    config = json.loads(sys.argv[1])
    sys.path.append(SITE)
    _drop_privileges()
    os.umask(0o077)
    # The protocol keeps the original stdout; anything printed by an import (or by us) goes to stderr instead.
    protocol_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    _preload(config.get("preload", []))
    base_vm = _vm_size_bytes()
    protocol_in = sys.stdin.buffer
    protocol_out.write(json.dumps({"ready": True, "base_vm_mb": base_vm // 2**20}).encode() + b"\n")
    protocol_out.flush()
    run_number = 0
    for line in protocol_in:
        run_number += 1
        try:
            reply = _serve_one(json.loads(line), run_number, base_vm)
        except Exception:
            reply = {"verdict": "sandbox_error", "message": traceback.format_exc()[-2000:], "tests": []}
        protocol_out.write(json.dumps(reply).encode() + b"\n")
        protocol_out.flush()


if __name__ == "__main__":
    main()
