"""`scsafety view`: a local web app to read a run's conversations and set human verdicts.

The app serves only what is in the results store, binds 127.0.0.1 unless told otherwise,
treats every model answer as hostile text, and accepts writes only from its own page.
"""

from scsafety.viewer.app import create_app

__all__ = ["create_app"]
