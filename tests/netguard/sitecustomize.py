"""Loaded by every Python subprocess a test starts (tests/conftest.py puts this folder on
PYTHONPATH): the same network guard as in the test process."""

import toolsim_netguard

toolsim_netguard.install()
