package tollgate.lib_test

import rego.v1

import data.tollgate.lib

test_durations_are_written_compactly if {
	lib.duration(0) == "0s"
	lib.duration(45) == "45s"
	lib.duration(600) == "10m"
	lib.duration(250) == "4m10s"
	lib.duration(3600) == "1h"
	lib.duration(3905) == "1h5m5s"
}

test_numbers_are_written_with_fixed_decimals_whether_integer_or_not if {
	lib.fixed(3, 2) == "3.00"
	lib.fixed(2.5, 1) == "2.5"
	lib.fixed(0.031, 3) == "0.031"
	lib.fixed(0.0305, 2) == "0.03"
	lib.fixed(40.909, 0) == "41"
	lib.fixed(0.2 * 100, 1) == "20.0"
	lib.fixed(1999.5, 0) == "2000"
}

test_fractions_are_written_as_percentages if {
	lib.percent(0.2) == "20%"
	lib.percent(0.055) == "5.5%"
	lib.percent(0.061) == "6.1%"
	lib.percent(1) == "100%"
}

test_dollars_keep_cents_or_tenths_of_cents if {
	lib.usd(0.031) == "$0.031"
	lib.usd(263.4) == "$263.40"
	lib.usd(250) == "$250.00"
}

test_counts_agree_with_their_noun if {
	lib.count_of(1, "approval") == "1 approval"
	lib.count_of(2, "approval") == "2 approvals"
	lib.count_of(0, "approval") == "0 approvals"
}

test_lists_read_as_sentences if {
	lib.listing(["a", "b"]) == "a, b"
	lib.listing([]) == "none"
}

test_disabled_metrics_are_not_judged if {
	inp := {
		"environment": {"analysis": {"metrics": {"latency": {"tolerance": 0.05, "enabled": false}, "error_rate": {"tolerance": 0.05, "enabled": true}}}},
		"analysis": {"metrics": {"latency": {"verdict": "fail"}, "error_rate": {"verdict": "pass"}}},
	}
	judged := lib.judged with input as inp
	object.keys(judged) == {"error_rate"}
}
