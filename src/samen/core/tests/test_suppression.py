"""The rules every figure follows: small counts, shares of them, and the cells that a
total would give away."""

from samen.core.suppression import share, shown, suppress, suppress_table


def test_counts_from_1_to_4_are_suppressed_and_0_only_where_asked():
    assert [suppress(n) for n in (0, 1, 4, 5, 12)] == [0, None, None, 5, 12]
    assert suppress(0, zero=True) is None and suppress(5, zero=True) == 5
    assert suppress(None) is None
    assert shown(None) == "< 5" and shown(7) == 7


def test_a_share_of_a_suppressed_count_is_suppressed():
    assert share(5, 10) == 50
    assert share(3, 10) is None  # the part is under 5
    assert share(8, 10) is None  # the rest (2) would follow from whole and share
    assert share(4, 4) is None  # the whole is under 5
    assert share(None, 10) is None and share(6, None) is None  # computed from a hidden count
    assert share(0, 10) == 0 and share(0, 10, zero=True) is None
    assert share(10, 10) == 100


def test_a_single_small_cell_takes_the_next_smallest_with_it():
    assert suppress_table([3, 7, 12]) == [None, None, 12]
    assert suppress_table({"a": 20, "b": 3, "c": 9, "d": 0}) == {
        "a": 20,
        "b": None,
        "c": None,
        "d": 0,
    }
    assert suppress_table([5, 0, 9]) == [5, 0, 9]
    assert suppress_table([]) == []


def test_small_cells_that_add_up_to_under_5_are_protected_too():
    # Three cells of 1 beside a total of 10: each would have to be 1.
    assert suppress_table([1, 1, 1, 7]) == [None, None, None, None]
    assert suppress_table([2, 3, 8]) == [None, None, 8]


def test_zero_counts_where_the_viewer_could_learn_their_own_outcome():
    assert suppress_table([0, 12], zero=True) == [None, None]
    assert suppress_table([0, 0, 6, 9], zero=True) == [None, None, None, 9]


def test_the_unseen_rest_of_a_total_counts_as_a_cell():
    # 20 signals of which 17 led to support: the other 3 would follow from the total.
    assert suppress_table({"supported": 17}, total=20) == {"supported": None}
    assert suppress_table({"supported": 15}, total=20) == {"supported": 15}
    # All 7 led to support: with zero=True, "none did not" is protected as well.
    assert suppress_table({"supported": 7}, total=7, zero=True) == {"supported": None}
    assert suppress_table({"supported": 7}, total=7) == {"supported": 7}
    assert suppress_table([3], total=3) == [None]
