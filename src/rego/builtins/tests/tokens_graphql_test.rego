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

# (opa 1.22.4 adds "Description": "" to operations, OPA's older cases do not: compared as a subset)
test_graphql if {
	ast := graphql.parse_query("{hero {name}}")
	count(ast.Operations) == 1
	object.subset(ast.Operations[0], {
		"Name": "",
		"Operation": "query",
		"SelectionSet": [{"Alias": "hero", "Name": "hero", "SelectionSet": [{"Alias": "name", "Name": "name"}]}],
	})
	graphql.schema_is_valid("type Query { hero: String }")
	graphql.is_valid("{ hero }", "type Query { hero: String }")
	not graphql.is_valid("{ villain }", "type Query { hero: String }")
}
