# regex.* (RE2) and glob.*: values from OPA's documentation and conformance cases.
package builtins.regex_glob_test

test_regex_match if {
	regex.match(`^[a-z]+\[[0-9]+\]$`, "foo[1]")
	not regex.match(`^[a-z]+$`, "foo1")
}

test_regex_split_find_replace if {
	regex.split(`a+`, "banana") == ["b", "n", "n", ""]
	regex.find_n(`[oa]+`, "foo.com bar.org", -1) == ["oo", "o", "a", "o"]
	regex.find_all_string_submatch_n(`a(x*)b`, "-axxb-ab-", -1) == [["axxb", "xx"], ["ab", ""]]
	regex.replace("abc", `b`, "[$0]") == "a[b]c"
}

test_regex_template_and_validity if {
	regex.template_match("urn:foo:{.*}", "urn:foo:bar:baz", "{", "}")
	regex.is_valid(`[a-z]+`)
	not regex.is_valid(`(`)
}

# (a+)+$ on 10 KB: exponential for a backtracking engine, linear for RE2
test_regex_is_linear_on_catastrophic_patterns if {
	run := concat("", ["a" | numbers.range(1, 10000)[_]])
	not regex.match(`^(a+)+$`, concat("", [run, "b"]))
}

test_glob if {
	glob.match("*.github.com", ["."], "api.github.com")
	not glob.match("*.github.com", ["."], "api.cdn.github.com")
	glob.match("api.**.com", ["."], "api.cdn.github.com")
	glob.match("{cat,bat,[fr]at}", [], "fat")
	not glob.match("*", [], "foo.bar")
	glob.match("*", null, "foo.bar")
	glob.quote_meta("*.github.com") == `\*.github.com`
}

# values checked against opa 1.22.4
test_globs_match if {
	regex.globs_match("a.a.[0-9]+z", ".b.b2359825792*594823z")
	not regex.globs_match("a.*", "b.*")
	regex.globs_match("[a-c]+x", "[c-e]x")
	regex.globs_match("[^a]", "a")
	not regex.globs_match("a?b", "b")
	not regex.globs_match("a+", "")
}
