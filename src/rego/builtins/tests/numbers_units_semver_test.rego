# units.*, semver.*, big integers: values from OPA's documentation and conformance cases.
package builtins.units_semver_test

test_units if {
	units.parse_bytes("1KiB") == 1024
	units.parse_bytes("10EiB") == 11529215046068469760
	units.parse("500m") == 0.5
	units.parse("10Ki") == 10240
	units.parse_bytes("1.1KiB") == 1126
}

test_semver if {
	semver.compare("1.0.0", "2.0.0") == -1
	semver.compare("1.0.0-alpha", "1.0.0") == -1
	semver.is_valid("1.2.3-0a")
	not semver.is_valid("01.2.3")
}
