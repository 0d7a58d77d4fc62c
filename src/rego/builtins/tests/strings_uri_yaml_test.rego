# strings.split_n, render_template, uri.*, yaml.*, json schemas: values checked against opa 1.22.4.
package builtins.strings_uri_yaml_test
import rego.v1
test_split if {
 strings.split_n("a,b,c,d", ",", -1) == ["d"]
 strings.split_n("a,b,c,d", ",", 2) == ["a", "b"]
}
test_uri if {
 uri.parse("http://h/%41%2fb") == {"hostname": "h", "path": "/A/b", "raw_path": "/%41%2fb", "scheme": "http"}
 uri.parse("https://user:pw@example.com:8080/a%20b/c?x=1&x=2&y=#frag") == {"fragment": "frag", "hostname": "example.com", "path": "/a b/c", "port": "8080", "raw_path": "/a b/c", "raw_query": "x=1&x=2&y=", "scheme": "https"}
 uri.parse("mailto:joe@example.com") == {"scheme": "mailto"}
 not uri.is_valid("")
 uri.is_valid("/rel")
 not uri.is_valid("http://a b")
}
test_tpl if strings.render_template("{{range $i, $n := .xs}}{{if $i}},{{end}}{{$n}}{{end}} {{len .xs}} {{.m}}", {"xs": ["a", "b"], "m": {"k": 1}}) == "a,b 2 map[k:1]"
test_yaml if {
 yaml.marshal({"a":[1,"x",{"b":null}],"c":1.5}) == "a:\n  - 1\n  - x\n  - b: null\nc: 1.5\n"
 yaml.unmarshal("a: [1, 2]\nb: yes\nc: 1e3\nd: ~") == {"a": [1, 2], "b": "yes", "c": 1000, "d": null}
}

test_json_schema if {
	json.verify_schema({"type": "boolean"}) == [true, null]
	not json.verify_schema({"type": "unknown_type"})[0]
	json.match_schema({"id": 5}, {"properties": {"id": {"type": "integer"}}, "required": ["id"]}) == [true, []]
	json.match_schema({"id": "foo"}, {"properties": {"id": {"type": "integer"}}}) == [false, [{
		"desc": "Invalid type. Expected: integer, given: string",
		"error": "id: Invalid type. Expected: integer, given: string",
		"field": "id",
		"type": "invalid_type",
	}]]
}
