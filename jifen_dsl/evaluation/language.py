"""The language an account of a policy is told in: the one asked for, else the policy's own.

The explanations and reports of a policy (``explain``, ``schedule``, ``deadline``,
``diff``) speak its language unless another was asked for (``--lang``, or the
locale variables: :func:`jifen_dsl.messages.preferred`). Imports nothing but the
messages, so a command that only reports on a policy loads no evaluator; with the
ways those reports join their parts, as each language punctuates them.
"""

from __future__ import annotations

from typing import Any, Sequence

from jifen_dsl.messages import T, preferred

__all__ = ["language_of", "one_after_another", "clauses"]


def language_of(policy: Any) -> str:
    """``"zh"`` or ``"en"``: the language asked for, else that of ``policy`` (anything with a ``language``)."""
    return preferred() or ("zh" if getattr(policy, "language", None) == "zh" else "en")


def one_after_another(items: Sequence[Any]) -> Any:
    """Values one after another, as a sentence lists them: ``a = 1; b = 2`` / ``a = 1；b = 2`` (a message, or ``""``)."""
    joined: Any = items[0] if items else ""
    for item in items[1:]:
        joined = T("{values}; {value}", values=joined, value=item)
    return joined


def clauses(items: Sequence[Any]) -> Any:
    """Parts of one sentence: ``a, b`` / ``a，b`` (a message, or ``""``)."""
    joined: Any = items[0] if items else ""
    for item in items[1:]:
        joined = T("{values}, {value}", values=joined, value=item)
    return joined
