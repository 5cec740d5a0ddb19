"""Validated knowledge kept between processes, so that a CLI start reads it instead of
validating knowledge/ again (about half of `netplugin recommend`'s start, bench/cli_start.py).

    load_knowledge(cache=KnowledgeCache.default())

An entry is the pickled Knowledge, named by everything that could make it stale: the files'
content version, the directory they were read from, and the code that defines the models (the
source of bot/core/knowledge.py and conditions.py, and pydantic's version). A changed file is
a new version, so a stale answer is never read; old entries are left for `clear()`. Writes go
to a temporary file then `os.replace`, so concurrent runs read a whole entry or none.

Pickle runs code when it loads, so an entry is read only from a directory that is this user's
alone (mode 0700, owned by them) and only when the entry is theirs too; anything else (another
owner, a broken or truncated file, an unwritable cache) just means validating as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import tempfile
from pathlib import Path
from typing import Any

import pydantic

from bot.settings import override

# The code that defines what is pickled: a change to it is a new entry.
_CODE = [Path(__file__).with_name("knowledge.py"), Path(__file__).with_name("conditions.py")]


def _code_version() -> str:
    digest = hashlib.sha256(pydantic.VERSION.encode())
    for path in _CODE:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class KnowledgeCache:
    def __init__(self, directory: Path):
        self.directory = directory

    @classmethod
    def default(cls) -> KnowledgeCache | None:
        """NETPLUGIN_CACHE_DIR, else ~/.cache/netplugin; None when it is set to `off`."""
        chosen = override("netplugin_cache_dir")
        if chosen == "off":
            return None
        return cls(Path(chosen) if chosen else Path.home() / ".cache" / "netplugin")

    def _entry(self, directory: Path, version: str) -> Path:
        where = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:8]
        return self.directory / f"knowledge-{version}-{where}-{_code_version()}.pickle"

    def _private(self, path: Path) -> bool:
        """Whether `path` is this user's and nobody else may write it."""
        try:
            info = path.stat()
        except OSError:
            return False
        writable_by_others = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        return info.st_uid == os.getuid() and not writable_by_others

    def get(self, directory: Path, version: str) -> object | None:
        """The entry for this content version, unpickled (load_knowledge checks what it is)."""
        entry = self._entry(directory, version)
        if not (self._private(self.directory) and self._private(entry)):
            return None
        try:
            with entry.open("rb") as file:
                return pickle.load(file)
        except Exception:  # truncated, from another Python: validate instead
            return None

    def put(self, kb: Any) -> None:
        """Keep `kb`; a cache that cannot be written is no cache, never an error."""
        with contextlib.suppress(OSError, pickle.PicklingError, TypeError, AttributeError):
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not self._private(self.directory):
                return
            entry = self._entry(kb.directory, kb.version)
            with tempfile.NamedTemporaryFile(dir=self.directory, delete=False) as file:
                pickle.dump(kb, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(file.name, entry)

    def clear(self) -> int:
        """Remove every entry; how many there were."""
        removed = 0
        for entry in self.directory.glob("knowledge-*.pickle"):
            with contextlib.suppress(OSError):
                entry.unlink()
                removed += 1
        return removed
