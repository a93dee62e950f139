"""Hostile code against the real bubblewrap sandbox (worker/sandbox.py, no Django): each attack ends in a clear
verdict within the limits, and the same warm sandbox serves the next run. Tight limits keep the file fast."""

import os
import shutil
import time

import pytest

from worker.sandbox import Limits, Sandbox, SandboxUnavailable, sandbox_run, sandbox_unavailable_reason

LIMITS = Limits(cpu_seconds=2, wall_seconds=4.0, memory_mb=512, processes=16, output_bytes=20_000)
TRIVIAL_TEST = "def test_ran(check):\n    check.true(True, '')\n"
SDPA = """
import math
import torch

def attention(q, k, v):
    return (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ v
"""
SDPA_TESTS = """
import torch
import torch.nn.functional as F

def test_sdpa(check):
    q, k, v = (torch.randn(2, 3, 5, 8, generator=torch.Generator().manual_seed(i)) for i in range(3))
    check.close(attention(q, k, v), F.scaled_dot_product_attention(q, k, v), inputs={"q": q[0, 0, 0]}, atol=1e-5)

def test_wrong_on_purpose(check):
    check.close(attention(torch.ones(1, 2, 4), torch.ones(1, 2, 4), torch.ones(1, 2, 4)), torch.zeros(1, 2, 4),
                inputs={"q, k, v": "ones(1, 2, 4)"})
"""

pytestmark = pytest.mark.skipif(not shutil.which("bwrap"), reason="bubblewrap is not installed")


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox(limits=LIMITS, preload=("torch",))
    box.start()
    yield box
    box.close()


def _run(sandbox, code, tests=TRIVIAL_TEST):
    started = time.monotonic()
    reply = sandbox.run(code=code, tests=tests)
    reply["elapsed"] = time.monotonic() - started
    return reply


def _serves_next_run(sandbox):
    reply = _run(sandbox, "x = 41 + 1", "def test_x(check):\n    check.equal(x, 42)\n")
    assert reply["verdict"] == "passed", reply


def test_a_run_reports_each_test_with_input_expected_and_got(sandbox):
    reply = _run(sandbox, SDPA, SDPA_TESTS)
    assert reply["verdict"] == "failed" and reply["message"] == "1 of 2 tests failed."
    passed, failed = reply["tests"]
    assert passed["name"] == "test_sdpa" and passed["passed"] is True
    assert failed["passed"] is False and "values differ" in failed["message"]
    assert failed["inputs"] == "q, k, v = 'ones(1, 2, 4)'"
    assert "tensor(1, 2, 4)" in failed["expected"] and "0." in failed["expected"] and "1." in failed["got"]
    assert reply["sandbox_start_seconds"] == 0.0  # warm: the zygote was already up


def test_a_syntax_error_is_an_error_verdict_with_the_line(sandbox):
    reply = _run(sandbox, "def f(:\n    pass\n")
    assert reply["verdict"] == "error" and "SyntaxError" in reply["message"] and "line 1" in reply["message"]


def test_fork_bomb_hits_the_process_limit(sandbox):
    reply = _run(sandbox, "import os\nwhile True:\n    os.fork()\n")
    assert reply["verdict"] == "error" and reply["message"].startswith("Process limit (16) reached")
    assert reply["elapsed"] < LIMITS.wall_seconds + 2
    _serves_next_run(sandbox)


def test_infinite_loop_is_stopped(sandbox):
    reply = _run(sandbox, "while True:\n    pass\n")
    assert reply["verdict"] == "timeout" and "Stopped after" in reply["message"]
    assert reply["elapsed"] < LIMITS.wall_seconds + 2
    _serves_next_run(sandbox)


def test_sleeping_forever_is_stopped_by_wall_time(sandbox):
    reply = _run(sandbox, "import time\ntime.sleep(600)\n")
    assert reply["verdict"] == "timeout" and "wall time" in reply["message"]
    assert reply["elapsed"] < LIMITS.wall_seconds + 2


@pytest.mark.parametrize("allocation", ["x = bytearray(10 * 2**30)", "import torch\nx = torch.empty(10 * 2**30,"
                                        " dtype=torch.uint8)"])  # fmt: skip
def test_ten_gigabytes_is_a_memory_verdict(sandbox, allocation):
    reply = _run(sandbox, allocation)
    assert reply["verdict"] == "memory" and "Out of memory (limit 512 MB)" in reply["message"]
    _serves_next_run(sandbox)


def test_the_filesystem_is_read_only_except_a_private_temp_dir(sandbox):
    code = """
import os
blocked = []
for path in ("/usr/evil", "/sandbox/site/evil.py", "/sandbox/python/evil", "/evil", "/proc/evil"):
    try:
        open(path, "w").write("x")
    except OSError as error:
        blocked.append(error.errno)
open("mine.txt", "w").write("kept for this run only")
open("/tmp/shared.txt", "w").write("left behind?")
here = os.getcwd()
"""
    tests = """
def test_blocked(check):
    check.equal(len(blocked), 5)
    check.equal(open("mine.txt").read(), "kept for this run only")
    check.true(here.startswith("/tmp/run-"), here)
"""
    assert _run(sandbox, code, tests)["verdict"] == "passed"
    # the next run does not see this run's directory; /tmp itself is the sandbox's tmpfs, emptied of run dirs
    reply = _run(sandbox, "import os\nleft = sorted(os.listdir('/tmp'))\n",
                 "def test_left(check):\n    check.true(all(not n.startswith('run-') or n == __import__('os').getcwd()"
                 "[5:] for n in left), str(left))\n")  # fmt: skip
    assert reply["verdict"] == "passed", reply


def test_the_apps_files_environment_and_secrets_are_invisible(sandbox, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "very-secret-value")  # the worker's environment (already running sandbox too)
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    code = f"""
import os
env = dict(os.environ)
exists = {{path: os.path.exists(path) for path in ({repo!r}, {repo + "/quizsite/settings.py"!r}, "/work", "/root",
                                                   "/etc/passwd", "/home", "/var")}}
try:
    init_env = open("/proc/1/environ", "rb").read()
except OSError:
    init_env = b""
"""
    tests = """
def test_nothing_visible(check):
    check.true("SECRET_KEY" not in env and "DATABASE_URL" not in env, str(sorted(env)))
    check.true(not any(exists.values()), str(exists))
    check.true(b"SECRET" not in init_env, "init environment leaked")
"""
    reply = _run(sandbox, code, tests)
    assert reply["verdict"] == "passed", reply
    assert "very-secret-value" not in str(reply)
    # a fresh sandbox started while the secret is in the worker's environment does not inherit it either
    fresh = Sandbox(limits=LIMITS, preload=())
    try:
        reply = fresh.run(code="import os\nenv = dict(os.environ)", tests="def test_env(check):\n"
                          "    check.true('SECRET_KEY' not in env, str(sorted(env)))\n")  # fmt: skip
    finally:
        fresh.close()
    assert reply["verdict"] == "passed", reply


def test_there_is_no_network(sandbox):
    code = """
import socket
errors = []
for address in (("1.1.1.1", 80), ("127.0.0.1", 5432), ("127.0.0.1", 6379)):
    try:
        socket.create_connection(address, timeout=1)
    except OSError as error:
        errors.append(type(error).__name__)
"""
    tests = "def test_no_connection(check):\n    check.equal(len(errors), 3)\n"
    reply = _run(sandbox, code, tests)
    assert reply["verdict"] == "passed", reply


def test_a_shell_runs_as_nobody_and_sees_only_the_sandbox(sandbox):
    code = """
import subprocess
out = subprocess.run(["sh", "-c", "id -u; ls /; cat /proc/self/status | grep CapEff"], capture_output=True,
                     text=True).stdout.split()
"""
    tests = """
def test_shell(check):
    check.equal(out[0], "65534")
    check.equal(sorted(out[1:-2]), ["bin", "dev", "lib", "lib64", "proc", "sandbox", "tmp", "usr"])
    check.equal(out[-1], "0000000000000000")
"""
    reply = _run(sandbox, code, tests)
    assert reply["verdict"] == "passed", reply


def test_huge_output_is_cut(sandbox):
    reply = _run(sandbox, "while True:\n    print('x' * 1000)\n")
    assert reply["verdict"] == "output_limit" and "more than 20 kB" in reply["message"]
    assert len(reply["output"]) <= LIMITS.output_bytes and reply["elapsed"] < 3
    _serves_next_run(sandbox)


def test_ctypes_poking_memory_crashes_only_the_run(sandbox):
    reply = _run(sandbox, "import ctypes\nctypes.string_at(0)\n")
    assert reply["verdict"] == "crashed" and "SIGSEGV" in reply["message"]
    _serves_next_run(sandbox)


def test_a_program_that_kills_the_sandbox_gets_a_verdict_and_a_fresh_sandbox_follows(sandbox):
    reply = _run(sandbox, "import os, signal\nos.kill(-1, signal.SIGKILL)\n")
    assert reply["verdict"] == "crashed" and "restarts" in reply["message"]
    reply = _run(sandbox, SDPA, SDPA_TESTS)
    assert reply["verdict"] == "failed" and reply["tests"][0]["passed"] and reply["sandbox_start_seconds"] > 0


def test_no_process_survives_into_the_next_run(sandbox):
    code = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\n"
    assert _run(sandbox, code)["verdict"] == "passed"
    reply = _run(sandbox, "import os\npids = [p for p in os.listdir('/proc') if p.isdigit()]\n",
                 "def test_alone(check):\n    check.equal(len(pids), 3, inputs={'pids': pids})\n")  # fmt: skip
    assert reply["verdict"] == "passed", reply  # bwrap's init, the zygote, this run


def test_without_bubblewrap_nothing_runs(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert "bubblewrap" in sandbox_unavailable_reason()
    with pytest.raises(SandboxUnavailable):
        Sandbox(preload=()).start()
    import worker.sandbox

    monkeypatch.setattr(worker.sandbox, "_shared", None)
    reply = sandbox_run(code="print('never')", tests=TRIVIAL_TEST)
    assert reply["verdict"] == "unavailable" and reply["output"] == ""


def test_runs_leave_no_open_files_behind(sandbox):
    count = "import os\nn = len(os.listdir('/proc/self/fd'))\n"
    counts = []
    for _ in range(3):
        reply = _run(sandbox, count, "def test_n(check):\n    print(n)\n")
        counts.append(int(reply["output"]))
    assert counts[0] == counts[1] == counts[2], counts


def test_no_new_user_namespace_and_no_ptrace(sandbox):
    code = """
import ctypes, os, subprocess
libc = ctypes.CDLL(None, use_errno=True)
unshare = libc.unshare(0x10000000)  # CLONE_NEWUSER
unshare_errno = ctypes.get_errno()
ptrace = libc.ptrace(16, 1, 0, 0)  # PTRACE_ATTACH to bwrap's init
shell = subprocess.run(["unshare", "-U", "-r", "id"], capture_output=True, text=True).returncode
"""
    tests = """
def test_refused(check):
    check.equal((unshare, unshare_errno), (-1, 1))
    check.equal(ptrace, -1)
    check.true(shell != 0, "unshare -U succeeded")
"""
    reply = _run(sandbox, code, tests)
    assert reply["verdict"] == "passed", reply
