"""common.quoted: a lecture's quoted figures are checked against what its code computes."""
import math

import numpy as np
import pytest

from common.quoted import QuotedNumberError, expect, expect_between


def test_expect_returns_the_value_when_it_matches_the_text():
    assert expect(0.9712, 0.97, tolerance=0.005, what="test accuracy") == pytest.approx(0.9712)
    assert expect(np.float64(2.0), 2, tolerance=0, what="exact") == 2.0
    assert expect(np.array(1.58e-3), 1.6e-3, tolerance=0.1, relative=True, what="time") > 0


def test_expect_names_the_quantity_the_quote_and_the_computed_value():
    with pytest.raises(QuotedNumberError) as raised:
        expect(0.835, 0.87, tolerance=0.01, what="test accuracy of the combined net")
    message = str(raised.value)
    assert "test accuracy of the combined net" in message
    assert "0.87" in message and "0.835" in message and "Update the text" in message
    assert isinstance(raised.value, AssertionError)


def test_expect_relative_tolerance_scales_with_the_quote():
    expect(105.0, 100.0, tolerance=0.05, relative=True, what="n")
    with pytest.raises(QuotedNumberError):
        expect(106.0, 100.0, tolerance=0.05, relative=True, what="n")
    with pytest.raises(QuotedNumberError):  # the same 0.05 as an absolute tolerance
        expect(100.5, 100.0, tolerance=0.05, what="n")


def test_nan_never_matches():
    with pytest.raises(QuotedNumberError):
        expect(math.nan, 1.0, tolerance=math.inf, what="loss")
    with pytest.raises(QuotedNumberError):
        expect_between(math.nan, -math.inf, math.inf, what="loss")


def test_expect_between_is_inclusive_and_reads_one_sided_claims():
    assert expect_between(3.0, 2.0, 3.0, what="speed-up") == 3.0
    with pytest.raises(QuotedNumberError, match="between 2 and 3"):
        expect_between(3.5, 2.0, 3.0, what="speed-up")
    with pytest.raises(QuotedNumberError, match="below 0.1"):
        expect_between(0.2, -math.inf, 0.1, what="error")
    with pytest.raises(QuotedNumberError, match="above 10"):
        expect_between(9.0, 10.0, math.inf, what="ratio")


def test_misuse_is_reported_as_such():
    with pytest.raises(TypeError, match="one number"):
        expect([1.0, 2.0], 1.0, tolerance=1, what="a list")
    with pytest.raises(ValueError, match="tolerance"):
        expect(1.0, 1.0, tolerance=-1, what="x")
    with pytest.raises(ValueError, match="empty"):
        expect_between(1.0, 2.0, 1.0, what="x")
