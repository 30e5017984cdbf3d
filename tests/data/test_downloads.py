"""The download code, for real, against an HTTP server on 127.0.0.1 serving archives in the real layouts (the
official checksums are swapped for the test archives' in-process): fetch by name, resume, start over, a 404, a
server that is down, a wrong checksum, two runs at once, hostile and corrupt archives, offline, disk space."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import tarfile
import threading
from pathlib import Path

import pytest
import torch

from src.data.cifar10 import read_cifar10
from src.data.downloads import catalog, fetch, space
from src.data.downloads.fetch import locate
from src.data.downloads.progress import Progress
from src.errors import UserError
from tests.archive_server import ArchiveServer
from tests.helpers import cifar_arrays, write_cifar_py

CIFAR = catalog.ARCHIVES["cifar10"]


def tar_gz(folder: Path, arcname: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(folder, arcname=arcname)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def cifar_archive(tmp_path_factory) -> tuple[bytes, Path]:
    """A CIFAR-10 python archive in the official layout (4 images a batch) and the folder it was made from."""
    folder = write_cifar_py(tmp_path_factory.mktemp("cifar-source"), cifar_arrays(per_batch=4, seed=5))
    return tar_gz(folder, "cifar-10-batches-py"), folder


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CLASSIC_DL_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    return tmp_path / "cache"


@pytest.fixture
def served(cifar_archive, cache, monkeypatch):
    """The test archive on a server that CLASSIC_DL_MIRROR points at, its checksum in the catalog."""
    data, _ = cifar_archive
    official = dataclasses.replace(CIFAR, size=len(data), md5=hashlib.md5(data).hexdigest())
    monkeypatch.setitem(catalog.ARCHIVES, "cifar10", official)
    with ArchiveServer({CIFAR.file: data}) as server:
        monkeypatch.setenv("CLASSIC_DL_MIRROR", server.endpoint)
        yield server


def same_images(a, b) -> None:
    for left, right in zip((a.train, a.val, a.test), (b.train, b.val, b.test), strict=True):
        torch.testing.assert_close(left[0], right[0])
        torch.testing.assert_close(left[1], right[1])


def test_fetched_by_name_reads_as_the_folder_it_was_made_from_and_is_reused(served, cifar_archive, cache, capsys):
    _, source = cifar_archive
    located = locate("cifar10", "cifar10")
    assert located.path == cache / "datasets" / f"cifar10-{catalog.ARCHIVES['cifar10'].md5[:12]}" / CIFAR.root
    assert located.origin["md5"] == catalog.ARCHIVES["cifar10"].md5 and located.origin["official"] is True
    same_images(read_cifar10(located.path), read_cifar10(source))
    assert (cache / "downloads" / CIFAR.file).read_bytes() == served.files[CIFAR.file]
    assert not list((cache / "downloads").glob("*.part"))
    assert f"fetching {CIFAR.title} from {served.endpoint}/{CIFAR.file}" in capsys.readouterr().out
    assert locate("cifar10", "cifar10") == located
    assert served.gets(CIFAR.file) == [None]  # the second run touched neither the network nor the archive


def test_a_dropped_connection_resumes_with_a_range_request(served):
    served.drop_after[CIFAR.file] = 1000
    located = locate("cifar10", "cifar10")
    assert served.gets(CIFAR.file) == [None, "bytes=1000-"]
    assert (located.path / "test_batch").is_file()


def test_an_earlier_runs_part_file_is_resumed(served, cache):
    data = served.files[CIFAR.file]
    (cache / "downloads").mkdir(parents=True)
    (cache / "downloads" / f"{CIFAR.file}.part").write_bytes(data[:1234])
    locate("cifar10", "cifar10")
    assert served.gets(CIFAR.file) == ["bytes=1234-"]
    assert (cache / "downloads" / CIFAR.file).read_bytes() == data


def test_a_server_that_cannot_resume_sends_it_whole_and_we_start_over(served, cache):
    data = served.files[CIFAR.file]
    (cache / "downloads").mkdir(parents=True)
    (cache / "downloads" / f"{CIFAR.file}.part").write_bytes(b"x" * 500)  # not even the right bytes
    served.ignore_range = True
    locate("cifar10", "cifar10")
    assert (cache / "downloads" / CIFAR.file).read_bytes() == data


def test_a_wrong_checksum_deletes_the_file_and_says_so(served, cache):
    catalog.ARCHIVES["cifar10"] = dataclasses.replace(catalog.ARCHIVES["cifar10"], md5="0" * 32)
    served_md5 = hashlib.md5(served.files[CIFAR.file]).hexdigest()
    with pytest.raises(UserError, match=rf"md5 {served_md5} instead of 0{{32}}: not the expected file; deleted it"):
        locate("cifar10", "cifar10")
    assert list((cache / "downloads").iterdir()) == [cache / "downloads" / f"{CIFAR.file}.lock"]
    assert not [path for path in (cache / "datasets").iterdir() if path.suffix != ".lock"]


def test_a_missing_file_is_one_line_naming_the_url_and_the_status(served):
    served.files.clear()
    with pytest.raises(UserError, match=rf"^{served.endpoint}/{CIFAR.file}: the server answered HTTP 404 Not Found$"):
        locate("cifar10", "cifar10")


def test_a_server_that_is_down_says_how_to_do_without_it(served, cache):
    served.stop()
    with pytest.raises(UserError) as error:
        locate("cifar10", "cifar10")
    message = str(error.value)
    assert message.startswith(f"--data-dir cifar10: cannot reach {served.endpoint}/{CIFAR.file} (")
    assert f"download {CIFAR.url} by hand and pass it (--data-dir {CIFAR.file})" in message
    assert f"or put it at {cache / 'downloads' / CIFAR.file}" in message and "\n" not in message


def test_offline_fetches_nothing(served, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(UserError, match="HF_HUB_OFFLINE=1 forbids fetching"):
        locate("cifar10", "cifar10")
    assert served.requests == []


def test_a_manual_download_in_the_cache_is_used_without_the_network(served, cache, monkeypatch):
    (cache / "downloads").mkdir(parents=True)
    (cache / "downloads" / CIFAR.file).write_bytes(served.files[CIFAR.file])
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert (locate("cifar10", "cifar10").path / "data_batch_5").is_file()
    assert served.requests == []


def test_a_wrong_file_put_in_the_cache_is_refused_and_kept(served, cache):
    (cache / "downloads").mkdir(parents=True)
    (cache / "downloads" / CIFAR.file).write_bytes(b"not the archive")
    with pytest.raises(UserError, match=r"not the official archive's .*; delete it to fetch it again, or pass it"):
        locate("cifar10", "cifar10")
    assert (cache / "downloads" / CIFAR.file).read_bytes() == b"not the archive"


def test_two_runs_fetching_at_once_take_turns(served, cache, capsys):
    served.delay = 0.5
    found, errors = [], []

    def run() -> None:
        try:
            found.append(locate("cifar10", "cifar10"))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and found[0] == found[1]
    assert served.gets(CIFAR.file) == [None]
    assert "waiting for another run that is fetching" in capsys.readouterr().out


def test_too_little_disk_space_is_refused_before_downloading(served, monkeypatch):
    monkeypatch.setattr(space.shutil, "disk_usage", lambda path: type("Usage", (), {"free": 10_000_000})())
    with pytest.raises(UserError, match=r"10\.0 MB free, .* needs about"):
        locate("cifar10", "cifar10")
    assert served.requests == []


def test_a_local_archive_is_extracted_once_and_its_checksum_recorded(cifar_archive, cache, tmp_path, capsys):
    data, source = cifar_archive
    archive = tmp_path / "cifar-10-python.tar.gz"
    archive.write_bytes(data)
    located = locate(str(archive), "cifar10")
    md5 = hashlib.md5(data).hexdigest()
    assert located.origin == {
        "name": "cifar10",
        "file": str(archive),
        "md5": md5,
        "official_md5": CIFAR.md5,
        "official": False,
    }
    assert f"note: {archive} has md5 {md5}, not the official" in capsys.readouterr().out
    same_images(read_cifar10(located.path), read_cifar10(source))
    assert locate(str(archive), "cifar10") == located


def hostile(tmp_path: Path, member: tarfile.TarInfo, body: bytes = b"x") -> Path:
    path = tmp_path / "hostile.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        folder = tarfile.TarInfo("cifar-10-batches-py")
        folder.type = tarfile.DIRTYPE
        tar.addfile(folder)
        if member.isfile():
            member.size = len(body)
            tar.addfile(member, io.BytesIO(body))
        else:
            tar.addfile(member)
    return path


def link(name: str, target: str, kind=tarfile.SYMTYPE) -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.type, member.linkname = kind, target
    return member


@pytest.mark.parametrize(
    ("member", "why"),
    [
        (tarfile.TarInfo("/tmp/evil.txt"), "an absolute path"),
        (tarfile.TarInfo("cifar-10-batches-py/../../evil.txt"), "a path that climbs out with '..'"),
        (link("cifar-10-batches-py/data_batch_1", "/etc/passwd"), "a link (to /etc/passwd)"),
        (link("cifar-10-batches-py/data_batch_2", "cifar-10-batches-py", tarfile.LNKTYPE), "a link"),
        (tarfile.TarInfo("cifar-10-batches-py/fifo"), "not a plain file or folder"),
    ],
)
def test_a_hostile_archive_is_refused_and_leaves_nothing(member, why, cache, tmp_path):
    if member.name.endswith("fifo"):
        member.type = tarfile.FIFOTYPE
    archive = hostile(tmp_path, member)
    with pytest.raises(UserError, match=rf"^{archive}: refusing to extract '.*': {re.escape(why)}"):
        locate(str(archive), "cifar10")
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/evil.txt").exists()
    assert [path.name for path in (cache / "datasets").iterdir()] == [
        f"cifar10-{hashlib.md5(archive.read_bytes()).hexdigest()[:12]}.lock"
    ]


def test_a_truncated_archive_is_one_line_and_leaves_nothing(cifar_archive, cache, tmp_path):
    archive = tmp_path / "cifar-10-python.tar.gz"
    archive.write_bytes(cifar_archive[0][:-3000])
    with pytest.raises(UserError, match=rf"^{archive}: a truncated or corrupt archive \("):
        locate(str(archive), "cifar10")
    assert not [path for path in (cache / "datasets").iterdir() if path.suffix != ".lock"]


def test_an_archive_of_something_else_is_refused(cache, tmp_path):
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("hello")
    archive = tmp_path / "other.tar.gz"
    archive.write_bytes(tar_gz(tmp_path / "other", "other"))
    with pytest.raises(
        UserError,
        match=rf"^{archive}: not CIFAR-10 \(python version\): cifar-10-batches-py/data_batch_1 is missing inside it$",
    ):
        locate(str(archive), "cifar10")


def test_progress_off_a_terminal_is_a_line_per_tenth():
    stream, clock = io.StringIO(), iter(range(100)).__next__
    progress = Progress("file.tar.gz", 1_000_000, stream=stream, clock=lambda: clock())
    for done in range(0, 1_000_001, 50_000):
        progress.update(done)
    progress.finish()
    lines = stream.getvalue().splitlines()
    assert [line.split(":")[1].split("%")[0].strip() for line in lines] == [str(p) for p in range(10, 101, 10)]
    assert lines[0].startswith("file.tar.gz: 10% (0.1 MB of 1.0 MB, ") and "MB/s" in lines[0] and "left)" in lines[0]


def test_progress_on_a_terminal_redraws_one_line():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream, now = Terminal(), [0.0]
    progress = Progress("f", 2_000_000, stream=stream, clock=lambda: now[0])
    for done in (500_000, 1_000_000, 2_000_000):
        now[0] += 1.0
        progress.update(done)
    progress.finish()
    text = stream.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n") and text.count("\n") == 1
    assert "[######..................]  25% 0.5 MB of 2.0 MB, 0.5 MB/s, 0:03 left" not in text  # rate: 0.5 MB in 1 s
    assert "[######..................]  25% 0.5 MB of 2.0 MB, 0.5 MB/s, 3 s left" in text
    assert "[########################] 100% 2.0 MB of 2.0 MB, 0.7 MB/s\x1b[K" in text


def test_a_shorter_file_than_expected_is_refused_at_once(served, cache):
    data = served.files[CIFAR.file]
    served.files[CIFAR.file] = data[:1000]  # the mirror holds something else
    with pytest.raises(UserError, match=rf"sends 1,000 bytes, not the expected {len(data):,}: not that file$"):
        locate("cifar10", "cifar10")
    assert served.gets(CIFAR.file) == [None]
    assert not (cache / "downloads" / f"{CIFAR.file}.part").exists()


def test_a_part_file_longer_than_the_servers_file_starts_over(served, cache):
    data = served.files[CIFAR.file]
    (cache / "downloads").mkdir(parents=True)
    (cache / "downloads" / f"{CIFAR.file}.part").write_bytes(data)  # complete, but a run died before the rename
    served.files[CIFAR.file] = data
    catalog.ARCHIVES["cifar10"] = dataclasses.replace(catalog.ARCHIVES["cifar10"], size=len(data))
    locate("cifar10", "cifar10")  # nothing left to fetch: checked and renamed
    assert served.gets(CIFAR.file) == [] and (cache / "downloads" / CIFAR.file).read_bytes() == data


def test_the_server_cannot_resume_a_range_past_its_end(served, cache):
    """A 416 (the .part file is as long as the server's file, but the size expected is larger): start over, then
    the short file is refused."""
    data = served.files[CIFAR.file]
    catalog.ARCHIVES["cifar10"] = dataclasses.replace(catalog.ARCHIVES["cifar10"], size=len(data) + 10)
    (cache / "downloads").mkdir(parents=True)
    (cache / "downloads" / f"{CIFAR.file}.part").write_bytes(data)
    with pytest.raises(UserError, match="not that file"):
        locate("cifar10", "cifar10")
    assert served.gets(CIFAR.file) == [f"bytes={len(data)}-", None]


def test_a_mirror_that_is_not_a_url_is_one_line(served, monkeypatch):
    monkeypatch.setenv("CLASSIC_DL_MIRROR", "/srv/mirror")
    with pytest.raises(UserError, match=r"^CLASSIC_DL_MIRROR=/srv/mirror: expected an http:// or https:// URL"):
        locate("cifar10", "cifar10")


def test_a_cache_that_cannot_be_created_is_one_line(served, tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("CLASSIC_DL_CACHE", str(tmp_path / "a-file" / "cache"))
    with pytest.raises(UserError, match=r"cannot create the cache folder \(Not a directory\); set CLASSIC_DL_CACHE$"):
        locate("cifar10", "cifar10")


def test_a_folder_named_like_the_dataset_is_read_as_that_folder(cifar_archive, cache, tmp_path, monkeypatch):
    _, source = cifar_archive
    (tmp_path / "cifar10").symlink_to(source.parent)
    monkeypatch.chdir(tmp_path)
    assert locate("cifar10", "cifar10") == fetch.Located(Path("cifar10"))
