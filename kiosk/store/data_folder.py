"""The terminal's data folder and database file are private to the kiosk's user.

They hold the transaction log, queued requests with personal data, the kiosk's key and spooled documents: the
folder is 0700 and the database 0600 (SQLite gives its -wal and -shm files the database file's mode), whatever
the umask of the process that created them first (the shell, the sync daemon or a technician's command).
"""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def secure_data_folder(folder: Path) -> Path:
    """Create `folder` (and its parents) if needed and make it 0700; returns it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    os.chmod(folder, FOLDER_MODE)
    return folder


def secure_database_file(path: Path) -> Path:
    """Create the (empty) SQLite file `path` as 0600 if missing, and make it and its -wal/-shm files 0600."""
    path = Path(path)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if candidate.exists():
            os.chmod(candidate, FILE_MODE)
    return path
