# object.subset, json.patch, graph.*, json.marshal_with_options, time.*: values from OPA's
# documentation and conformance cases.
package builtins.objects_time_test

test_objects if {
	object.subset({"a": "b", "c": {"x": {10, 15, 20, 25}, "y": "z"}}, {"c": {"x": {10, 15, 20}}})
	object.subset([1, 2, 3, 4], [2, 3])
	not object.subset([1, 2, 3, 4], [3, 2])
	json.patch({"a": {"foo": 1}}, [{"op": "add", "path": "/a/bar", "value": 2}]) == {"a": {"foo": 1, "bar": 2}}
	json.patch({"s": {"a"}}, [{"op": "add", "path": ["s", "b"], "value": "b"}]) == {"s": {"a", "b"}}
	not json.patch({"s": {"a"}}, [{"op": "add", "path": "s/b", "value": "c"}])
	graph.reachable({"a": ["b"], "b": ["c"], "c": [], "d": ["a"]}, ["a"]) == {"a", "b", "c"}
	json.marshal_with_options({"a": [1]}, {"indent": "  "}) == "{\n  \"a\": [\n    1\n  ]\n}"
}

test_time if {
	time.parse_rfc3339_ns("2017-06-02T19:00:00-07:00") == 1496455200000000000
	time.parse_ns("02 Jan 06 15:04 -0700", "02 Jun 17 19:00 -0700") == 1496455200000000000
	time.parse_duration_ns("1h30m") == 5400000000000
	time.add_date(1585852421593912000, 3, 9, 12) == 1705257221593912000
	time.weekday(1517832000000000000) == "Monday"
	time.date([1670006453141828752, "Asia/Kolkata"]) == [2022, 12, 3]
	time.format([1670006453141828752, "Asia/Kolkata", "RFC1123Z"]) == "Sat, 03 Dec 2022 00:10:53 +0530"
	time.now_ns() == time.now_ns()
}
