"""The spool's key map: a dict's answers for more keys than it keeps in memory."""

from __future__ import annotations

from csdesk.store.spool import SpoolMap


def test_keys_beyond_memory_are_found_on_disk_and_replaced_like_a_dict() -> None:
    keys = SpoolMap(memory=1000)
    try:
        for n in range(5500):  # five spills to the table, 500 keys still in memory
            keys[f"e:person{n}@example.com"] = n + 2
        assert keys._conn is not None  # the older keys really left memory
        assert len(keys._recent) == 500
        assert keys.get("e:person0@example.com") == 2
        assert keys.get("e:person4321@example.com") == 4323
        assert keys.get("e:person5499@example.com") == 5501
        assert keys.get("e:nobody@example.com") is None
        assert keys.get("p:+14155550100") is None
        keys["e:person0@example.com"] = 99  # set again: the new value wins, in memory and after
        assert keys.get("e:person0@example.com") == 99
        for n in range(1000):
            keys[f"p:+1415555{n:04d}"] = n
        assert keys.get("e:person0@example.com") == 99
        assert keys.get("p:+14155550999") == 999
    finally:
        keys.close()


def test_a_small_file_never_touches_the_disk() -> None:
    keys = SpoolMap(memory=1000)
    for n in range(999):
        keys[f"k{n}"] = n
    assert keys._conn is None and keys.get("k998") == 998 and keys.get("k999") is None
    keys.close()
