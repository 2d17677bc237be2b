"""The organisation's name and logo come from the partnership's service at enrolment (set by
an administrator with CSE_SERVER_ORGANISATION and CSE_SERVER_LOGO), against a real server."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from cse_desktop.server import cli
from cse_desktop.server.config import MAX_LOGO_BYTES
from cse_desktop.services.organisation import printed_organisation
from tests.server.harness import enrol_device, running_service


def _png(path: Path, size: tuple[int, int] = (60, 30)) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 80)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_enrolment_brings_the_partnership_name_and_logo(tmp_path: Path, backend: str) -> None:
    logo = _png(tmp_path / "partnership-logo.png")
    env = {"CSE_SERVER_ORGANISATION": "Westbrook Children's Safeguarding Partnership",
           "CSE_SERVER_LOGO": str(logo)}
    for service in running_service(tmp_path, backend, env=env):
        service.user("orgworker")
        device = enrol_device(service, "orgworker", tmp_path / "laptop")
        try:
            printed = printed_organisation(device.store.get_meta("organisation"))
            assert printed.name == "Westbrook Children's Safeguarding Partnership"
            assert printed.logo_png == logo.read_bytes()
        finally:
            device.close()


@pytest.mark.parametrize(("content", "says"), [
    (b"GIF89a not a png", "is not a PNG image"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * (MAX_LOGO_BYTES + 1), "the limit is 256 KB"),
])
def test_a_wrong_logo_stops_the_service_with_a_plain_message(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        content: bytes, says: str) -> None:
    logo = tmp_path / "logo.file"
    logo.write_bytes(content)
    monkeypatch.setenv("CSE_SERVER_LOGO", str(logo))
    assert cli.main(["--data-dir", str(tmp_path / "server"), "serve"]) == 1
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_a_missing_logo_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CSE_SERVER_LOGO", str(tmp_path / "nowhere.png"))
    assert cli.main(["--data-dir", str(tmp_path / "server"), "serve"]) == 1
    assert "cannot read" in capsys.readouterr().err

