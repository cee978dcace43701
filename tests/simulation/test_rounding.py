"""The one rounding rule for pay (network.round_pay): a millionth, a half-millionth upward."""

import numpy as np
import pytest

from evaluator.simulation.network import round_pay


def test_a_half_millionth_rounds_up_whichever_side_of_it_a_sum_lands() -> None:
    # 5% of half of 41.6875 of volume is 1.0421875, a half-millionth; added in two orders the
    # float lands a binary digit either side of it, and np.round then parts the two.
    exact = 0.05 * 0.5 * 41.6875
    below, above = np.nextafter(exact, 0.0), np.nextafter(exact, 2.0)
    assert float(round_pay(below)) == float(round_pay(above)) == 1.042188
    month = 67.0421875
    assert float(round_pay(month)) == float(round_pay(np.nextafter(month, 0))) == 67.042188


@pytest.mark.parametrize(("x", "expected"), [
    (0.0, 0.0), (1.2345674, 1.234567), (1.2345676, 1.234568), (1e6 + 0.0000002, 1e6),
    (164.1253945, 164.125395), (2.5e-7, 0.0), (7.5e-7, 1e-6),
])
def test_elsewhere_it_is_the_nearest_millionth(x: float, expected: float) -> None:
    assert float(round_pay(x)) == pytest.approx(expected, abs=1e-12)


def test_it_rounds_arrays_element_by_element() -> None:
    got = round_pay(np.array([0.0000015, 2.0000024, 3.9999996]))
    np.testing.assert_array_equal(got, np.array([0.000002, 2.000002, 4.0]))
