"""The pipeline must make no outbound network connection: this is health data."""

import subprocess
import sys
import textwrap


def test_processing_opens_no_network_connection(sample_workdir, tmp_path):
    # An audit hook in a fresh interpreter refuses every socket connect/bind to a non-local
    # address (and every DNS lookup) before dialogic or any model library is imported.
    script = textwrap.dedent(
        f"""
        import sys
        attempts = []
        def guard(event, args):
            if event == "socket.connect":
                address = args[1]
                host = address[0] if isinstance(address, tuple) else str(address)
                if not (str(host).startswith("127.") or host in ("::1", "localhost") or str(host).startswith("/")):
                    attempts.append((event, address))
                    raise ConnectionRefusedError(f"blocked outbound connection to {{address}}")
            if event == "socket.getaddrinfo" and args[0] not in ("localhost", "127.0.0.1", "::1", None):
                attempts.append((event, args[0]))
                raise OSError(f"blocked DNS lookup of {{args[0]}}")
        sys.addaudithook(guard)
        from dialogic.manifest import load_manifest
        from dialogic.pipeline import PipelineOptions, process_manifest
        report = process_manifest({str(tmp_path / "n.duckdb")!r}, load_manifest({str(sample_workdir / "manifest.yaml")!r}), PipelineOptions())
        print([r.status for r in report.results], attempts)
        assert [r.status for r in report.results] == ["processed"], report.results
        assert attempts == [], attempts
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
