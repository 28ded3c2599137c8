"""publish: reading trace ids off the front of a line agrees with parsing it."""

import json

from simulator.core.rundir import trace_id_of_line as _trace_id


def test_trace_id_fast_path_and_fallback_agree_with_json():
    lines = [
        b'{"id":"r0-00001-refund-casual_typo","episode":{"id":"x"}}\n',
        b'{"id":"with \\"quote\\"","episode":{}}\n',  # escaped: parsed the slow way
        b'{"episode":{}, "id":"id-not-first"}\n',  # not first: parsed the slow way
    ]
    for line in lines:
        assert _trace_id(line) == json.loads(line)["id"]
