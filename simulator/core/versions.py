"""Package versions recorded in every manifest, read from metadata (never by importing: litellm
alone takes seconds to import)."""

from __future__ import annotations

import platform
from importlib import metadata

TOOLSIM_VERSION = "0.1.0"  # also `simulator.__version__`; keep in step with pyproject.toml

PACKAGES = ("toolsim", "pydantic", "jsonschema", "pyyaml", "litellm", "openai", "anthropic", "numpy", "rich")


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
