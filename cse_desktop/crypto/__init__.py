"""Key derivation and wrapping, recovery slots, signing identities."""

from .keyfile import KdfParams, KeyFile, KeyFileError, TooManyAttempts, WrongPassphrase

__all__ = ["KdfParams", "KeyFile", "KeyFileError", "TooManyAttempts", "WrongPassphrase"]
