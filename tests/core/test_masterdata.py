"""Master data look-ups and "did you mean" for mistyped serials."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from core.masterdata import Device, InMemoryMasterData, NoMasterData, near_misses, suggest_serials

TYPED = "3012345687"


def _masterdata(*devices: tuple[str, str]) -> InMemoryMasterData:
    return InMemoryMasterData(
        {serial: Device(serial, product, date(2025, 11, 3)) for serial, product in devices}
    )


def damerau_distance(a: str, b: str) -> int:
    """Reference edit distance: insert, delete, substitute, swap two adjacent characters."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def is_swap_of_two(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with two characters, anywhere, exchanged."""
    if len(a) != len(b):
        return False
    differ = [i for i in range(len(a)) if a[i] != b[i]]
    return len(differ) == 2 and (a[differ[0]], a[differ[1]]) == (b[differ[1]], b[differ[0]])


def test_in_memory_master_data_finds_only_known_serials() -> None:
    masterdata = _masterdata(("3012345678", "STP-SE"))

    assert masterdata.available
    assert masterdata.lookup(["3012345678", "3012345679"]) == {
        "3012345678": Device("3012345678", "STP-SE", date(2025, 11, 3))
    }


def test_empty_master_data_is_still_available() -> None:
    assert InMemoryMasterData({}).available


def test_no_master_data_is_unavailable_and_knows_nothing() -> None:
    assert not NoMasterData().available
    assert NoMasterData().lookup(["3012345678"]) == {}


def test_suggestion_for_transposed_adjacent_digits() -> None:
    masterdata = _masterdata(("3012345678", "STP-SE"))

    assert suggest_serials(TYPED, masterdata) == ("3012345678",)


def test_suggestion_for_one_changed_digit() -> None:
    masterdata = _masterdata(("3012345617", "STP-SE"))

    assert suggest_serials(TYPED, masterdata) == ("3012345617",)


def test_suggestion_for_a_dropped_digit() -> None:
    masterdata = _masterdata(("3012345678", "STP-SE"))

    assert suggest_serials("301234567", masterdata) == ("3012345678",)


def test_suggestion_for_an_added_digit() -> None:
    masterdata = _masterdata(("3012345678", "STP-SE"))

    assert suggest_serials("30123456718", masterdata) == ("3012345678",)


def test_adjacent_swap_ranks_before_changed_digit_before_dropped_digit() -> None:
    swapped, changed, longer = "3012345678", "3012345617", "30123456870"
    masterdata = _masterdata((longer, "STP-SE"), (changed, "STP-SE"), (swapped, "STP-SE"))

    assert suggest_serials(TYPED, masterdata) == (swapped, changed, longer)


def test_declared_product_ranks_first() -> None:
    swapped, changed = "3012345678", "3012345617"
    masterdata = _masterdata((swapped, "SHM"), (changed, "STP-SE"))

    assert suggest_serials(TYPED, masterdata, "STP-SE") == (changed, swapped)
    assert suggest_serials(TYPED, masterdata, "SHM") == (swapped, changed)
    assert suggest_serials(TYPED, masterdata) == (swapped, changed)


def test_suggestions_are_limited() -> None:
    changed = [TYPED[:-1] + digit for digit in "0123456"]
    masterdata = _masterdata(*((serial, "STP-SE") for serial in changed))

    assert len(suggest_serials(TYPED, masterdata)) == 3
    assert len(suggest_serials(TYPED, masterdata, limit=5)) == 5


def test_no_suggestions_without_master_data() -> None:
    assert suggest_serials(TYPED, NoMasterData()) == ()


_SERIALS = st.one_of(
    st.text(alphabet="0123456789", min_size=1, max_size=12),
    st.text(alphabet="0123456789AB", max_size=8),
)


@given(_SERIALS)
def test_near_misses_never_contain_the_serial_itself(serial: str) -> None:
    candidates = near_misses(serial)

    assert serial not in candidates
    assert len(candidates) == len(set(candidates))


@given(_SERIALS)
def test_every_near_miss_is_one_typo_away(serial: str) -> None:
    # Damerau distance 1 (a digit changed, dropped or added, or two neighbours swapped), or
    # two digits further apart swapped, which the docstring includes on purpose.
    for candidate in near_misses(serial):
        assert damerau_distance(serial, candidate) == 1 or is_swap_of_two(serial, candidate), (
            candidate
        )


_EDITS = st.sampled_from(["swap", "change", "drop", "add"])


@given(st.text(alphabet="0123456789", min_size=2, max_size=12), _EDITS, st.integers(0, 11),
       st.sampled_from("0123456789"))
def test_every_single_typo_is_among_the_near_misses(
    serial: str, edit: str, position: int, digit: str
) -> None:
    i = position % len(serial)
    if edit == "swap":
        i = min(i, len(serial) - 2)
        typo = serial[:i] + serial[i + 1] + serial[i] + serial[i + 2:]
    elif edit == "change":
        typo = serial[:i] + digit + serial[i + 1:]
    elif edit == "drop":
        typo = serial[:i] + serial[i + 1:]
    else:
        typo = serial[:i] + digit + serial[i:]

    if typo != serial:
        assert typo in near_misses(serial)
