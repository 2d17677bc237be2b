"""A recovery key swapped in the configuration folder is shown, not used; the practitioner
accepts a new one only with their passphrase."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from PySide6.QtWidgets import QInputDialog, QMessageBox

from cse_desktop.crypto.keyfile import recovery_key_id
from cse_desktop.services.recovery import recovery_fingerprint
from cse_desktop.store import Store

from .conftest import PASSPHRASE, unlock_through_ui


def _configure(tmp_path: Path, monkeypatch, name: str) -> X25519PrivateKey:
    key = X25519PrivateKey.generate()
    path = tmp_path / name
    path.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    monkeypatch.setenv("CSE_RECOVERY_PUBLIC_KEY", str(path))
    return key


def _slot_ids(data_dir: Path) -> list[str]:
    return [s["key_id"] for s in Store.key_file(data_dir).read()["slots"]
            if s["type"] == "recovery"]


def test_swapped_recovery_key_is_shown_and_accepted_only_with_the_passphrase(
        qtbot, make_window, existing_store, data_dir, tmp_path, monkeypatch):
    original = _configure(tmp_path, monkeypatch, "org.pem")
    existing_store().lock()
    swapped = _configure(tmp_path, monkeypatch, "new.pem")
    window = make_window()
    unlock_through_ui(qtbot, window)
    notice = window.recovery_notice
    assert notice is not None and notice.isVisible()
    assert recovery_fingerprint(original.public_key()) in notice.text()
    assert recovery_fingerprint(swapped.public_key()) in notice.text()
    assert _slot_ids(data_dir) == [recovery_key_id(original.public_key())]  # not applied

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", staticmethod(
        lambda _parent, _title, text: shown.append(text)))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(
        lambda *args, **kwargs: (PASSPHRASE, True)))
    accept = next(b for b in notice.buttons() if "Accept" in b.text())
    accept.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert recovery_fingerprint(swapped.public_key()) in shown[0]
    assert _slot_ids(data_dir) == [recovery_key_id(swapped.public_key())]
    assert window.session.recovery_key_mismatch is None
