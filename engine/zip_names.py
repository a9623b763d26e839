"""Names inside a learner's zip as their maker meant them.

Zips made on Windows differ in two ways from the zip format's own rules, and both are common
in a classroom: PowerShell's Compress-Archive writes backslashes between folders, and older
Windows tools write names in the computer's legacy code page without the UTF-8 flag. Python's
zipfile then decodes those names as code page 437; which code page was really meant cannot be
known from the bytes, so such class names are numbered and the learner is told why.
"""

import dataclasses
import zipfile


def entry_name(entry: zipfile.ZipInfo) -> str:
    """The entry's name as its maker meant it. Windows PowerShell's Compress-Archive writes
    backslashes between folders (marking the zip as made by MS-DOS): they are folders there.
    A name without the UTF-8 flag was decoded by zipfile as code page 437; many tools write
    UTF-8 without setting the flag, so those bytes are tried as UTF-8 first."""
    name = decoded_name(entry)[0]
    if entry.create_system == 0:  # MS-DOS and Windows
        name = name.replace("\\", "/")
    return name


def decoded_name(entry: zipfile.ZipInfo) -> tuple:
    """(name, whether it could be read): a legacy code page cannot be known from the bytes,
    so such a name stays code page 437 guesswork, and _readable_classes numbers its class."""
    if entry.flag_bits & 0x800 or entry.filename.isascii():
        return entry.filename, True
    try:
        return entry.filename.encode("cp437").decode("utf-8"), True
    except UnicodeError:
        return entry.filename, False


def is_folder(entry: zipfile.ZipInfo) -> bool:
    return entry.is_dir() or entry_name(entry).endswith("/")


def is_unreadable(entry: zipfile.ZipInfo) -> bool:
    return not decoded_name(entry)[1]


def readable_classes(plan) -> tuple:
    """The plan with class names that were not saved as UTF-8 (and so cannot be read)
    numbered instead, and a sentence saying so."""
    unreadable = sorted({picture.class_name for picture in plan
                         if is_unreadable(picture.entry) and not picture.class_name.isascii()})
    if not unreadable:
        return plan, []
    numbered = {name: f"class {number}" for number, name in enumerate(unreadable, start=1)}
    plan = [dataclasses.replace(picture, class_name=numbered.get(picture.class_name,
                                                                  picture.class_name))
            for picture in plan]
    note = (f"The names of {len(unreadable)} class folders were saved in an old Windows "
            "encoding and could not be read, so they are shown as "
            f"{', '.join(numbered.values())}; zipping them again on a recent system keeps "
            "their names.")
    return plan, [note]
