#!/usr/bin/python3
"""The harness's checkers on small hand-made histories whose verdict is known, valid and invalid,
so a checker that always says "valid" (or always "invalid") fails here. Standard library only."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def op(f, value, invoke, complete, status="ok", result=None, node="n0"):
    o = harness.Op("c1", node, f, value, invoke)
    o.complete, o.status, o.result = complete, status, result or {}
    return o


def kv_read(key, seen, t0, t1):
    if seen is None:
        return op("read", (key, None), t0, t1, "fail", {"type": "error", "code": 20})
    return op("read", (key, None), t0, t1, "ok", {"type": "read_ok", "value": seen})


def kv_write(key, v, t0, t1, status="ok"):
    return op("write", (key, v), t0, t1, status, {"type": "write_ok"} if status == "ok" else {})


def kv_cas(key, frm, to, t0, t1, status="ok"):
    return op("cas", (key, (frm, to)), t0, t1, status, {"type": "cas_ok"} if status == "ok" else {})


def final(value, field="value"):
    return op("read", None, 100, 101, "ok", {"type": "read_ok", field: value})


class LinKvTest(unittest.TestCase):
    def check(self, history):
        return harness.check_lin_kv(history, {})

    def test_sequential_history_is_valid(self):
        h = [kv_read(0, None, 0, 1), kv_write(0, 1, 2, 3), kv_read(0, 1, 4, 5),
             kv_cas(0, 1, 2, 6, 7), kv_read(0, 2, 8, 9)]
        self.assertEqual(self.check(h), [])

    def test_stale_read_after_a_completed_write_is_invalid(self):
        h = [kv_write(0, 1, 0, 1), kv_write(0, 2, 2, 3), kv_read(0, 1, 4, 5)]
        self.assertEqual(len(self.check(h)), 1)

    def test_empty_read_after_a_write_is_invalid(self):
        h = [kv_write(0, 1, 0, 1), kv_read(0, None, 2, 3)]
        self.assertEqual(len(self.check(h)), 1)

    def test_concurrent_ops_may_take_effect_in_either_order(self):
        h = [kv_write(0, 1, 0, 10), kv_write(0, 2, 1, 9), kv_read(0, 1, 11, 12)]
        self.assertEqual(self.check(h), [])
        h = [kv_write(0, 1, 0, 10), kv_write(0, 2, 1, 9), kv_read(0, 2, 11, 12)]
        self.assertEqual(self.check(h), [])

    def test_read_cannot_see_a_write_invoked_after_it_returned(self):
        h = [kv_read(0, 5, 0, 1), kv_write(0, 5, 2, 3)]
        self.assertEqual(len(self.check(h)), 1)

    def test_indeterminate_write_may_or_may_not_happen(self):
        lost = kv_write(0, 7, 0, None, "info")
        self.assertEqual(self.check([lost, kv_read(0, 7, 5, 6)]), [])
        lost = kv_write(0, 7, 0, None, "info")
        self.assertEqual(self.check([lost, kv_read(0, None, 5, 6)]), [])
        lost = kv_write(0, 7, 0, None, "info")
        self.assertEqual(len(self.check([lost, kv_read(0, 8, 5, 6)])), 1)

    def test_cas_from_a_value_never_held_is_invalid(self):
        h = [kv_write(0, 1, 0, 1), kv_cas(0, 3, 4, 2, 3)]
        self.assertEqual(len(self.check(h)), 1)

    def test_keys_are_independent(self):
        h = [kv_write(0, 1, 0, 1), kv_write(1, 2, 0, 1), kv_read(0, 1, 2, 3), kv_read(1, 2, 2, 3)]
        self.assertEqual(self.check(h), [])


class CounterTest(unittest.TestCase):
    def adds(self, *specs):
        return [op("add", d, i, i + 1, status) for i, (d, status) in enumerate(specs)]

    def test_final_reads_must_match_acknowledged_adds(self):
        h = self.adds((3, "ok"), (-1, "ok"))
        self.assertEqual(harness.check_counter(h, {"n0": final(2), "n1": final(2)}), [])
        self.assertTrue(harness.check_counter(h, {"n0": final(2), "n1": final(3)}))

    def test_indeterminate_adds_may_count_or_not(self):
        h = self.adds((5, "ok"), (2, "info"), (10, "info"), (4, "fail"))
        for v in (5, 7, 15, 17):
            self.assertEqual(harness.check_counter(h, {"n0": final(v)}), [], v)
        for v in (6, 9, 21, 22):  # 9 would need the failed add
            self.assertTrue(harness.check_counter(h, {"n0": final(v)}), v)

    def test_a_failed_final_read_is_invalid(self):
        h = self.adds((1, "ok"))
        bad = op("read", None, 100, None, "info")
        self.assertTrue(harness.check_counter(h, {"n0": bad}))


class SetTest(unittest.TestCase):
    def test_acknowledged_elements_must_all_be_there(self):
        h = [op("add", 1, 0, 1), op("add", 2, 0, 1), op("add", 3, 0, None, "info")]
        self.assertEqual(harness.check_set(h, {"n0": final([1, 2]), "n1": final([2, 1])}, "value"), [])
        self.assertEqual(harness.check_set(h, {"n0": final([1, 2, 3]), "n1": final([1, 2, 3])},
                                           "value"), [])
        self.assertTrue(harness.check_set(h, {"n0": final([1])}, "value"))
        self.assertTrue(harness.check_set(h, {"n0": final([1, 2]), "n1": final([1, 2, 3])}, "value"))

    def test_elements_nobody_added_are_invalid(self):
        h = [op("add", 1, 0, 1), op("read", None, 2, 3, "ok", {"messages": [1, 9]})]
        self.assertTrue(harness.check_set(h, {"n0": final([1], "messages")}, "messages"))


class EchoAndIdsTest(unittest.TestCase):
    def test_echo(self):
        good = op("echo", "x", 0, 1, "ok", {"type": "echo_ok", "echo": "x"})
        bad = op("echo", "x", 0, 1, "ok", {"type": "echo_ok", "echo": "y"})
        self.assertEqual(harness.check_echo([good], {}), [])
        self.assertTrue(harness.check_echo([good, bad], {}))

    def test_unique_ids(self):
        a = op("generate", None, 0, 1, "ok", {"id": "n0-1"})
        b = op("generate", None, 0, 1, "ok", {"id": "n1-1"})
        c = op("generate", None, 0, 1, "ok", {"id": "n0-1"})
        self.assertEqual(harness.check_unique_ids([a, b], {}), [])
        self.assertTrue(harness.check_unique_ids([a, b, c], {}))


if __name__ == "__main__":
    unittest.main()
