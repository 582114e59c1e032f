"""The demo's output folder: created, or emptied when an earlier demo wrote it, never taken over."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Final

from mvbot._exceptions import DemoError
from mvbot._i18n import translate

__all__ = ["MARKER_NAME", "check_output_folder", "prepare_output_folder"]

# The file that marks a folder as written by `mvbot demo`, so a later run may empty it.
MARKER_NAME: Final = ".mvbot-demo"
_MARKER_TEXT: Final = (
    "This folder was written by `mvbot demo`. The next `mvbot demo --output` run on it deletes\n"
    "its contents and writes them again. Delete this file to keep the folder from being reused.\n"
)


def check_output_folder(folder: Path, *, lang: str) -> Path:
    """Return the absolute path of `folder` if the demo may write there, without changing it.

    A missing folder, an empty folder and a folder that an earlier demo wrote (it contains
    `MARKER_NAME`) may be used.

    Raises:
        DemoError: `folder` is a file, or a folder with other contents; the message names it
            and the `--output` option.
    """
    folder = folder.expanduser().absolute()
    if folder.exists() and not folder.is_dir():
        raise DemoError(translate("demo.error_not_folder", lang, folder=folder))
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER_NAME).is_file():
        raise DemoError(translate("demo.error_not_demo_folder", lang, folder=folder))
    return folder


def prepare_output_folder(folder: Path, *, lang: str) -> Path:
    """Create `folder`, or empty it when an earlier demo wrote it; return its absolute path.

    Raises:
        DemoError: as `check_output_folder`; nothing is deleted then.
    """
    folder = check_output_folder(folder, lang=lang)
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER_NAME).write_text(_MARKER_TEXT, encoding="utf-8")
    return folder
