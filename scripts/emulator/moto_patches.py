"""Patches for moto 5.2's gaps against AWS (see README "The emulator's gaps")."""


def apply() -> None:
    """Apply every patch. Each is idempotent."""
