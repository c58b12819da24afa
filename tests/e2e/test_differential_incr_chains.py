"""Long INCRBYFLOAT / HINCRBYFLOAT / INCRBY chains: Redis re-parses the stored string at every
step, so a value drifts differently from a plain long-double sum. Cordis must print the same bytes
as Redis at every step, for strings and hash fields alike."""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def chain(prefix, n, step):
    return ["%s %s" % (prefix, step)] * n


class IncrChainDifferentialTest(harness.DiffTestCase):
    def test_string_float_chains(self):
        self.assertSame(["DEL f g"] + chain("INCRBYFLOAT f", 300, "0.1") +
                        chain("INCRBYFLOAT g", 200, "1.7e-3") + ["GET f", "GET g"],
                        min_commands=500)

    def test_hash_float_chains(self):
        self.assertSame(["DEL h"] + chain("HINCRBYFLOAT h f", 300, "0.1") +
                        chain("HINCRBYFLOAT h g", 100, "-2.5e-2") + ["HGET h f", "HGET h g"],
                        min_commands=400)

    def test_mixed_int_and_float_steps(self):
        cmds = ["DEL m", "SET m 10"]
        for i in range(100):
            cmds.append("INCRBY m %d" % i if i % 3 else "INCRBYFLOAT m 0.5")
        cmds += ["GET m", "DEL n"]
        for i in range(100):
            cmds.append("INCRBY n %d" % (i * 7 - 300))
        self.assertSame(cmds + ["GET n"], min_commands=200)


if __name__ == "__main__":
    harness.main()
