"""Per-call work that litellm does for nobody in a toolsim run, switched off.

`bench/llm_client.py` (profiled with py-spy, all threads) found that litellm 1.102.4, after
every successful `acompletion`, does two things whose results a toolsim run never reads:

1. It schedules a success-logging task that builds the "standard logging payload" (model-info
   lookups, a second cost computation, message truncation) even when no callback is registered
   to receive it: ~0.2-0.3 ms of CPU per call.
2. It prices the response with `completion_cost` while filling `_hidden_params` (~0.2-0.3 ms),
   also when its table does not know the model (the answer is None every time) and when the user
   gave their own prices (which win: `LLMClient` then never reads litellm's figure).

`install` wraps the two litellm functions involved so that each falls through to litellm's own
code unless skipping it cannot change anything we or anyone else observe:

* success logging is skipped only when no callback of any kind is registered (globally, or for
  this call) and no `litellm.max_budget` is set (its running total is kept by that handler);
* pricing is skipped only for a call that `LLMClient` marked with `skip_litellm_cost()` (own prices,
  or a model litellm has already been seen not to price), and only when no callback could see the
  cost either.

The wrappers are installed only on the litellm version they were written against (the pinned one);
on any other version `install` changes nothing and returns False, and the tests say so.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator
from importlib import metadata
from typing import Any

PINNED_LITELLM = "1.102.4"

_skip_cost: contextvars.ContextVar[bool] = contextvars.ContextVar("toolsim_skip_litellm_cost", default=False)
_installed = False

# Global callback lists litellm reads in its logging handlers (all empty unless a user registers one).
_GLOBAL_CALLBACK_LISTS = (
    "callbacks",
    "success_callback",
    "_async_success_callback",
    "input_callback",
    "_async_input_callback",
    "service_callback",
)


def litellm_version() -> str | None:
    try:
        return metadata.version("litellm")
    except metadata.PackageNotFoundError:  # pragma: no cover - litellm is a dependency
        return None


def nothing_listens(litellm: Any, logging_obj: Any) -> bool:
    """True when no success callback, global or per call, could receive what litellm's success
    logging builds, and no budget is being tracked."""
    if getattr(litellm, "max_budget", 0):
        return False
    for name in _GLOBAL_CALLBACK_LISTS:
        if getattr(litellm, name, None):
            return False
    return not (
        getattr(logging_obj, "dynamic_success_callbacks", None)
        or getattr(logging_obj, "dynamic_async_success_callbacks", None)
    )


@contextlib.contextmanager
def skip_litellm_cost(skip: bool = True) -> Iterator[None]:
    """Within this block (this task's context), litellm does not price responses: the caller
    will not use the figure. Has no effect unless `install` succeeded."""
    token = _skip_cost.set(skip)
    try:
        yield
    finally:
        _skip_cost.reset(token)


def installed() -> bool:
    return _installed


def install(litellm: Any) -> bool:
    """Wrap litellm's success-logging dispatch and response pricing (see the module doc). Returns
    whether the wrappers are in place; idempotent."""
    global _installed
    if _installed:
        return True
    if litellm_version() != PINNED_LITELLM:
        return False
    try:
        from litellm import utils as litellm_utils
        from litellm.litellm_core_utils.litellm_logging import Logging

        dispatch = litellm_utils._dispatch_success_logging
        price = Logging._response_cost_calculator
    except (ImportError, AttributeError):  # pragma: no cover - guarded by the version check
        return False

    @functools.wraps(dispatch)
    def _dispatch_success_logging(*args: Any, **kwargs: Any) -> Any:
        logging_obj = kwargs.get("logging_obj", args[0] if args else None)
        if logging_obj is not None and nothing_listens(litellm, logging_obj):
            return None
        return dispatch(*args, **kwargs)

    @functools.wraps(price)
    def _response_cost_calculator(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _skip_cost.get() and nothing_listens(litellm, self):
            return None
        return price(self, *args, **kwargs)

    litellm_utils._dispatch_success_logging = _dispatch_success_logging
    Logging._response_cost_calculator = _response_cost_calculator
    _installed = True
    return True
