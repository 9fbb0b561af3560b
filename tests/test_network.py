"""The pipeline must make no outbound network connection: this is health data."""

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.models  # real models on real audio: needs `dialogic models fetch`

# Installed as sitecustomize, so it runs first in the test's interpreter and in every Python
# process that one starts (the transcription worker included): it refuses and records every
# connection or DNS lookup that is not local.
GUARD = textwrap.dedent(
    """
    import os, sys
    def _guard(event, args):
        if event == "socket.connect":
            address = args[1]
            host = str(address[0] if isinstance(address, tuple) else address)
            if not (host.startswith("127.") or host in ("::1", "localhost") or host.startswith("/")):
                with open(os.environ["DIALOGIC_NET_LOG"], "a") as log:
                    log.write(f"{os.getpid()} connect {address}\\n")
                raise ConnectionRefusedError(f"blocked outbound connection to {address}")
        if event == "socket.getaddrinfo" and args[0] not in ("localhost", "127.0.0.1", "::1", None):
            with open(os.environ["DIALOGIC_NET_LOG"], "a") as log:
                log.write(f"{os.getpid()} getaddrinfo {args[0]}\\n")
            raise OSError(f"blocked DNS lookup of {args[0]}")
    sys.addaudithook(_guard)
    """
)


def test_processing_opens_no_network_connection(sample_workdir, tmp_path):
    (tmp_path / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "net.log"
    log.write_text("")
    script = textwrap.dedent(
        f"""
        import sys
        assert "sitecustomize" in sys.modules
        from dialogic.manifest import load_manifest
        from dialogic.pipeline import process_manifest
        from dialogic.options import PipelineOptions
        report = process_manifest({str(tmp_path / "n.duckdb")!r}, load_manifest({str(sample_workdir / "manifest.yaml")!r}), PipelineOptions())
        assert [r.status for r in report.results] == ["processed"], report.results
        assert report.results[0].tags > 0 and "transcribe" in report.results[0].timings_s
        """
    )
    env = {
        **os.environ,
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "DIALOGIC_NET_LOG": str(log),
    }
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert log.read_text() == "", log.read_text()


def test_the_guard_does_catch_a_connection(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "net.log"
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "DIALOGIC_NET_LOG": str(log)}
    script = (
        "import socket\ntry:\n    socket.create_connection(('192.0.2.1', 443), timeout=1)\nexcept OSError:\n    pass\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, timeout=60, check=True)
    assert "192.0.2.1" in log.read_text()  # refused before any packet left
