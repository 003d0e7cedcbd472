"""Small helpers of the integration."""

import hashlib
import os


def source_digest() -> str:
    """A short digest of the integration's own .py files, shown as its version in bug reports."""
    if source_digest.__doc__ and len(source_digest.__doc__) == 7:
        return source_digest.__doc__
    digest = hashlib.md5()
    root = os.path.dirname(os.path.dirname(__file__))
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        for name in sorted(names):
            if name.endswith(".py"):
                with open(os.path.join(folder, name), "rb") as handle:
                    digest.update(handle.read())
    source_digest.__doc__ = digest.hexdigest()[:7]
    return source_digest.__doc__
