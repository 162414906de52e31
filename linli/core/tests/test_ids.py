from linli.core.ids import MAX_ID, parse_id, parse_ids


def test_only_ascii_digits_within_the_database_range_are_ids():
    assert [parse_id(v) for v in (1, "42", " 7 ", MAX_ID, str(MAX_ID))] == [1, 42, 7, MAX_ID, MAX_ID]
    for junk in ("²", "٣", "1.5", "", "-3", "0", 0, -1, MAX_ID + 1, str(MAX_ID + 1), True, None, [1], 2.0, "1e3"):
        assert parse_id(junk) is None, junk


def test_parse_ids_keeps_the_valid_ones_in_order_once_up_to_the_limit():
    assert parse_ids(["3", "x", "²", "3", 5, "9"]) == [3, 5, 9]
    assert parse_ids(["1", "2", "3"], limit=2) == [1, 2]
    assert parse_ids(None) == []
