"""Figures that a lecture's text quotes, checked against what its code computes.

A lecture that says "the test accuracy is about 97 %" runs a cell that computes it; when the
code or the data change, the text must change with it. :func:`expect` states the quoted figure
next to the computation, so the notebook stops with a clear message when the two part::

    expect(accuracy, 0.97, tolerance=0.01, what="test accuracy (text: about 97 %)")

and :func:`expect_between` does the same for a claim that is a range ("between 2 and 3 times
faster", "below 0.1"). Both return the value, so they can wrap the expression that makes it.

Conventions: ``tolerance`` is absolute unless ``relative=True`` (then it is a fraction of the
quoted figure); bounds of :func:`expect_between` are inclusive; NaN never matches. The error is a
:class:`QuotedNumberError`, an ``AssertionError``, so test runners report it as a failed check.
"""
import math

__all__ = ["QuotedNumberError", "expect", "expect_between"]


class QuotedNumberError(AssertionError):
    """A figure quoted in a lecture's text differs from the one its code computes."""


def _as_number(value, what):
    try:
        number = float(value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{what}: expect needs one number, got {type(value).__name__} "
                        f"{value!r:.60}") from error
    return number


def expect(value, quoted, *, tolerance, what, relative=False):
    """Check that ``value`` is the figure ``quoted`` in the text, within ``tolerance``.

    Parameters
    ----------
    value : float or 0-d array
        What the code computed.
    quoted : float
        The figure as the text states it.
    tolerance : float
        How far ``value`` may be from ``quoted`` (absolute; a fraction of ``quoted`` when
        ``relative`` is true). Choose it from the precision of the text: "about 97 %" is
        ``0.97`` with a tolerance of ``0.005`` to ``0.01``.
    what : str
        The quantity, in words, as the error message will name it.
    relative : bool, default False
        Whether ``tolerance`` is relative to ``quoted``.

    Returns
    -------
    float
        ``value``, so that ``expect`` can wrap the expression that computes it.

    Raises
    ------
    QuotedNumberError
        If ``value`` is NaN or further from ``quoted`` than allowed.
    """
    number = _as_number(value, what)
    if tolerance < 0:
        raise ValueError(f"{what}: tolerance must be >= 0, got {tolerance}")
    allowed = tolerance * abs(quoted) if relative else tolerance
    if not abs(number - quoted) <= allowed:  # `not <=` so that NaN fails
        raise QuotedNumberError(
            f"{what}: the text says {quoted:g} (± {allowed:.3g}), the code gives {number:.6g}. "
            f"Update the text, or find out what changed in the code or data.")
    return number


def expect_between(value, low, high, *, what):
    """Check that ``value`` lies in ``[low, high]``, as the text claims; return it.

    Parameters
    ----------
    value : float or 0-d array
        What the code computed.
    low, high : float
        The range the text states (``-math.inf`` or ``math.inf`` for one-sided claims).
    what : str
        The quantity, in words, as the error message will name it.

    Raises
    ------
    QuotedNumberError
        If ``value`` is NaN or outside the range.
    """
    number = _as_number(value, what)
    if low > high:
        raise ValueError(f"{what}: the range is empty, low {low} > high {high}")
    if not low <= number <= high:
        shown = ("above " + f"{low:g}" if math.isinf(high) else
                 "below " + f"{high:g}" if math.isinf(low) else f"between {low:g} and {high:g}")
        raise QuotedNumberError(
            f"{what}: the text says {shown}, the code gives {number:.6g}. "
            f"Update the text, or find out what changed in the code or data.")
    return number
