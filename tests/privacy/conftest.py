"""/mydata and /forget end to end; the worlds come from tests/harness."""
