"""Argument checking for functions that accept alternative sets of arguments."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

CallableT = TypeVar("CallableT", bound=Callable[..., Any])


def _join(items: Sequence[str], final: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {final} {items[-1]}"


def required_args(*variants: Sequence[str]) -> Callable[[CallableT], CallableT]:
    """Require that a call passes every argument of at least one variant (by position or name).

    Raises:
        TypeError: naming the accepted variants, as a static type checker would.
    """

    def decorate(func: CallableT) -> CallableT:
        params = inspect.signature(func).parameters
        positional = [n for n, p in params.items() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if len(args) > len(positional):
                msg = f"{func.__name__}() takes {len(positional)} argument(s) but {len(args)} were given"
                raise TypeError(msg)
            given = set(positional[: len(args)]) | set(kwargs)
            if not any(all(name in given for name in variant) for variant in variants):
                if len(variants) > 1:
                    options = [
                        "(" + _join([f"'{name}'" for name in variant], "and") + ")" for variant in variants
                    ]
                    msg = f"Missing required arguments; Expected either {_join(options, 'or')} arguments to be given"
                else:
                    missing = [f"'{name}'" for name in variants[0] if name not in given]
                    noun = "arguments" if len(missing) > 1 else "argument"
                    msg = f"Missing required {noun}: {_join(missing, 'or')}"
                raise TypeError(msg)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
