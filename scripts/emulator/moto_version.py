"""The moto the patches were written against.

The patches (patches/) replace and wrap moto methods and cite moto 5.2.1's
line numbers; another moto may have moved or changed them, and a patch that no
longer applies would make the emulator answer unlike AWS without saying so.
So the launcher refuses any other version, with what to do.
"""

MOTO_VERSION = "5.2.1"


def version_problem(installed: str) -> "str | None":
    """None for the pinned version, else the message to exit with."""
    if installed == MOTO_VERSION:
        return None
    return (
        f"emulator: moto {installed} is installed, but the emulator's patches are written for moto {MOTO_VERSION} "
        f"(scripts/emulator/patches/). Install that one: pip install \"moto[server]=={MOTO_VERSION}\""
    )
