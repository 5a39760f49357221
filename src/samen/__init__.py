"""Samen: software for local coalitions against loneliness."""

__version__ = "0.1.0"
API_VERSION = "1.0.0"
