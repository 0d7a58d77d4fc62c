# io.jwt.* and graphql.*: values from OPA's documentation and conformance cases.
package builtins.tokens_graphql_test

# a symmetric JWK whose key is the text "secret"
jwk := {"kty": "oct", "k": base64url.encode_no_pad("secret")}

# RFC 7519's example token (HS256, RFC 7515 appendix A.1 key)
rfc_token := "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

test_jwt_decode_rfc_example if {
	[header, payload, _] := io.jwt.decode(rfc_token)
	header == {"typ": "JWT", "alg": "HS256"}
	payload == {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": true}
}

test_jwt_sign_decode_verify if {
	token := io.jwt.encode_sign({"alg": "HS256", "typ": "JWT"}, {"iss": "joe"}, jwk)
	[header, payload, _] := io.jwt.decode(token)
	header == {"alg": "HS256", "typ": "JWT"}
	payload == {"iss": "joe"}
	io.jwt.verify_hs256(token, "secret")
	not io.jwt.verify_hs256(token, "wrong")
	[true, _, {"iss": "joe"}] = io.jwt.decode_verify(token, {"secret": "secret", "iss": "joe"})
	[false, {}, {}] = io.jwt.decode_verify(token, {"secret": "secret", "iss": "bob"})
}

# opa 1.22.4's AST: "Description" on operations, "Location" on directives, "Raw" on lists
test_graphql if {
	graphql.parse_query("{hero {name}}") == {"Operations": [{
		"Description": "",
		"Name": "",
		"Operation": "query",
		"SelectionSet": [{"Alias": "hero", "Name": "hero", "SelectionSet": [{"Alias": "name", "Name": "name"}]}],
	}]}
	graphql.parse_query(`query ($a: [Int]) @d { f(x: [1]) }`) == {"Operations": [{
		"Description": "",
		"Directives": [{"Location": "", "Name": "d"}],
		"Name": "",
		"Operation": "query",
		"SelectionSet": [{"Alias": "f", "Arguments": [{"Name": "x", "Value": {
			"Children": [{"Name": "", "Value": {"ExpectedTypeHasDefault": false, "Kind": 1, "Raw": "1"}}],
			"ExpectedTypeHasDefault": false, "Kind": 8, "Raw": "",
		}}], "Name": "f"}],
		"VariableDefinitions": [{
			"Description": "",
			"Type": {"Elem": {"NamedType": "Int", "NonNull": false}, "NamedType": "", "NonNull": false},
			"Used": false,
			"Variable": "a",
		}],
	}]}
	graphql.parse_query("") == {}
	graphql.schema_is_valid("type Query { hero: String }")
	graphql.is_valid("{ hero }", "type Query { hero: String }")
	not graphql.is_valid("{ villain }", "type Query { hero: String }")
}

# OPA's schema loader: no query type needed, an extended type need not be defined
test_graphql_lenient_schemas if {
	graphql.schema_is_valid("enum Hello { WORLD }")
	graphql.schema_is_valid("extend type Hello { world: String }")
	graphql.is_valid("", "enum Hello { WORLD }")
	not graphql.is_valid("{ hero }", "enum Hello { WORLD }")
	not graphql.schema_is_valid("type Query { a: Missing }")
}

# schemas and queries given as the AST objects graphql.parse_* return
test_graphql_ast_objects if {
	schema := graphql.parse_schema(`type Query { employee(id: String): Employee } type Employee { salary: Int! }`)
	graphql.is_valid(graphql.parse_query(`{ employee(id: "alice") { salary } }`), schema)
	not graphql.is_valid(graphql.parse_query(`{ employee(id: 1) { salary } }`), schema)
	graphql.schema_is_valid(schema)
}

test_graphql_errors if {
	not graphql.parse_query(`query Foo($x: Complex = { a: [ $var ] }) { field }`)
	not graphql.parse("{ f(a: 1) }", "type Query { f(a: String): Int }")
}
