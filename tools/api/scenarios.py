"""Scenarios that print: each records what PyTorch prints, line by line, for a Java test to match.

A scenario is a function of one argument `p`, which prints its arguments as Python's print does
(strings as they are, anything else by repr). An exception ends the scenario with a line
`error: MESSAGE`.
"""
import re


def clean(text):
    return re.sub(r" \(Triggered internally at .*\)$", "", text.strip())


def grad_fn_name(t):
    return "None" if t.grad_fn is None else type(t.grad_fn).__name__


class Scenarios:
    """Collects scenarios by name; use an instance as a decorator."""

    def __init__(self):
        self.out = {}

    def __call__(self, fn):
        lines = []

        def p(*xs):
            lines.append(" ".join(x if isinstance(x, str) else repr(x) for x in xs))

        try:
            fn(p)
        except Exception as e:
            p("error: " + clean(str(e)))
        self.out[fn.__name__] = lines
        return fn
